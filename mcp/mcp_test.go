package mcp_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/seed-fe72f376/orchard/mcp"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/transport"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// recording wraps the demo tools and reports how each "slow" call ended,
// so a test can see that cancellation reached the tool.
type recording struct {
	mcp.DemoTools
	ended chan error
}

func (r *recording) CallTool(ctx context.Context, name string, args json.RawMessage, p mcp.Progress) (json.RawMessage, error) {
	res, err := r.DemoTools.CallTool(ctx, name, args, p)
	if name == "slow" {
		r.ended <- err
	}
	return res, err
}

func startServer(t *testing.T) (*process.Node, *mcp.Server, *recording) {
	t.Helper()
	node := otptest.NewNode(t)
	src := &recording{DemoTools: mcp.DemoTools{SleepyFor: 1500 * time.Millisecond}, ended: make(chan error, 8)}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := mcp.Start(ctx, node, mcp.Config{Tools: src, ToolTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop(10 * time.Second) })
	return node, s, src
}

// transports connect a Go SDK client to the server in each of the three
// ways: a stream session (as stdio), TCP and Streamable HTTP.
var transports = []struct {
	name    string
	connect func(t *testing.T, node *process.Node, s *mcp.Server) sdk.Transport
}{
	{"stdio", func(t *testing.T, _ *process.Node, s *mcp.Server) sdk.Transport {
		sr, cw := io.Pipe()
		cr, sw := io.Pipe()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := s.Serve(ctx, &sdk.IOTransport{Reader: sr, Writer: sw}); err != nil {
			t.Fatal(err)
		}
		return &sdk.IOTransport{Reader: cr, Writer: cw}
	}},
	{"tcp", func(t *testing.T, node *process.Node, s *mcp.Server) sdk.Transport {
		l, err := transport.Listen(node, transport.Config{Addr: "127.0.0.1:0", Handler: s.TCPHandler()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = l.Stop(5 * time.Second) })
		nc, err := net.DialTimeout("tcp", l.Addr().String(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return &sdk.IOTransport{Reader: nc, Writer: nc}
	}},
	{"http", func(t *testing.T, _ *process.Node, s *mcp.Server) sdk.Transport {
		hs := httptest.NewServer(s.HTTPHandler(false))
		t.Cleanup(hs.Close)
		return &sdk.StreamableClientTransport{Endpoint: hs.URL, MaxRetries: -1}
	}},
	{"http-stateless", func(t *testing.T, _ *process.Node, s *mcp.Server) sdk.Transport {
		hs := httptest.NewServer(s.HTTPHandler(true))
		t.Cleanup(hs.Close)
		return &sdk.StreamableClientTransport{Endpoint: hs.URL, MaxRetries: -1}
	}},
}

type progressLog struct{ notes chan string }

func (p *progressLog) handler(_ context.Context, req *sdk.ProgressNotificationClientRequest) {
	select {
	case p.notes <- req.Params.Message:
	default:
	}
}

func TestGoSDKClient(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			node, s, src := startServer(t)
			progress := &progressLog{notes: make(chan string, 4096)}
			client := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"},
				&sdk.ClientOptions{ProgressNotificationHandler: progress.handler})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cs, err := client.Connect(ctx, tr.connect(t, node, s), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer cs.Close()

			tools, err := cs.ListTools(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, tool := range tools.Tools {
				names = append(names, tool.Name)
			}
			if got := strings.Join(names, ","); got != "add,echo,panics,sleepy,slow" {
				t.Fatalf("tools = %s", got)
			}

			res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "add", Arguments: map[string]any{"a": 2, "b": 40}})
			if err != nil || res.IsError || text(res) != `{"sum":42}` {
				t.Fatalf("add = %v, %v", text(res), err)
			}

			// A panicking tool is an error result for that call only.
			res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "panics", Arguments: map[string]any{}})
			if err != nil || !res.IsError || !strings.Contains(text(res), "panicked") {
				t.Fatalf("panics = %v, %v; want an error result", text(res), err)
			}
			// A tool that ignores its deadline is timed out and killed.
			res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "sleepy", Arguments: map[string]any{}})
			if err != nil || !res.IsError || !strings.Contains(text(res), "timed out") {
				t.Fatalf("sleepy = %v, %v; want a timeout error result", text(res), err)
			}

			// Progress notifications reach the client (not in stateless
			// mode, which has no stream after the reply... it does,
			// within the request's own response stream).
			params := &sdk.CallToolParams{Name: "slow", Arguments: map[string]any{"steps": 3, "ms": 10}}
			params.SetProgressToken("p1")
			res, err = cs.CallTool(ctx, params)
			if err != nil || res.IsError || text(res) != `{"steps":3}` {
				t.Fatalf("slow = %v, %v", text(res), err)
			}
			if err := <-src.ended; err != nil {
				t.Fatalf("slow ended with %v", err)
			}
			// Over HTTP the last notification may be handled just
			// after the result.
			for i := 1; i <= 3; i++ {
				select {
				case got := <-progress.notes:
					if want := fmt.Sprintf("step %d of 3", i); got != want {
						t.Fatalf("progress %d = %q; want %q", i, got, want)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("progress %d never came", i)
				}
			}

			// Cancelling a call reaches the tool's context.
			cctx, ccancel := context.WithCancel(ctx)
			params = &sdk.CallToolParams{Name: "slow", Arguments: map[string]any{"steps": 1000, "ms": 5}}
			params.SetProgressToken("p2")
			errc := make(chan error, 1)
			go func() { _, err := cs.CallTool(cctx, params); errc <- err }()
			<-progress.notes // the call is under way
			ccancel()
			if err := <-errc; err == nil {
				t.Fatal("cancelled call returned no error")
			}
			select {
			case err := <-src.ended:
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("cancelled slow ended with %v; want context.Canceled", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("cancellation did not reach the tool")
			}

			// The status resource reads.
			rr, err := cs.ReadResource(ctx, &sdk.ReadResourceParams{URI: "orchard://status"})
			if err != nil || len(rr.Contents) != 1 || !strings.Contains(rr.Contents[0].Text, `"toolCalls"`) {
				t.Fatalf("status = %v, %v", rr, err)
			}
		})
	}
}

