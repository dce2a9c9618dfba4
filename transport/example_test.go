package transport_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"time"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/transport"
)

// ExampleListen serves a newline-delimited echo protocol with one process
// per connection.
func ExampleListen() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	l, err := transport.Listen(node, transport.Config{
		Addr:           "127.0.0.1:0",
		MaxConnections: 100,
		Handler: func(ctx context.Context, c *transport.Conn) error {
			for {
				frame, err := c.ReadFrame()
				if err != nil {
					return err
				}
				if err := c.WriteFrame(append([]byte("echo: "), frame...)); err != nil {
					return err
				}
			}
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Stop(5 * time.Second)

	nc, _ := net.Dial("tcp", l.Addr().String())
	defer nc.Close()
	fmt.Fprintf(nc, "hello\n")
	reply, _ := bufio.NewReader(nc).ReadString('\n')
	fmt.Print(reply)
	// Output: echo: hello
}
