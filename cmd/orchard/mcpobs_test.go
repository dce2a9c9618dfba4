package main

import (
	"context"
	"net"
	"slices"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/seed-fe72f376/orchard/observer"
	"github.com/seed-fe72f376/orchard/otptest"
)

// TestMCPSections renders the observer's MCP sessions and Connections
// views of the demo's MCP endpoint: empty before it serves, one
// Streamable HTTP session and its connection (same remote address) with
// a client connected, empty again once the demo's MCP stopped.
func TestMCPSections(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	node := otptest.NewNode(t)
	var live liveMCP
	secs := mcpSections(live.current)
	h, err := observer.New(observer.Config{Node: node, Sections: secs})
	if err != nil {
		t.Fatalf("the observer refuses the sections: %v", err)
	}
	defer h.Close()
	if len(secs) != 2 || secs[0].Title() != "MCP sessions" || secs[1].Title() != "Connections" {
		t.Fatalf("sections %v", secs)
	}
	rows := func(i int) observer.Table { return sectionRows(ctx, t, secs[i]) }
	if s, c := rows(0), rows(1); len(s.Rows)+len(c.Rows) != 0 {
		t.Fatalf("rows before the endpoint serves: %q %q", s.Rows, c.Rows)
	}
	if !slices.Equal(rows(0).Columns, []string{"Session", "Transport", "Remote", "PID", "Age", "In flight"}) {
		t.Errorf("session columns %q", rows(0).Columns)
	}
	if !slices.Equal(rows(1).Columns, []string{"Connection", "Transport", "Remote", "PID", "Age", "State"}) {
		t.Errorf("connection columns %q", rows(1).Columns)
	}

	stop, banner := startDemoMCP(ctx, node, "127.0.0.1:0", &live)
	stopped := false
	defer func() {
		if !stopped {
			_ = stop()
		}
	}()
	m := live.current()
	if m == nil || m.http == nil {
		t.Fatalf("the demo's MCP is not live: %s", banner)
	}
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "obs-test", Version: "1"}, nil).
		Connect(ctx, &sdk.StreamableClientTransport{Endpoint: m.addr, MaxRetries: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	otptest.Eventually(t, 5*time.Second, func() bool { return len(rows(0).Rows) == 1 && len(rows(1).Rows) >= 1 }, "no session or connection shown")
	s := rows(0).Rows[0]
	if s[0] != cs.ID() || s[1] != "http" || s[3] == "" || s[5] != "0" {
		t.Errorf("session row %q (client session %q)", s, cs.ID())
	}
	if host, _, err := net.SplitHostPort(s[2]); err != nil || host != "127.0.0.1" {
		t.Errorf("session remote %q", s[2])
	}
	if !slices.ContainsFunc(rows(1).Rows, func(c []string) bool { return c[1] == "http" && c[2] == s[2] && c[3] != "" }) {
		t.Errorf("connection rows %q; want one from %s", rows(1).Rows, s[2])
	}

	_ = cs.Close()
	otptest.Eventually(t, 5*time.Second, func() bool { return len(rows(0).Rows) == 0 }, "the closed session is still shown")
	stopped = true
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if s, c := rows(0), rows(1); len(s.Rows)+len(c.Rows) != 0 {
		t.Fatalf("rows after the endpoint stopped: %q %q", s.Rows, c.Rows)
	}
}
