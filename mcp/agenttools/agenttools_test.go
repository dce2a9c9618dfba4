package agenttools_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/mcp"
	"github.com/seed-fe72f376/orchard/mcp/agenttools"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/transport"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// transports connect a Go SDK client to the server in each of its ways:
// a stream session (as stdio), TCP and Streamable HTTP (stateful and
// stateless).
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

func text(r *sdk.CallToolResult) string {
	if r == nil || len(r.Content) == 0 {
		return ""
	}
	if tc, ok := r.Content[0].(*sdk.TextContent); ok {
		return tc.Text
	}
	return ""
}

type addIn struct {
	By int `json:"by"`
}

type longIn struct {
	Steps int `json:"steps"`
	MS    int `json:"ms"`
}

// calcKind is the kind of the test's agents: "add" (an object result),
// "sq" (an input that is no object, and a number result) and "long",
// which reports progress and tells ended how it finished.
func calcKind(t *testing.T, ended chan<- error) agent.Kind {
	t.Helper()
	k, err := agent.NewKind(agent.Spec[int]{Name: "calc", Actions: []agent.Action[int]{
		agent.NewAction("add", "adds to the total", func(_ context.Context, n *int, in addIn) (map[string]int, []agent.Directive, error) {
			*n += in.By
			return map[string]int{"n": *n}, nil, nil
		}),
		agent.NewAction("sq", "squares a number", func(_ context.Context, _ *int, in int) (int, []agent.Directive, error) {
			return in * in, nil, nil
		}),
		agent.NewAction("long", "works in steps", func(ctx context.Context, _ *int, in longIn) (map[string]int, []agent.Directive, error) {
			for i := 1; i <= in.Steps; i++ {
				agent.ReportProgress(ctx, float64(i-1), float64(in.Steps), fmt.Sprintf("step %d of %d", i, in.Steps))
				tm := time.NewTimer(time.Duration(in.MS) * time.Millisecond)
				select {
				case <-ctx.Done():
					tm.Stop()
					ended <- ctx.Err()
					return nil, nil, ctx.Err()
				case <-tm.C:
				}
			}
			ended <- nil
			return map[string]int{"steps": in.Steps}, nil, nil
		}),
	}})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// startAgentServer serves the agents of a new system (one agent, "calc")
// as tools and resources.
func startAgentServer(t *testing.T) (*process.Node, *mcp.Server, *agent.System, agent.Kind, chan error) {
	t.Helper()
	node := otptest.NewNode(t)
	ended := make(chan error, 8)
	k := calcKind(t, ended)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sys, err := agent.Start(node)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, c := context.WithTimeout(context.Background(), 10*time.Second)
		defer c()
		_ = sys.Stop(sctx)
	})
	if _, err := sys.Spawn(ctx, agent.Config{ID: "calc", Kind: k}); err != nil {
		t.Fatal(err)
	}
	a, err := agenttools.New(sys)
	if err != nil {
		t.Fatal(err)
	}
	s, err := mcp.Start(ctx, node, mcp.Config{Tools: a, Resources: a.Resources(), ResourceTemplates: a.ResourceTemplates(), ToolTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop(10 * time.Second) })
	return node, s, sys, k, ended
}

func toolNames(t *testing.T, ctx context.Context, cs *sdk.ClientSession) map[string]*sdk.Tool {
	t.Helper()
	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]*sdk.Tool{}
	for _, tool := range tools.Tools {
		m[tool.Name] = tool
	}
	return m
}

