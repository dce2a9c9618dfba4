package mcp_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/transport"
)

// TestTCPAbuse: over MCP's TCP transport, malformed, truncated, oversized
// and batch frames get typed JSON-RPC errors and the session goes on; a
// client that leaves mid-call cancels its call and ends its process.
func TestTCPAbuse(t *testing.T) {
	node, s, src := startServer(t)
	l, err := transport.Listen(node, transport.Config{Addr: "127.0.0.1:0", Handler: s.TCPHandler(), MaxMessageSize: 512})
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
	read := func() map[string]any {
		t.Helper()
		_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		line, err := br.ReadBytes('\n')
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("reply %q: %v", line, err)
		}
		return m
	}
	code := func(m map[string]any) float64 {
		e, _ := m["error"].(map[string]any)
		c, _ := e["code"].(float64)
		return c
	}
	send(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`)
	if m := read(); m["result"] == nil {
		t.Fatalf("initialize: %v", m)
	}
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	for _, tc := range []struct {
		name, frame string
		code        float64
	}{
		{"malformed", `{not json`, -32700},
		{"truncated", `{"jsonrpc":"2.0","id":1,"method":"tools/list"`, -32700},
		{"oversized", `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"` + strings.Repeat("x", 1000) + `"}}}`, -32600},
		{"batch", `[{"jsonrpc":"2.0","id":3,"method":"tools/list"}]`, -32600},
	} {
		send(tc.frame)
		if m := read(); code(m) != tc.code {
			t.Fatalf("%s: reply %v; want code %v", tc.name, m, tc.code)
		}
	}
	send(`{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":1}}}`)
	if m := read(); m["result"] == nil {
		t.Fatalf("call after abuse: %v", m)
	}
	// Leave in the middle of a long call.
	send(`{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"slow","arguments":{"steps":100000,"ms":5},"_meta":{"progressToken":"t"}}}`)
	read() // first progress notification: the call is under way
	_ = nc.Close()
	select {
	case err := <-src.ended:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("call ended with %v; want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("leaving did not cancel the call")
	}
	otptest.Eventually(t, 10*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		n, err := l.Connections(ctx)
		return err == nil && n == 0
	}, "connection process left")
}
