package mcp_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/transport"
)

// TestTCPIdleWhileCalling: over MCP's TCP transport, a client silent
// while it waits for a call longer than the idle timeout keeps its
// session and gets the result; a silent client with nothing pending is
// let go.
func TestTCPIdleWhileCalling(t *testing.T) {
	node, s, _ := startServer(t)
	l, err := transport.Listen(node, transport.Config{Addr: "127.0.0.1:0", Handler: s.TCPHandler(), IdleTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Stop(5 * time.Second) })
	nc, err := net.DialTimeout("tcp", l.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	br := bufio.NewReader(nc)
	send := func(s string) {
		t.Helper()
		if _, err := fmt.Fprintln(nc, s); err != nil {
			t.Fatal(err)
		}
	}
	read := func() (map[string]any, error) {
		_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		line, err := br.ReadBytes('\n')
		if err != nil {
			return nil, err
		}
		var m map[string]any
		return m, json.Unmarshal(line, &m)
	}
	send(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`)
	if m, err := read(); err != nil || m["result"] == nil {
		t.Fatalf("initialize: %v, %v", m, err)
	}
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	// five idle timeouts of silence while the call runs
	send(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"slow","arguments":{"steps":4,"ms":250}}}`)
	if m, err := read(); err != nil || m["result"] == nil {
		t.Fatalf("slow call with a silent client: %v, %v; want its result", m, err)
	}
	// nothing pending now: the idle timeout ends the session
	if m, err := read(); err == nil {
		t.Fatalf("idle session got %v; want it closed", m)
	}
}
