package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// Listener is a bound listening socket and, once started, its supervision
// tree (see the package doc). Create it with [New] or [Listen].
type Listener struct {
	cfg    Config
	nextID atomic.Uint64
	conns  atomic.Value // process.PID of the connections supervisor
	root   atomic.Value // process.PID of the listener supervisor
	live   connTable    // the live connections (conninfo.go)

	mu       sync.Mutex // protects the fields below
	ln       net.Listener
	addr     net.Addr
	drain    context.Context    // cancelled when the listener drains
	drainNow context.CancelFunc //
	started  bool
	stopped  bool
}

// New binds cfg.Addr and returns a listener that accepts nothing until it is
// started ([Listener.Start], [Listener.StartLink] or [Listener.ChildSpec]).
// Bad input is an error matching [ErrInvalidArgument]; a bind failure is
// the net error.
func New(cfg Config) (*Listener, error) {
	const op = "transport: New"
	if err := cfg.validate(op); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, err
	}
	l := &Listener{cfg: cfg.withDefaults(), ln: ln, addr: ln.Addr()}
	l.drain, l.drainNow = context.WithCancel(context.Background())
	return l, nil
}

// Listen binds cfg.Addr and starts the listener's tree on node, unlinked.
// Stop it with [Listener.Stop].
func Listen(node *process.Node, cfg Config) (*Listener, error) {
	l, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if _, err := l.Start(node); err != nil {
		_ = l.closeListener()
		return nil, err
	}
	return l, nil
}

// Addr returns the bound address (with the port picked for ":0").
func (l *Listener) Addr() net.Addr {
	if l == nil {
		return nil
	}
	return l.addr
}

// PID returns the listener's supervisor, the zero PID before it started.
func (l *Listener) PID() process.PID {
	if l == nil {
		return process.PID{}
	}
	pid, _ := l.root.Load().(process.PID)
	return pid
}

// ConnectionsSupervisor returns the dynamic supervisor of the connections,
// the zero PID before it started.
func (l *Listener) ConnectionsSupervisor() process.PID {
	if l == nil {
		return process.PID{}
	}
	pid, _ := l.conns.Load().(process.PID)
	return pid
}

// Connections returns the number of live connections (bounded by ctx).
func (l *Listener) Connections(ctx context.Context) (int, error) {
	if l == nil {
		return 0, argerr.Nil("transport: Connections", "l")
	}
	if ctx == nil {
		return 0, argerr.Nil("transport: Connections", "ctx")
	}
	pid := l.ConnectionsSupervisor()
	if pid == (process.PID{}) {
		return 0, nil
	}
	c, err := supervisor.CountChildren(ctx, pid)
	return c.Active, err
}

func (l *Listener) spec() supervisor.Spec {
	return supervisor.Spec{
		// rest_for_one: a new connections supervisor needs a new acceptor
		// (it holds its PID); an acceptor crash leaves connections alone.
		Flags: supervisor.Flags{Strategy: supervisor.RestForOne, MaxRestarts: 3, Period: 5 * time.Second},
		Children: []supervisor.ChildSpec{
			{ID: "connections", Type: supervisor.SupervisorChild, Start: l.startConns},
			{ID: "acceptor", Start: l.startAcceptor, Shutdown: supervisor.Shutdown(time.Second)},
		},
	}
}

func (l *Listener) checkStart(op string) error {
	if l == nil || l.drain == nil {
		return argerr.Nil(op, "l")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started {
		return argerr.New(op, "l", "already started")
	}
	l.started = true
	return nil
}

// Start starts the listener's tree on node, unlinked.
func (l *Listener) Start(node *process.Node) (process.PID, error) {
	if err := l.checkStart("transport: Start"); err != nil {
		return process.PID{}, err
	}
	if node == nil {
		return process.PID{}, argerr.Nil("transport: Start", "node")
	}
	pid, err := supervisor.Start(node, l.spec())
	if err == nil {
		l.root.Store(pid)
	}
	return pid, err
}

// StartLink starts the listener's tree linked to parent.
func (l *Listener) StartLink(parent *process.Proc) (process.PID, error) {
	if err := l.checkStart("transport: StartLink"); err != nil {
		return process.PID{}, err
	}
	pid, err := supervisor.StartLink(parent, l.spec())
	if err == nil {
		l.root.Store(pid)
	}
	return pid, err
}

// ChildSpec returns a spec that starts the listener's tree under a
// supervisor (or as an app part's child), as a permanent supervisor child.
func (l *Listener) ChildSpec(id string) supervisor.ChildSpec {
	return supervisor.ChildSpec{
		ID:   id,
		Type: supervisor.SupervisorChild,
		Start: func(parent *process.Proc) (process.PID, error) {
			if l == nil || l.drain == nil {
				return process.PID{}, argerr.Nil("transport: ChildSpec", "l")
			}
			pid, err := supervisor.StartLink(parent, l.spec())
			if err == nil {
				l.root.Store(pid)
			}
			return pid, err
		},
	}
}

// Stop drains and stops the listener's tree, waiting up to timeout (see the
// package doc for the order), and closes the socket. Later calls return
// [ErrStopped].
func (l *Listener) Stop(timeout time.Duration) error {
	if l == nil {
		return argerr.Nil("transport: Stop", "l")
	}
	if timeout <= 0 {
		return argerr.New("transport: Stop", "timeout", "not positive")
	}
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return ErrStopped
	}
	l.stopped = true
	l.mu.Unlock()
	var err error
	if pid := l.PID(); pid != (process.PID{}) {
		err = supervisor.Stop(pid, process.Shutdown, timeout)
	}
	l.mu.Lock()
	l.drainNow()
	l.mu.Unlock()
	if cerr := l.closeListener(); err == nil && !errors.Is(cerr, net.ErrClosed) {
		err = cerr
	}
	return err
}

