package mcp_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http/httptest"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/seed-fe72f376/orchard/mcp"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/transport"
)

// gate is a tool source with one tool, "wait", that returns once the
// test releases it, so that a call stays in flight as long as needed.
type gate struct{ release chan struct{} }

func (g gate) Tools(context.Context) ([]mcp.Tool, error) {
	return []mcp.Tool{{Name: "wait", Description: "Wait for the test."}}, nil
}

func (g gate) CallTool(ctx context.Context, _ string, _ json.RawMessage, _ mcp.Progress) (json.RawMessage, error) {
	select {
	case <-g.release:
		return json.RawMessage(`"done"`), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// TestSessionList checks that SessionList shows a Streamable HTTP session
// (its id, remote address, process and in-flight call) and a TCP one,
// and forgets each when it closes.
func TestSessionList(t *testing.T) {
	node := otptest.NewNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	g := gate{release: make(chan struct{})}
	s, err := mcp.Start(ctx, node, mcp.Config{Tools: g, ToolTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop(10 * time.Second) })
	if got := s.SessionList(0); len(got) != 0 {
		t.Fatalf("sessions before any client: %+v", got)
	}
	hs := httptest.NewServer(s.HTTPHandler(false))
	t.Cleanup(hs.Close)
	client := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &sdk.StreamableClientTransport{Endpoint: hs.URL, MaxRetries: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	otptest.Eventually(t, 5*time.Second, func() bool { return len(s.SessionList(0)) == 1 })
	si := s.SessionList(0)[0]
	if si.ID != cs.ID() || si.Transport != "http" || si.PID.IsZero() || si.Since.IsZero() {
		t.Fatalf("http session: %+v (client id %q)", si, cs.ID())
	}
	if host, _, err := net.SplitHostPort(si.Remote); err != nil || host != "127.0.0.1" {
		t.Fatalf("http session remote = %q; want 127.0.0.1:port", si.Remote)
	}
	called := make(chan error, 1)
	go func() { // the test's client, not library code
		_, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "wait", Arguments: map[string]any{}})
		called <- err
	}()
	otptest.Eventually(t, 5*time.Second, func() bool { l := s.SessionList(0); return len(l) == 1 && l[0].InFlight == 1 })
	close(g.release)
	if err := <-called; err != nil {
		t.Fatal(err)
	}
	otptest.Eventually(t, 5*time.Second, func() bool { l := s.SessionList(0); return len(l) == 1 && l[0].InFlight == 0 })

	// A TCP session: its remote address is the client's end.
	l, err := transport.Listen(node, transport.Config{Addr: "127.0.0.1:0", Handler: s.TCPHandler()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Stop(5 * time.Second) })
	nc, err := net.DialTimeout("tcp", l.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	tc, err := client.Connect(ctx, &sdk.IOTransport{Reader: nc, Writer: nc}, nil)
	if err != nil {
		t.Fatal(err)
	}
	otptest.Eventually(t, 5*time.Second, func() bool { return len(s.SessionList(0)) == 2 })
	tcp := s.SessionList(0)[1]
	conns := l.ConnectionList(0)
	if len(conns) != 1 {
		t.Fatalf("listener connections: %+v", conns)
	}
	if tcp.Transport != "tcp" || tcp.Remote != nc.LocalAddr().String() || tcp.PID.IsZero() || tcp.ID == "" {
		t.Fatalf("tcp session: %+v (client %s)", tcp, nc.LocalAddr())
	}
	if c := conns[0]; c.Transport != "tcp" || c.Remote != tcp.Remote || c.PID.IsZero() || c.State != "open" {
		t.Fatalf("tcp connection: %+v; session %+v", c, tcp)
	}
	if got := s.SessionList(1); len(got) != 1 || got[0].Transport != "http" {
		t.Fatalf("SessionList(1) = %+v; want the oldest (http) only", got)
	}
	_ = tc.Close()
	_ = cs.Close()
	otptest.Eventually(t, 5*time.Second, func() bool { return len(s.SessionList(0)) == 0 && len(l.ConnectionList(0)) == 0 })
}
