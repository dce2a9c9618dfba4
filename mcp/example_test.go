package mcp_test

import (
	"context"
	"fmt"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/seed-fe72f376/orchard/mcp"
	"github.com/seed-fe72f376/orchard/process"
)

// ExampleStart serves the demo tools to a Go SDK client over an in-memory
// transport: the session is owned by a process, the call runs as a task.
func ExampleStart() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := mcp.Start(ctx, node, mcp.Config{Tools: mcp.DemoTools{}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Stop(5 * time.Second)

	serverEnd, clientEnd := sdk.NewInMemoryTransports()
	session, err := s.Serve(ctx, serverEnd)
	if err != nil {
		fmt.Println(err)
		return
	}
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "example", Version: "1"}, nil).Connect(ctx, clientEnd, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "add", Arguments: map[string]any{"a": 2, "b": 40}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Content[0].(*sdk.TextContent).Text)
	_ = cs.Close()
	<-session.Done() // the client left: the session's process ended
	fmt.Println("session ended:", session.Err())
	// Output:
	// {"sum":42}
	// session ended: <nil>
}