func TestAgentsAsTools(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			node, s, sys, k, ended := startAgentServer(t)
			progress := &progressLog{notes: make(chan string, 4096)}
			changed := make(chan struct{}, 16)
			client := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, &sdk.ClientOptions{
				ProgressNotificationHandler: progress.handler,
				ToolListChangedHandler: func(context.Context, *sdk.ToolListChangedRequest) {
					select {
					case changed <- struct{}{}:
					default:
					}
				},
			})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cs, err := client.Connect(ctx, tr.connect(t, node, s), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer cs.Close()

			// Every action is a tool "<agent>.<action>", with its schema.
			tools := toolNames(t, ctx, cs)
			names := make([]string, 0, len(tools))
			for n := range tools {
				names = append(names, n)
			}
			slices.Sort(names)
			if got := strings.Join(names, ","); got != "calc.add,calc.long,calc.sq" {
				t.Fatalf("tools = %s", got)
			}
			schema, _ := json.Marshal(tools["calc.add"].InputSchema)
			if !strings.Contains(string(schema), `"by":{"type":"integer"}`) {
				t.Fatalf("calc.add schema = %s", schema)
			}
			schema, _ = json.Marshal(tools["calc.sq"].InputSchema)
			if !strings.Contains(string(schema), `"input":{"type":"integer"}`) {
				t.Fatalf("calc.sq schema = %s (want its integer input wrapped as the property input)", schema)
			}
			if !strings.Contains(tools["calc.add"].Description, "adds to the total") {
				t.Fatalf("calc.add description = %q", tools["calc.add"].Description)
			}

			// A call returns the action's result.
			res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "calc.add", Arguments: map[string]any{"by": 40}})
			if err != nil || res.IsError || text(res) != `{"n":40}` {
				t.Fatalf("calc.add = %v, %v", text(res), err)
			}
			if sc, _ := json.Marshal(res.StructuredContent); string(sc) != `{"n":40}` {
				t.Fatalf("calc.add structured content = %s", sc)
			}
			res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "calc.sq", Arguments: map[string]any{"input": 7}})
			if err != nil || res.IsError || text(res) != `49` {
				t.Fatalf("calc.sq = %v, %v", text(res), err)
			}

			// Input that fails the schema is an error result that says why.
			res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "calc.add", Arguments: map[string]any{"by": "x"}})
			if err != nil || !res.IsError || !strings.Contains(text(res), "invalid input") || !strings.Contains(text(res), "by") {
				t.Fatalf("calc.add bad input = %v, %v; want an error result with the validation message", text(res), err)
			}

			// A long action's progress reaches the client.
			params := &sdk.CallToolParams{Name: "calc.long", Arguments: map[string]any{"steps": 3, "ms": 10}}
			params.SetProgressToken("p1")
			res, err = cs.CallTool(ctx, params)
			if err != nil || res.IsError || text(res) != `{"steps":3}` {
				t.Fatalf("calc.long = %v, %v", text(res), err)
			}
			if err := <-ended; err != nil {
				t.Fatalf("long ended with %v", err)
			}
			for i := 1; i <= 3; i++ {
				select {
				case got := <-progress.notes:
					if want := fmt.Sprintf("step %d of 3", i); got != want {
						t.Fatalf("progress %d = %q; want %q", i, got, want)
					}
				case <-ctx.Done():
					t.Fatalf("progress %d never came", i)
				}
			}

			// Cancelling the call cancels the action's context.
			cctx, ccancel := context.WithCancel(ctx)
			params = &sdk.CallToolParams{Name: "calc.long", Arguments: map[string]any{"steps": 100000, "ms": 5}}
			params.SetProgressToken("p2")
			errc := make(chan error, 1)
			go func() { _, err := cs.CallTool(cctx, params); errc <- err }()
			<-progress.notes // the action is under way
			ccancel()
			if err := <-errc; err == nil {
				t.Fatal("cancelled call returned no error")
			}
			select {
			case err := <-ended:
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("cancelled action ended with %v; want context.Canceled", err)
				}
			case <-ctx.Done():
				t.Fatal("cancellation did not reach the action")
			}

			// An agent registered later appears; the sessions that can
			// hear it are told the list changed.
			if _, err := sys.Spawn(ctx, agent.Config{ID: "calc-2", Kind: k}); err != nil {
				t.Fatal(err)
			}
			if err := s.RefreshTools(ctx); err != nil {
				t.Fatal(err)
			}
			if tr.name != "http-stateless" {
				select {
				case <-changed:
				case <-ctx.Done():
					t.Fatal("no notifications/tools/list_changed")
				}
			}
			if _, ok := toolNames(t, ctx, cs)["calc-2.add"]; !ok {
				t.Fatal("calc-2.add not listed after its agent registered")
			}
			// One registered and not yet listed is found at call time.
			if _, err := sys.Spawn(ctx, agent.Config{ID: "calc-3", Kind: k}); err != nil {
				t.Fatal(err)
			}
			res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "calc-3.add", Arguments: map[string]any{"by": 1}})
			if err != nil || res.IsError || text(res) != `{"n":1}` {
				t.Fatalf("calc-3.add = %v, %v", text(res), err)
			}
			// An agent gone since the listing: an error result.
			if err := sys.Unregister(ctx, "calc-2"); err != nil {
				t.Fatal(err)
			}
			res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "calc-2.add", Arguments: map[string]any{"by": 1}})
			if err != nil || !res.IsError || !strings.Contains(text(res), "unknown") {
				t.Fatalf("calc-2.add after Unregister = %v, %v; want an unknown tool error result", text(res), err)
			}
			if _, ok := toolNames(t, ctx, cs)["calc-2.add"]; ok {
				t.Fatal("calc-2.add still listed after its agent left")
			}
			// A name no agent has is an error.
			res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "nobody.add", Arguments: map[string]any{}})
			if err == nil && !res.IsError {
				t.Fatalf("nobody.add = %v; want an error", text(res))
			}

			// Agent status as resources.
			rr, err := cs.ReadResource(ctx, &sdk.ReadResourceParams{URI: "orchard://agents"})
			if err != nil || len(rr.Contents) != 1 || !strings.Contains(rr.Contents[0].Text, `"id":"calc","kind":"calc","status":"running"`) ||
				!strings.Contains(rr.Contents[0].Text, `"calc.long"`) {
				t.Fatalf("orchard://agents = %+v, %v", rr, err)
			}
			rr, err = cs.ReadResource(ctx, &sdk.ReadResourceParams{URI: "orchard://agents/calc"})
			if err != nil || len(rr.Contents) != 1 || !strings.Contains(rr.Contents[0].Text, `"status":"running"`) ||
				!strings.Contains(rr.Contents[0].Text, `"stats"`) {
				t.Fatalf("orchard://agents/calc = %+v, %v", rr, err)
			}
			if _, err := cs.ReadResource(ctx, &sdk.ReadResourceParams{URI: "orchard://agents/nobody"}); err == nil {
				t.Fatal("orchard://agents/nobody read; want a not-found error")
			}
		})
	}
}