func text(r *sdk.CallToolResult) string {
	if r == nil || len(r.Content) == 0 {
		return ""
	}
	if tc, ok := r.Content[0].(*sdk.TextContent); ok {
		return tc.Text
	}
	return ""
}

// TestSessionsOwnedByProcesses checks that a stateful HTTP session gets a
// process, that killing it closes the session, and that a closed session
// ends its process.
func TestSessionsOwnedByProcesses(t *testing.T) {
	node, s, _ := startServer(t)
	hs := httptest.NewServer(s.HTTPHandler(false))
	t.Cleanup(hs.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sessions := func() int {
		n, err := s.Sessions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	client := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil)
	a, err := client.Connect(ctx, &sdk.StreamableClientTransport{Endpoint: hs.URL, MaxRetries: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := client.Connect(ctx, &sdk.StreamableClientTransport{Endpoint: hs.URL, MaxRetries: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := sessions(); n != 2 {
		t.Fatalf("sessions = %d; want 2", n)
	}
	// Kill a's process: its session is gone on the server.
	var owners []process.PID
	for _, pid := range node.Processes() {
		if info, err := node.Info(pid); err == nil && info.Behaviour == "mcp.session" {
			owners = append(owners, pid)
		}
	}
	if len(owners) != 2 {
		t.Fatalf("%d session processes; want 2", len(owners))
	}
	_ = node.Exit(owners[0], process.Kill)
	otptest.Eventually(t, 5*time.Second, func() bool { return sessions() == 1 })
	// The other session goes on; closing it ends its process.
	if _, err := b.ListTools(ctx, nil); err != nil {
		if _, err2 := a.ListTools(ctx, nil); err2 != nil {
			t.Fatalf("both sessions failed: %v / %v", err, err2)
		}
	}
	_ = a.Close()
	_ = b.Close()
	otptest.Eventually(t, 5*time.Second, func() bool { return sessions() == 0 })
}

func TestBadInput(t *testing.T) {
	node := otptest.NewNode(t)
	var nilS *mcp.Server
	var nilCtx context.Context
	for name, call := range map[string]func() error{
		"Start nil ctx":  func() error { _, err := mcp.Start(nilCtx, node, mcp.Config{}); return err },
		"Start nil node": func() error { _, err := mcp.Start(context.Background(), nil, mcp.Config{}); return err },
		"Start bad max":  func() error { _, err := mcp.Start(context.Background(), node, mcp.Config{MaxSessions: -1}); return err },
		"Start bad tool": func() error {
			_, err := mcp.Start(context.Background(), node, mcp.Config{Tools: badTools{}})
			return err
		},
		"nil Stop":     func() error { return nilS.Stop(time.Second) },
		"nil Serve":    func() error { _, err := nilS.Serve(context.Background(), &sdk.StdioTransport{}); return err },
		"nil Sessions": func() error { _, err := nilS.Sessions(context.Background()); return err },
		"Start bad res": func() error {
			_, err := mcp.Start(context.Background(), node, mcp.Config{Resources: []mcp.Resource{{}}})
			return err
		},
		"nil RefreshTools": func() error { return nilS.RefreshTools(context.Background()) },
		"Start template without Read": func() error {
			_, err := mcp.Start(context.Background(), node, mcp.Config{ResourceTemplates: []mcp.ResourceTemplate{{URITemplate: "orchard://x/{id}"}}})
			return err
		},
		"Start malformed template": func() error {
			read := func(context.Context, string) (string, error) { return "", nil }
			_, err := mcp.Start(context.Background(), node, mcp.Config{ResourceTemplates: []mcp.ResourceTemplate{{URITemplate: "orchard://x/{id", Read: read}}})
			return err
		},
	} {
		if err := otptest.NoPanic(call); !errors.Is(err, mcp.ErrInvalidArgument) {
			t.Errorf("%s = %v; want ErrInvalidArgument", name, err)
		}
	}
	_ = http.StatusOK
}

type badTools struct{ mcp.DemoTools }

func (badTools) Tools(context.Context) ([]mcp.Tool, error) {
	return []mcp.Tool{{Name: "x", InputSchema: json.RawMessage(`{"type":"string"}`)}}, nil
}