func (l *Listener) closeListener() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ln == nil {
		return nil
	}
	return l.ln.Close()
}

func (l *Listener) startConns(parent *process.Proc) (process.PID, error) {
	pid, err := supervisor.StartDynamicLink(parent, supervisor.DynamicSpec{
		MaxChildren: l.cfg.MaxConnections,
		Template: &supervisor.Template{
			Start:    l.startConn,
			Restart:  supervisor.Temporary,
			Shutdown: supervisor.Shutdown(l.cfg.ShutdownTimeout),
		},
	})
	if err == nil {
		l.conns.Store(pid)
	}
	return pid, err
}

// listener returns the socket to accept on, binding the address again when
// an earlier acceptor died and closed it.
func (l *Listener) listener() (net.Listener, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped {
		return nil, ErrStopped
	}
	if l.ln == nil {
		ln, err := net.Listen("tcp", l.addr.String())
		if err != nil {
			return nil, err
		}
		l.ln = ln
	}
	return l.ln, nil
}

func (l *Listener) startAcceptor(parent *process.Proc) (process.PID, error) {
	ln, err := l.listener()
	if err != nil {
		return process.PID{}, err
	}
	l.mu.Lock()
	if l.drain.Err() != nil {
		// A new generation: the acceptor before this one drained its
		// connections when it was stopped; the next ones start afresh.
		l.drain, l.drainNow = context.WithCancel(context.Background())
	}
	l.mu.Unlock()
	return parent.Spawn(func(p *process.Proc) error { return l.accept(p, ln) },
		process.Linked(), asTransportAcceptor)
}

// accept is the acceptor's loop. Its death closes the socket; a death by
// shutdown also drains every connection (the first step of a graceful
// stop), a crash does not (the restarted acceptor binds again).
func (l *Listener) accept(p *process.Proc, ln net.Listener) error {
	stop := context.AfterFunc(p.Context(), func() {
		l.mu.Lock()
		if process.IsNormalOrShutdown(context.Cause(p.Context())) {
			l.drainNow()
		}
		if l.ln == ln {
			l.ln = nil
		}
		l.mu.Unlock()
		_ = ln.Close()
	})
	defer stop()
	conns := l.ConnectionsSupervisor()
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if p.Context().Err() != nil {
				return nil
			}
			if acceptRetryable(err) {
				// EMFILE and friends: back off rather than spin.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				if _, err := p.ReceiveTimeout(backoff); err != nil && !errors.Is(err, context.DeadlineExceeded) {
					return nil
				}
				continue
			}
			return err
		}
		backoff = 0
		l.hand(p, conns, nc)
	}
}

// acceptRetryable reports whether an Accept error is passing (out of file
// descriptors, a connection aborted before it was accepted, a timeout):
// the acceptor backs off and accepts again rather than dying, which would
// close the socket and rebind in a loop until its supervisor gives up.
func acceptRetryable(err error) bool {
	var ne net.Error
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.ENOMEM) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.ECONNRESET) ||
		(errors.As(err, &ne) && ne.Timeout())
}

// hand starts the connection's process, or refuses the connection at once.
func (l *Listener) hand(p *process.Proc, conns process.PID, nc net.Conn) {
	if l.cfg.TLS != nil {
		nc = tls.Server(nc, l.cfg.TLS)
	}
	ctx, cancel := context.WithTimeout(p.Context(), 5*time.Second)
	defer cancel()
	if _, err := supervisor.StartTemplateChild(ctx, conns, nc); err != nil {
		if errors.Is(err, supervisor.ErrMaxChildren) && l.cfg.Refuse != nil {
			_ = nc.SetWriteDeadline(time.Now().Add(refuseTimeout))
			l.cfg.Refuse(nc)
		}
		_ = nc.Close()
	}
}

// The behaviour labels of the processes spawned here, made once: an
// option made at every spawn would allocate its label every time.
var (
	asTransportAcceptor = rt.Behaviour("transport.acceptor")
)
