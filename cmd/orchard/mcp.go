package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/seed-fe72f376/orchard/app"
	"github.com/seed-fe72f376/orchard/mcp"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/transport"
)

// mcpConfig configures `orchard mcp` and the demo's MCP endpoint.
type mcpConfig struct {
	HTTP, TCP      string
	Stdio          bool
	Stateless      bool
	Fixtures       bool
	MaxConnections int
	// Tools is the tool source (default: the built-in demo tools and the
	// demo's agents, mcp_agents.go).
	Tools mcp.ToolSource
	// Logger receives the server's reports (default: discard).
	Logger *slog.Logger
}

func runMCPCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("orchard mcp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg mcpConfig
	fs.StringVar(&cfg.HTTP, "http", "", "serve Streamable HTTP at http://ADDR/mcp")
	fs.StringVar(&cfg.TCP, "tcp", "", "serve newline-delimited JSON-RPC over TCP at ADDR")
	fs.BoolVar(&cfg.Stdio, "stdio", false, "serve one session on standard input and output")
	fs.BoolVar(&cfg.Stateless, "stateless", false, "serve stateless Streamable HTTP (each request in a task)")
	fs.BoolVar(&cfg.Fixtures, "conformance-fixtures", false, "add the tools, resources and prompts of the MCP conformance suite's server scenarios")
	fs.IntVar(&cfg.MaxConnections, "max-connections", 1000, "most TCP connections (or HTTP sessions) at once")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	n := 0
	for _, on := range []bool{cfg.HTTP != "", cfg.TCP != "", cfg.Stdio} {
		if on {
			n++
		}
	}
	if n != 1 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: orchard mcp (--http ADDR | --tcp ADDR | --stdio) [--conformance-fixtures] [--stateless]")
		return 2
	}
	if err := serveMCP(ctx, cfg, stdin, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "orchard mcp: %v\n", err)
		return app.ExitCode(err)
	}
	return 0
}

// mcpApp is a running MCP application: its node, app and server.
type mcpApp struct {
	node   *process.Node
	app    *app.App
	server *mcp.Server
	http   *transport.HTTPServer // the endpoint's server, if HTTP
	tcp    *transport.Listener   // the endpoint's listener, if TCP
	addr   string                // the endpoint, as a URL or host:port
}

// startMCP starts the MCP application on node: the server's tree, then
// the listener (HTTP or TCP) if any; the app stops them in reverse order.
func startMCP(ctx context.Context, node *process.Node, cfg mcpConfig) (*mcpApp, error) {
	if cfg.Logger == nil {
		cfg.Logger = discard
	}
	var parts []app.Part
	withAgents := func(*mcp.Config) {}
	if cfg.Tools == nil {
		cfg.Tools = mcp.DemoTools{}
		var agents app.Part
		agents, withAgents = mcpAgentsPart(ctx, cfg.Logger)
		parts = append(parts, agents)
	}
	m := &mcpApp{node: node}
	scfg := mcp.Config{Name: "orchard", Version: readBuildVersion(debug.ReadBuildInfo()).version, Tools: cfg.Tools, Logger: cfg.Logger}
	if cfg.HTTP != "" {
		scfg.MaxSessions = cfg.MaxConnections
	}
	if cfg.Fixtures {
		addConformanceFixtures(&scfg)
	}
	// The listener part starts after the server part and reads the
	// server when a request or connection comes.
	var server atomic.Pointer[mcp.Server]
	parts = append(parts, app.Part{Name: "mcp", Start: func(node *process.Node) (process.PID, error) {
		c := scfg
		withAgents(&c)
		s, err := mcp.Start(ctx, node, c)
		if err != nil {
			return process.PID{}, err
		}
		m.server = s
		server.Store(s)
		return s.PID(), nil
	}})
	switch {
	case cfg.HTTP != "":
		var handler atomic.Pointer[http.Handler]
		mux := http.NewServeMux()
		mux.Handle("/mcp", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := handler.Load()
			if h == nil {
				s := server.Load()
				if s == nil {
					http.Error(w, "orchard mcp: not started", http.StatusServiceUnavailable)
					return
				}
				hh := s.HTTPHandler(cfg.Stateless)
				handler.CompareAndSwap(nil, &hh)
				h = handler.Load()
			}
			(*h).ServeHTTP(w, r)
		}))
		h, err := transport.NewHTTP(cfg.HTTP, mux, 5*time.Second)
		if err != nil {
			return nil, err
		}
		m.addr, m.http = "http://"+h.Addr().String()+"/mcp", h
		parts = append(parts, app.Part{Name: "http", Tree: supervisor.Spec{Children: []supervisor.ChildSpec{h.ChildSpec("server")}}})
	case cfg.TCP != "":
		l, err := transport.New(transport.Config{
			Addr: cfg.TCP, MaxConnections: cfg.MaxConnections,
			Handler: func(ctx context.Context, c *transport.Conn) error {
				return server.Load().TCPHandler()(ctx, c)
			},
			Refuse: func(w io.Writer) {
				_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"too many connections"}}`+"\n")
			},
		})
		if err != nil {
			return nil, err
		}
		m.addr, m.tcp = l.Addr().String(), l
		parts = append(parts, app.Part{Name: "tcp", Tree: supervisor.Spec{Children: []supervisor.ChildSpec{l.ChildSpec("listener")}}})
	}
	a, err := app.New(node, app.Spec{Name: "orchard-mcp", Parts: parts},
		app.WithLogger(cfg.Logger), app.WithShutdownTimeout(stopBudget),
		app.WithSignals(make(chan os.Signal))) // Ctrl-C arrives through ctx
	if err != nil {
		return nil, err
	}
	if err := a.Start(ctx); err != nil {
		return nil, err
	}
	m.app = a
	return m, nil
}

// serveMCP runs `orchard mcp` until ctx is done (or, for stdio, the
// client closes its end), then stops the application.
func serveMCP(ctx context.Context, cfg mcpConfig, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	node, err := process.NewNode(process.Config{Logger: discard})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, stopNode(node)) }()
	m, err := startMCP(ctx, node, cfg)
	if err != nil {
		return err
	}
	if !cfg.Stdio {
		kind := "Streamable HTTP"
		if cfg.TCP != "" {
			kind = "newline-delimited JSON-RPC over TCP"
		}
		fmt.Fprintf(stderr, "orchard mcp: serving %s at %s (Ctrl-C stops)\n", kind, m.addr)
		return m.app.Run(ctx)
	}
	sess, err := m.server.Serve(ctx, &sdk.IOTransport{Reader: io.NopCloser(stdin), Writer: nopWriteCloser{stdout}})
	if err != nil {
		sctx, cancel := context.WithTimeout(context.Background(), stopBudget)
		defer cancel()
		return errors.Join(err, m.app.Stop(sctx))
	}
	select {
	case <-sess.Done():
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), stopBudget)
	defer cancel()
	return m.app.Stop(sctx)
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
