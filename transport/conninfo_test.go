package transport_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/transport"
)

// TestHTTPConnectionList checks that an HTTP server lists a kept-alive
// connection (remote address, serving process, state) and forgets it
// once closed.
func TestHTTPConnectionList(t *testing.T) {
	node := otptest.NewNode(t)
	h, err := transport.NewHTTP("127.0.0.1:0", answerOK, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := h.Start(node)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = node.Exit(pid, process.Shutdown) })
	if got := h.ConnectionList(0); len(got) != 0 {
		t.Fatalf("connections before any client: %+v", got)
	}
	nc, err := net.DialTimeout("tcp", h.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(nc, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	otptest.Eventually(t, 5*time.Second, func() bool {
		l := h.ConnectionList(0)
		return len(l) == 1 && l[0].State == "idle"
	})
	c := h.ConnectionList(0)[0]
	if c.Transport != "http" || c.Remote != nc.LocalAddr().String() || c.PID != pid || c.ID == 0 || c.Since.IsZero() {
		t.Fatalf("connection: %+v; want http from %s owned by %v", c, nc.LocalAddr(), pid)
	}
	_ = nc.Close()
	otptest.Eventually(t, 5*time.Second, func() bool { return len(h.ConnectionList(0)) == 0 })
}
