package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/task"
)

// Defaults applied to the zero fields of a [Config].
const (
	DefaultToolTimeout = 60 * time.Second
	// toolGrace is how long a call waits past its deadline for a tool that
	// ignores its context before the call's task is killed.
	toolGrace = time.Second
)

// Config describes an MCP server. Write it as a literal; zero values are
// the documented defaults.
type Config struct {
	// Name and Version identify the server to clients (zero: "orchard"
	// and "dev").
	Name, Version string
	// Tools is where the tools come from; nil offers none.
	Tools ToolSource
	// Resources are listed and read as given; the server adds its own
	// status resource, orchard://status.
	Resources []Resource
	// ResourceTemplates are resources named by a URI template (RFC 6570),
	// such as orchard://agents/{id}; see package mcp/agenttools.
	ResourceTemplates []ResourceTemplate
	// ToolTimeout bounds each call (zero: DefaultToolTimeout); a shorter
	// deadline of the request wins.
	ToolTimeout time.Duration
	// MaxSessions caps the live sessions (zero: no cap).
	MaxSessions int
	// Options, when set, are the SDK server's options (handlers for
	// completion, subscriptions, ...); the server adds the tools and
	// resources capabilities.
	Options *sdk.ServerOptions
	// Setup, when set, may add more to the SDK server before it serves
	// (the conformance fixtures use it).
	Setup func(s *sdk.Server)
	// Logger receives the server's reports (nil: slog.Default()).
	Logger *slog.Logger
}

// Server is a supervised MCP server: an SDK server whose sessions are each
// owned by a process and whose tool calls each run as a supervised task.
// Create it with [Start].
type Server struct {
	node  *process.Node
	cfg   Config
	sdk   *sdk.Server
	root  process.PID
	tasks atomic.Pointer[task.Supervisor]
	sess  atomic.Value // process.PID of the sessions supervisor
	live  sessionTable // the live sessions (sessioninfo.go)

	calls   atomic.Int64 // tool calls started
	stopped atomic.Bool

	toolsMu sync.Mutex
	listed  map[string]string // tool name -> its description and schema, as last added
}

