package nodeenv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/seed-fe72f376/orchard/internal/nodeenv/envkey"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/timeouts"
)

// ErrClosed is returned by [Open] once the node's resources were closed.
var ErrClosed = errors.New("nodeenv: the node's resources are closed")

// Resource is something a node owns besides its processes (the embedded
// NATS engine): opened on first need, closed once by [Close].
type Resource interface {
	// Close releases the resource, bounded by ctx.
	Close(ctx context.Context) error
}

// envKey is the node value key of a node's *env.
type envKey struct{}

// env is one node's environment.
type env struct {
	given   envkey.Values // the node's options; nil fields: package defaults
	handles sync.Map      // timeout key -> *timeouts.Handle, see TimeoutHandle

	mu     sync.Mutex // protects the fields below
	res    map[any]*slot
	order  []any // keys of res in the order they were opened
	closed bool
}

// slot is one resource being opened or open: ready is closed once r or
// err is set.
type slot struct {
	ready chan struct{}
	r     Resource
	err   error
}

// of returns n's environment. It is the only place that reads the node's
// values (rt.Value, the runtime's internal bridge). The lookup comes
// first without an init function: a closure over n escapes, so building
// it on every read would allocate.
func of(n *process.Node) *env {
	if e, ok := rt.Value(n, envKey{}, nil).(*env); ok {
		return e
	}
	return rt.Value(n, envKey{}, func() any {
		e := &env{res: make(map[any]*slot)}
		if v, ok := rt.Value(n, envkey.Key{}, nil).(*envkey.Values); ok && v != nil {
			e.given = *v
		}
		// Node.Stop closes what an application did not (see envkey).
		rt.Value(n, envkey.CloseKey{}, func() any { return envkey.CloseFunc(closeOnStop(n)) })
		return e
	}).(*env)
}

// closeOnStop is the node's envkey.CloseFunc: it closes the resources
// and logs a failure on the node's logger (Node.Stop has no other way to
// report it).
func closeOnStop(n *process.Node) func(context.Context) {
	return func(ctx context.Context) {
		if err := Close(ctx, n); err != nil {
			Logger(n).LogAttrs(ctx, slog.LevelError, "node stop: closing the node's resources failed",
				slog.String("reason", err.Error()))
		}
	}
}

// Timeouts returns the timeout configuration of code running on n: the
// node's process.Config.Timeouts, else timeouts.Default() (also for a nil
// n, code outside any node). The result never changes for a node, so
// callers may cache it (or a Handle of it) per node.
func Timeouts(n *process.Node) *timeouts.Config {
	if n != nil {
		if c := of(n).given.Timeouts; c != nil {
			return c
		}
	}
	return timeouts.Default()
}

// outside is the environment of code outside any node: package defaults.
var outside = &env{}

// TimeoutHandle returns a handle on key in [Timeouts](n), made once per
// node and key: a per-operation read costs a sync.Map load and the
// handle's atomic loads, no resolution while the configuration is
// unchanged. For a nil n it is a handle on timeouts.Default().
func TimeoutHandle(n *process.Node, key string) *timeouts.Handle {
	e := outside
	if n != nil {
		e = of(n)
	}
	if h, ok := e.handles.Load(key); ok {
		return h.(*timeouts.Handle)
	}
	h, _ := e.handles.LoadOrStore(key, Timeouts(n).Handle(key))
	return h.(*timeouts.Handle)
}

// Logger returns the logger of code running on n: the node's
// process.Config.Logger, else slog.Default() as it is now (also for a nil
// n). Callers that keep the result keep the default of that moment.
func Logger(n *process.Node) *slog.Logger {
	if n != nil {
		if l := of(n).given.Logger; l != nil {
			return l
		}
	}
	return slog.Default()
}

// Telemetry returns the telemetry registry of code running on n: the
// node's process.Config.Telemetry, else telemetry.Default() (also for a nil
// n). The package default is only a convenience for code outside any
// node and for nodes given no registry; library code that has a node
// publishes on this registry, never on telemetry.Default() directly. The
// result never changes for a node, so callers may keep it.
func Telemetry(n *process.Node) *telemetry.Registry {
	if n != nil {
		if r := of(n).given.Telemetry; r != nil {
			return r
		}
	}
	return telemetry.Default()
}

// Open returns n's resource under key, opening it with open on first
// need; concurrent callers for one key wait for that one open, and a
// failed open is forgotten so that a later call tries again. Resources
// are closed by [Close], in the reverse of the order they were opened.
// After Close, or for a nil n, Open fails (with [ErrClosed] after
// Close).
func Open(n *process.Node, key any, open func() (Resource, error)) (Resource, error) {
	if n == nil {
		return nil, errors.New("nodeenv: nil node")
	}
	e := of(n)
	for {
		e.mu.Lock()
		if e.closed {
			e.mu.Unlock()
			return nil, ErrClosed
		}
		if s, ok := e.res[key]; ok {
			e.mu.Unlock()
			<-s.ready
			if s.err == nil {
				return s.r, nil
			}
			continue // that open failed and was forgotten: try again
		}
		if n.Stopped() {
			// Nothing new opens on a node that is stopping; what is open
			// stays usable (a Terminate may still write to it) until
			// Node.Stop closes it.
			e.mu.Unlock()
			return nil, process.ErrNodeStopped
		}
		s := &slot{ready: make(chan struct{})}
		e.res[key] = s
		e.mu.Unlock()
		s.r, s.err = open()
		e.mu.Lock()
		if s.err != nil {
			delete(e.res, key)
		} else {
			e.order = append(e.order, key)
		}
		e.mu.Unlock()
		close(s.ready)
		return s.r, s.err
	}
}

// Lookup returns n's open resource under key, if any, without opening
// it.
func Lookup(n *process.Node, key any) (Resource, bool) {
	if n == nil {
		return nil, false
	}
	e := of(n)
	e.mu.Lock()
	s, ok := e.res[key]
	e.mu.Unlock()
	if !ok {
		return nil, false
	}
	<-s.ready
	return s.r, s.err == nil
}

// Close closes n's resources in the reverse of the order they were
// opened, each bounded by ctx, and makes later [Open] calls fail with
// [ErrClosed]. It waits for opens under way. Every resource is closed
// even when one fails; the errors are joined. Later calls return nil.
func Close(ctx context.Context, n *process.Node) error {
	if n == nil {
		return nil
	}
	e := of(n)
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	pending := make([]*slot, 0, len(e.res))
	for _, s := range e.res {
		pending = append(pending, s)
	}
	e.mu.Unlock()
	for _, s := range pending {
		<-s.ready // an open under way finishes and is listed in order
	}
	e.mu.Lock()
	order := e.order
	e.mu.Unlock()
	var errs []error
	for i := len(order) - 1; i >= 0; i-- {
		s := e.res[order[i]]
		if err := s.r.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("nodeenv: close %T: %w", order[i], err))
		}
	}
	return errors.Join(errs...)
}