// TestAgentToolNames checks the tool-name scheme: an agent whose ID makes
// no valid MCP tool name offers no tools, and its status says why.
func TestAgentToolNames(t *testing.T) {
	node := otptest.NewNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sys, err := agent.Start(node)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Stop(ctx)
	k := calcKind(t, make(chan error, 8))
	for _, id := range []string{"ok_1", "has space", strings.Repeat("x", 130)} {
		if err := sys.Register(agent.Config{ID: id, Kind: k}); err != nil {
			t.Fatal(err)
		}
	}
	a, err := agenttools.New(sys)
	if err != nil {
		t.Fatal(err)
	}
	tools, err := a.Tools(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range tools {
		names = append(names, tl.Name)
	}
	if got := strings.Join(names, ","); got != "ok_1.add,ok_1.long,ok_1.sq" {
		t.Fatalf("tools = %s", got)
	}
	text, err := a.Resources()[0].Read(ctx)
	if err != nil || !strings.Contains(text, `"notTools":{"add":"tool name \"has space.add\" has ' '`) {
		t.Fatalf("orchard://agents = %s, %v", text, err)
	}
	if _, err := a.CallTool(ctx, "has space.add", json.RawMessage(`{"by":1}`), nil); !errors.Is(err, mcp.ErrUnknownTool) {
		t.Fatalf("CallTool(bad name) = %v; want ErrUnknownTool", err)
	}
	if _, err := a.ResourceTemplates()[0].Read(ctx, "orchard://agents/nobody"); !errors.Is(err, mcp.ErrUnknownResource) {
		t.Fatalf("read of an unknown agent = %v; want ErrUnknownResource", err)
	}
}

func TestBadInput(t *testing.T) {
	node := otptest.NewNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	read := func(context.Context, string) (string, error) { return "", nil }
	calls := map[string]func() error{
		"New(nil)": func() error { _, err := agenttools.New(nil); return err },
		"nil RefreshTools": func() error {
			var s *mcp.Server
			return s.RefreshTools(ctx)
		},
	}
	for i, tpl := range []mcp.ResourceTemplate{
		{URITemplate: "", Read: read},
		{URITemplate: "orchard://x/{id}"},
		{URITemplate: "orchard://x/{id", Read: read},
	} {
		calls[fmt.Sprintf("template %d", i)] = func() error {
			_, err := mcp.Start(ctx, node, mcp.Config{ResourceTemplates: []mcp.ResourceTemplate{tpl}})
			return err
		}
	}
	for name, call := range calls {
		if err := otptest.NoPanic(call); !errors.Is(err, mcp.ErrInvalidArgument) {
			t.Errorf("%s = %v; want ErrInvalidArgument", name, err)
		}
	}
}