// Start builds the SDK server from cfg and starts its tree on node:
//
//	mcp (one_for_one)
//	├── tasks     task supervisor: one task per tool call (and per
//	│             stateless HTTP request)
//	└── sessions  dynamic supervisor: one temporary process per session
//
// It lists cfg.Tools once, bounded by ctx. Bad input is an error matching
// [ErrInvalidArgument].
func Start(ctx context.Context, node *process.Node, cfg Config) (*Server, error) {
	const op = "mcp: Start"
	switch {
	case ctx == nil:
		return nil, argerr.Nil(op, "ctx")
	case node == nil:
		return nil, argerr.Nil(op, "node")
	case cfg.MaxSessions < 0:
		return nil, argerr.New(op, "cfg.MaxSessions", "negative")
	}
	if cfg.Name == "" {
		cfg.Name = "orchard"
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	if cfg.ToolTimeout <= 0 {
		cfg.ToolTimeout = DefaultToolTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{node: node, cfg: cfg}
	opts := &sdk.ServerOptions{}
	if cfg.Options != nil {
		o := *cfg.Options
		opts = &o
	}
	caps := &sdk.ServerCapabilities{}
	if opts.Capabilities != nil {
		c := *opts.Capabilities
		caps = &c
	}
	if caps.Tools == nil {
		// The tools can change (RefreshTools, agents coming and going).
		caps.Tools = &sdk.ToolCapabilities{ListChanged: true}
	}
	if caps.Resources == nil {
		caps.Resources = &sdk.ResourceCapabilities{}
	}
	opts.Capabilities = caps
	s.sdk = sdk.NewServer(&sdk.Implementation{Name: cfg.Name, Version: cfg.Version}, opts)
	s.sdk.AddReceivingMiddleware(s.ownSessions, s.relistTools)
	if err := s.addTools(ctx); err != nil {
		return nil, err
	}
	if err := s.addResources(); err != nil {
		return nil, err
	}
	if cfg.Setup != nil {
		cfg.Setup(s.sdk)
	}
	root, err := supervisor.Start(node, supervisor.Spec{
		Flags: supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 3, Period: 5 * time.Second},
		Children: []supervisor.ChildSpec{
			{ID: "tasks", Type: supervisor.SupervisorChild, Start: s.startTasks},
			{ID: "sessions", Type: supervisor.SupervisorChild, Start: s.startSessions},
		},
	})
	if err != nil {
		return nil, err
	}
	s.root = root
	return s, nil
}

// SDK returns the underlying SDK server (for tests and benchmarks that
// compare with it).
func (s *Server) SDK() *sdk.Server { return s.sdk }

// PID returns the server's root supervisor.
func (s *Server) PID() process.PID { return s.root }

// SessionsSupervisor returns the dynamic supervisor of the sessions.
func (s *Server) SessionsSupervisor() process.PID {
	pid, _ := s.sess.Load().(process.PID)
	return pid
}

// Sessions returns the number of live sessions (bounded by ctx).
func (s *Server) Sessions(ctx context.Context) (int, error) {
	if s == nil || ctx == nil {
		return 0, argerr.Nil("mcp: Sessions", "s or ctx")
	}
	c, err := supervisor.CountChildren(ctx, s.SessionsSupervisor())
	return c.Active, err
}

// Stop stops every session and running call, then the server's tree,
// waiting up to timeout. Later calls return [ErrStopped].
func (s *Server) Stop(timeout time.Duration) error {
	if s == nil {
		return argerr.Nil("mcp: Stop", "s")
	}
	if timeout <= 0 {
		return argerr.New("mcp: Stop", "timeout", "not positive")
	}
	if s.stopped.Swap(true) {
		return ErrStopped
	}
	return supervisor.Stop(s.root, process.Shutdown, timeout)
}

func (s *Server) startTasks(parent *process.Proc) (process.PID, error) {
	ts, err := task.StartSupervisorLink(parent, task.WithLogger(s.cfg.Logger))
	if err != nil {
		return process.PID{}, err
	}
	s.tasks.Store(ts)
	return ts.PID(), nil
}

func (s *Server) startSessions(parent *process.Proc) (process.PID, error) {
	pid, err := supervisor.StartDynamicLink(parent, supervisor.DynamicSpec{
		MaxChildren: s.cfg.MaxSessions,
		Template: &supervisor.Template{
			Start:    s.startSession,
			Restart:  supervisor.Temporary,
			Shutdown: supervisor.Shutdown(5 * time.Second),
		},
	})
	if err == nil {
		s.sess.Store(pid)
	}
	return pid, err
}

func (s *Server) addTools(ctx context.Context) error {
	if s.cfg.Tools == nil {
		return nil
	}
	return s.syncTools(ctx, true)
}

// RefreshTools lists the tool source again and brings the server's tools
// in line: new tools are added, changed ones replaced, gone ones removed;
// the SDK then tells live sessions (notifications/tools/list_changed).
// The server does this itself before every tools/list and before a
// tools/call of a name it does not know, so a source whose tools come and
// go (such as mcp/agenttools) needs no call; RefreshTools is for pushing a
// change to the clients at once. A tool the source now describes badly is
// logged and left out.
func (s *Server) RefreshTools(ctx context.Context) error {
	if s == nil || ctx == nil {
		return argerr.Nil("mcp: RefreshTools", "s or ctx")
	}
	if s.cfg.Tools == nil {
		return nil
	}
	return s.syncTools(ctx, false)
}

// syncTools adds, replaces and removes the SDK server's tools after a new
// listing of the source. At start (strict) a bad tool is an error; later
// it is logged and skipped.
func (s *Server) syncTools(ctx context.Context, strict bool) error {
	tools, err := s.cfg.Tools.Tools(ctx)
	if err != nil {
		return fmt.Errorf("mcp: listing tools: %w", err)
	}
	s.toolsMu.Lock()
	defer s.toolsMu.Unlock()
	seen := make(map[string]bool, len(tools))
	for _, t := range tools {
		m, err := checkTool(t)
		if err != nil {
			if strict {
				return err
			}
			s.cfg.Logger.Warn("mcp: tool left out", "tool", t.Name, "err", err)
			continue
		}
		if seen[t.Name] {
			continue // the first of a name wins
		}
		seen[t.Name] = true
		sig := t.Description + "\x00" + string(t.InputSchema)
		if old, ok := s.listed[t.Name]; ok && old == sig {
			continue
		}
		if s.listed == nil {
			s.listed = map[string]string{}
		}
		s.listed[t.Name] = sig
		s.sdk.AddTool(&sdk.Tool{Name: t.Name, Description: t.Description, InputSchema: m}, s.toolHandler(t.Name))
	}
	var gone []string
	for name := range s.listed {
		if !seen[name] {
			gone = append(gone, name)
			delete(s.listed, name)
		}
	}
	if len(gone) > 0 {
		s.sdk.RemoveTools(gone...)
	}
	return nil
}

// checkTool returns the tool's input schema as the SDK takes it.
func checkTool(t Tool) (map[string]any, error) {
	if t.Name == "" {
		return nil, argerr.Empty("mcp: Start", "Tool.Name")
	}
	schema := t.InputSchema
	if len(schema) == 0 {
		schema = json.RawMessage(`{"type":"object"}`)
	}
	var m map[string]any
	if err := json.Unmarshal(schema, &m); err != nil || m["type"] != "object" {
		return nil, argerr.New("mcp: Start", "Tool.InputSchema", fmt.Sprintf("tool %q: want a JSON object schema of type object", t.Name))
	}
	return m, nil
}

// relistTools is the receiving middleware that keeps the tools current:
// it lists the source again before a tools/list, and before a tools/call
// of a name the server does not know yet (an agent registered since).
func (s *Server) relistTools(next sdk.MethodHandler) sdk.MethodHandler {
	return func(ctx context.Context, method string, req sdk.Request) (sdk.Result, error) {
		if s.cfg.Tools == nil {
			return next(ctx, method, req)
		}
		relist := method == "tools/list"
		if method == "tools/call" {
			if p, ok := req.GetParams().(*sdk.CallToolParamsRaw); ok && p != nil {
				s.toolsMu.Lock()
				_, known := s.listed[p.Name]
				s.toolsMu.Unlock()
				relist = !known
			}
		}
		if relist {
			if err := s.syncTools(ctx, false); err != nil {
				s.cfg.Logger.Warn("mcp: listing tools again", "err", err)
			}
		}
		return next(ctx, method, req)
	}
}

func (s *Server) addResources() error {
	status := Resource{
		URI: "orchard://status", Name: "status", MIMEType: "application/json",
		Description: "The MCP server's supervision tree: live sessions, tool calls so far, processes of the node.",
		Read:        s.status,
	}
	for _, r := range append([]Resource{status}, s.cfg.Resources...) {
		if r.URI == "" || r.Read == nil {
			return argerr.New("mcp: Start", "Resource", "needs a URI and a Read function")
		}
		read := r.Read
		uri, mime := r.URI, r.MIMEType
		s.sdk.AddResource(&sdk.Resource{URI: r.URI, Name: r.Name, Description: r.Description, MIMEType: r.MIMEType},
			func(ctx context.Context, _ *sdk.ReadResourceRequest) (*sdk.ReadResourceResult, error) {
				text, err := read(ctx)
				if err != nil {
					return nil, err
				}
				return &sdk.ReadResourceResult{Contents: []*sdk.ResourceContents{{URI: uri, MIMEType: mime, Text: text}}}, nil
			})
	}
	for _, t := range s.cfg.ResourceTemplates {
		if t.URITemplate == "" || t.Read == nil {
			return argerr.New("mcp: Start", "ResourceTemplate", "needs a URI template and a Read function")
		}
		read, mime := t.Read, t.MIMEType
		if err := addTemplate(s.sdk, &sdk.ResourceTemplate{URITemplate: t.URITemplate, Name: t.Name, Description: t.Description, MIMEType: t.MIMEType},
			func(ctx context.Context, req *sdk.ReadResourceRequest) (*sdk.ReadResourceResult, error) {
				uri := req.Params.URI
				text, err := read(ctx, uri)
				if errors.Is(err, ErrUnknownResource) {
					return nil, sdk.ResourceNotFoundError(uri)
				}
				if err != nil {
					return nil, err
				}
				return &sdk.ReadResourceResult{Contents: []*sdk.ResourceContents{{URI: uri, MIMEType: mime, Text: text}}}, nil
			}); err != nil {
			return err
		}
	}
	return nil
}

// addTemplate adds a resource template to the SDK server, which panics on
// a malformed URI template: that becomes an error matching
// [ErrInvalidArgument].
func addTemplate(srv *sdk.Server, t *sdk.ResourceTemplate, h sdk.ResourceHandler) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = argerr.New("mcp: Start", "ResourceTemplate.URITemplate", fmt.Sprint(v))
		}
	}()
	srv.AddResourceTemplate(t, h)
	return nil
}

func (s *Server) status(ctx context.Context) (string, error) {
	n, err := s.Sessions(ctx)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(map[string]any{
		"server":    s.cfg.Name,
		"sessions":  n,
		"toolCalls": s.calls.Load(),
		"processes": s.node.Stats(),
	})
	return string(b), err
}

// errorResult is the result of a failed call: an error for the client to
// read, not a protocol error.
func errorResult(err error) *sdk.CallToolResult {
	r := &sdk.CallToolResult{}
	r.SetError(err)
	return r
}

var errNoTasks = errors.New("mcp: no task supervisor")
