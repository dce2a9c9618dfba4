package transport

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// HTTPServer is a net/http server run as a supervised process: the process
// serves, its death shuts the server down (gracefully, within
// ShutdownTimeout, then closes what is left), and a restart binds the same
// address again. Handlers that need a process per session or per request
// start them themselves (package mcp does).
type HTTPServer struct {
	handler         http.Handler
	shutdownTimeout time.Duration

	live connTable  // the open connections (conninfo.go)
	mu   sync.Mutex // protects ln
	ln   net.Listener
	addr net.Addr
}

// NewHTTP binds addr for handler; the server serves once started
// ([HTTPServer.Start] or [HTTPServer.ChildSpec]). A zero shutdownTimeout
// means DefaultShutdownTimeout.
func NewHTTP(addr string, handler http.Handler, shutdownTimeout time.Duration) (*HTTPServer, error) {
	const op = "transport: NewHTTP"
	switch {
	case addr == "":
		return nil, argerr.Empty(op, "addr")
	case handler == nil:
		return nil, argerr.Nil(op, "handler")
	}
	if shutdownTimeout <= 0 {
		shutdownTimeout = DefaultShutdownTimeout
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &HTTPServer{handler: handler, shutdownTimeout: shutdownTimeout, ln: ln, addr: ln.Addr()}, nil
}

// Addr returns the bound address.
func (h *HTTPServer) Addr() net.Addr {
	if h == nil {
		return nil
	}
	return h.addr
}

// Start starts the serving process on node, unlinked.
func (h *HTTPServer) Start(node *process.Node) (process.PID, error) {
	if h == nil || node == nil {
		return process.PID{}, argerr.Nil("transport: HTTPServer.Start", "h or node")
	}
	return h.spawn(node.SpawnHandler, node.Send)
}

// ChildSpec returns a spec that runs the serving process under a
// supervisor, as a permanent worker whose shutdown allows for the drain.
func (h *HTTPServer) ChildSpec(id string) supervisor.ChildSpec {
	return supervisor.ChildSpec{
		ID:       id,
		Shutdown: supervisor.Shutdown(2 * h.timeout()),
		Start: func(parent *process.Proc) (process.PID, error) {
			if h == nil || parent == nil {
				return process.PID{}, argerr.Nil("transport: HTTPServer.ChildSpec", "h")
			}
			return h.spawn(func(hd process.Handler, opts ...process.SpawnOption) (process.PID, error) {
				return parent.SpawnHandler(hd, append(opts, process.Linked())...)
			}, parent.Send)
		},
	}
}

func (h *HTTPServer) spawn(spawn func(process.Handler, ...process.SpawnOption) (process.PID, error), send func(process.PID, process.Msg) error) (process.PID, error) {
	ln, err := h.listener()
	if err != nil {
		return process.PID{}, err
	}
	o := &httpOwner{h: h, ln: ln, srv: &http.Server{Handler: h.handler, ReadHeaderTimeout: 10 * time.Second}}
	var owner atomic.Value // the serving process's PID, for the connections table
	o.srv.ConnState = h.connState(func() process.PID { pid, _ := owner.Load().(process.PID); return pid })
	o.srv.RegisterOnShutdown(h.live.closeNew)
	pid, err := spawn(o, process.TrapExits(), asTransportHTTP)
	owner.Store(pid)
	if err != nil {
		_ = ln.Close()
		return pid, err
	}
	return pid, send(pid, startConn{})
}

func (h *HTTPServer) timeout() time.Duration {
	if h == nil {
		return DefaultShutdownTimeout
	}
	return h.shutdownTimeout
}

func (h *HTTPServer) listener() (net.Listener, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ln == nil {
		ln, err := net.Listen("tcp", h.addr.String())
		if err != nil {
			return nil, err
		}
		h.ln = ln
	}
	ln := h.ln
	h.ln = nil // the serving process owns it now; a restart binds again
	return ln, nil
}

// httpOwner is the HTTP server's process: it traps exits, so that a
// shutdown from its supervisor becomes a graceful http.Server.Shutdown
// (bounded by ShutdownTimeout) before it ends; its linked child runs
// Serve; its death by any other cause closes the server at once. An idle
// owner holds no goroutine.
type httpOwner struct {
	h      *HTTPServer
	ln     net.Listener
	srv    *http.Server
	server process.PID
}

func (o *httpOwner) HandleMessage(p *process.Proc, msg process.Msg) error {
	switch m := msg.(type) {
	case startConn:
		srv := o.srv
		context.AfterFunc(p.Context(), func() { _ = srv.Close() })
		ln := o.ln
		pid, err := p.Spawn(func(*process.Proc) error {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		}, process.Linked(), asTransportHTTPServe)
		if err != nil {
			return err
		}
		o.server = pid
	case process.Exit:
		if m.From == o.server && !process.IsNormalOrShutdown(m.Reason) {
			return m.Reason // Serve failed: let the supervisor restart us
		}
		if m.From == o.server {
			return process.Normal
		}
		if !process.IsNormalOrShutdown(m.Reason) {
			return m.Reason
		}
		ctx, cancel := context.WithTimeout(p.Context(), o.h.shutdownTimeout)
		defer cancel()
		if o.srv.Shutdown(ctx) != nil {
			_ = o.srv.Close()
		}
		return m.Reason
	}
	return nil
}

// The behaviour labels of the processes spawned here, made once: an
// option made at every spawn would allocate its label every time.
var (
	asTransportHTTP      = rt.Behaviour("transport.http")
	asTransportHTTPServe = rt.Behaviour("transport.http.serve")
)
