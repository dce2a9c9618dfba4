package mcp

import (
	"context"
	"errors"
	"net/http"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/task"
	"github.com/seed-fe72f376/orchard/transport"
)

// Session is a live session owned by a process.
type Session struct {
	// PID is the session's process: killing it closes the session.
	PID  process.PID
	done chan struct{}
	err  error
}

// Done returns a channel closed when the session has ended.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err returns why the session ended (nil for a clean close) once Done is
// closed.
func (s *Session) Err() error { <-s.done; return s.err }

// connect asks the session process to connect a transport; adopt asks it
// to own a session the SDK already made (stateful HTTP).
type connect struct {
	t   sdk.Transport
	out *Session
}

type adopt struct {
	ss     *sdk.ServerSession
	remote string
}

// startSession is the sessions supervisor's template.
func (s *Server) startSession(parent *process.Proc, args ...any) (process.PID, error) {
	if len(args) != 1 {
		return process.PID{}, argerr.New("mcp: start session", "args", "want one")
	}
	switch a := args[0].(type) {
	case connect:
		return parent.Spawn(func(p *process.Proc) error { return s.runConnect(p, a) },
			process.Linked(), asMCPSession)
	case adopt:
		return parent.Spawn(func(p *process.Proc) error {
			defer s.live.track(a.ss, SessionInfo{ID: a.ss.ID(), Transport: "http", Remote: a.remote, PID: p.PID()})()
			return own(p, a.ss)
		},
			process.Linked(), asMCPSession)
	}
	return process.PID{}, argerr.New("mcp: start session", "args", "want a transport or a session")
}

func (s *Server) runConnect(p *process.Proc, c connect) (err error) {
	defer func() {
		c.out.err = err
		close(c.out.done)
	}()
	ss, err := s.sdk.Connect(p.Context(), c.t, nil)
	if err != nil {
		return err
	}
	defer s.live.track(ss, SessionInfo{Transport: "stream", PID: p.PID()})()
	return own(p, ss)
}

// own holds a session for the life of the process: the process's death
// closes the session, and the session's end ends the process.
func own(p *process.Proc, ss *sdk.ServerSession) error {
	defer context.AfterFunc(p.Context(), func() { _ = ss.Close() })()
	err := ss.Wait()
	if err == nil || errors.Is(err, sdk.ErrConnectionClosed) || p.Context().Err() != nil {
		return nil
	}
	return err
}

// Serve runs one session on t (such as &sdk.StdioTransport{}) under the
// sessions supervisor and returns at once; the session's process owns it.
func (s *Server) Serve(ctx context.Context, t sdk.Transport) (*Session, error) {
	const op = "mcp: Serve"
	switch {
	case s == nil:
		return nil, argerr.Nil(op, "s")
	case ctx == nil:
		return nil, argerr.Nil(op, "ctx")
	case t == nil:
		return nil, argerr.Nil(op, "t")
	case s.stopped.Load():
		return nil, ErrStopped
	}
	out := &Session{done: make(chan struct{})}
	pid, err := supervisor.StartTemplateChild(ctx, s.SessionsSupervisor(), connect{t: t, out: out})
	if err != nil {
		return nil, err
	}
	out.PID = pid
	return out, nil
}

// ownSessions is a receiving middleware: when a session initializes and no
// process owns it yet (stateful Streamable HTTP, where the SDK makes the
// session), a session process is started to own it.
func (s *Server) ownSessions(next sdk.MethodHandler) sdk.MethodHandler {
	return func(ctx context.Context, method string, req sdk.Request) (sdk.Result, error) {
		res, err := next(ctx, method, req)
		if method != "initialize" || err != nil {
			return res, err
		}
		ss, ok := req.GetSession().(*sdk.ServerSession)
		if !ok || ss == nil || ss.ID() == "" {
			return res, err
		}
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, serr := supervisor.StartTemplateChild(sctx, s.SessionsSupervisor(), adopt{ss: ss, remote: remoteOf(ctx)}); serr != nil {
			_ = ss.Close()
			return nil, serr
		}
		return res, err
	}
}

// TCPHandler returns the [transport.Handler] that serves one MCP session
// per connection, newline-delimited JSON-RPC, in the connection's process.
func (s *Server) TCPHandler() transport.Handler {
	return func(ctx context.Context, c *transport.Conn) error {
		ss, err := s.sdk.Connect(ctx, &frameTransport{c: c}, nil)
		if err != nil {
			return err
		}
		info := SessionInfo{Transport: "tcp", Remote: c.RemoteAddr().String()}
		if p, ok := process.FromContext(ctx); ok {
			info.PID = p.PID()
		}
		defer s.live.track(ss, info)()
		defer context.AfterFunc(ctx, func() { _ = ss.Close() })()
		err = ss.Wait()
		if errors.Is(err, sdk.ErrConnectionClosed) {
			return nil
		}
		return err
	}
}

// HTTPHandler returns the Streamable HTTP handler. Stateful (stateless
// false): each session is owned by a session process from its initialize
// on. Stateless: each request runs in a task of its own under the task
// supervisor, and the handler waits for it.
func (s *Server) HTTPHandler(stateless bool) http.Handler {
	h := sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return s.sdk },
		&sdk.StreamableHTTPOptions{Stateless: stateless, PropagateRequestCancellation: true})
	if !stateless {
		return withRemote(h)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tasks := s.tasks.Load()
		if tasks == nil {
			http.Error(w, "mcp: server not running", http.StatusServiceUnavailable)
			return
		}
		done := make(chan struct{})
		_, err := task.Start(tasks, func(ctx context.Context) error {
			defer close(done)
			rctx, cancel := context.WithCancel(r.Context())
			defer cancel()
			// A stateless request is its call's whole life: the client
			// going away cancels its calls (see toolHandler).
			rctx = context.WithValue(rctx, requestKey{}, rctx)
			defer context.AfterFunc(ctx, cancel)()
			h.ServeHTTP(w, r.WithContext(rctx))
			return nil
		})
		if err != nil {
			http.Error(w, "mcp: cannot start the request: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		// The task ends with the request: the SDK returns once the
		// request's context is done.
		<-done
	})
}

// requestKey carries a stateless HTTP request's context to its calls.
type requestKey struct{}

// The behaviour labels of the processes spawned here, made once: an
// option made at every spawn would allocate its label every time.
var (
	asMCPSession = rt.Behaviour("mcp.session")
)
