package telemetry

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// HandlerFailure is the event emitted when a handler panics. Its metadata
// holds "handler_id", "event", "reason" (an error) and "stack" (a string).
const HandlerFailure = "telemetry.handler.failure"

// Measurements are an event's numeric values, by name ("count", "duration"
// in seconds, "queue_length", ...).
type Measurements map[string]float64

// Metadata describes an event's context (a PID, a supervisor, a reason...).
type Metadata map[string]any

// Handler receives an event. It runs synchronously in the emitter's
// goroutine, must not block, and must not modify m or md (they may be
// shared with other handlers and events).
type Handler func(event string, m Measurements, md Metadata)

// Errors returned by [Registry.Attach] and [Registry.Detach].
var (
	// ErrAlreadyAttached: a handler with this id is attached.
	ErrAlreadyAttached = errors.New("telemetry: handler id already attached")
	// ErrNotAttached: no handler with this id is attached.
	ErrNotAttached = errors.New("telemetry: handler id not attached")
	// ErrInvalidHandler: an empty id, no event names, an empty event name
	// or a nil function.
	ErrInvalidHandler = errors.New("telemetry: invalid handler")
)

// HandlerInfo describes an attached handler.
type HandlerInfo struct {
	ID     string
	Events []string
}

// Registry holds attached handlers. The zero value is not usable; use [New].
type Registry struct {
	mu     sync.Mutex // serialises Attach and Detach
	table  atomic.Pointer[table]
	logger *slog.Logger
}

// table is an immutable snapshot: Execute reads it without locking.
type table struct {
	byEvent map[string][]*entry
	byID    map[string]*entry
	order   []*entry
}

type entry struct {
	id     string
	events []string
	fn     Handler
}

// Option configures a [Registry].
type Option interface{ apply(*Registry) }

type optionFunc func(*Registry)

func (f optionFunc) apply(r *Registry) { f(r) }

// WithLogger sets the logger that reports failing handlers (default:
// slog.Default() at the time of the report).
func WithLogger(l *slog.Logger) Option { return optionFunc(func(r *Registry) { r.logger = l }) }

// New returns an empty registry.
func New(opts ...Option) *Registry {
	r := &Registry{}
	for _, o := range opts {
		o.apply(r)
	}
	r.table.Store(&table{byEvent: map[string][]*entry{}, byID: map[string]*entry{}})
	return r
}

var defaultRegistry = New()

// Default returns the process-wide registry the package-level functions use.
func Default() *Registry { return defaultRegistry }

// Attach attaches fn under id to every event in events.
func (r *Registry) Attach(id string, events []string, fn Handler) error {
	if id == "" || len(events) == 0 || fn == nil || slices.Contains(events, "") {
		return fmt.Errorf("%w: id %q, %d events, nil function %t", ErrInvalidHandler, id, len(events), fn == nil)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.table.Load()
	if _, ok := old.byID[id]; ok {
		return fmt.Errorf("%w: %q", ErrAlreadyAttached, id)
	}
	e := &entry{id: id, events: slices.Clone(events), fn: fn}
	r.table.Store(old.with(e))
	return nil
}

// Detach removes the handler attached under id.
func (r *Registry) Detach(id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.table.Load()
	if _, ok := old.byID[id]; !ok {
		return fmt.Errorf("%w: %q", ErrNotAttached, id)
	}
	r.table.Store(old.without(id))
	return nil
}

// Handlers lists the attached handlers in attach order.
func (r *Registry) Handlers() []HandlerInfo {
	t := r.table.Load()
	out := make([]HandlerInfo, 0, len(t.order))
	for _, e := range t.order {
		out = append(out, HandlerInfo{ID: e.id, Events: slices.Clone(e.events)})
	}
	return out
}

// Enabled reports whether any handler is attached to event.
func (r *Registry) Enabled(event string) bool {
	return len(r.table.Load().byEvent[event]) > 0
}

// Execute runs every handler attached to event. A handler that panics is
// detached and reported; the others still run.
func (r *Registry) Execute(event string, m Measurements, md Metadata) {
	for _, e := range r.table.Load().byEvent[event] {
		r.run(e, event, m, md)
	}
}

func (r *Registry) run(e *entry, event string, m Measurements, md Metadata) {
	defer func() {
		if v := recover(); v != nil {
			r.fail(e, event, v, string(debug.Stack()))
		}
	}()
	e.fn(event, m, md)
}

// fail detaches a panicking handler and reports it.
func (r *Registry) fail(e *entry, event string, v any, stack string) {
	if err := r.Detach(e.id); err != nil {
		return // already detached by a concurrent failure
	}
	reason, ok := v.(error)
	if !ok {
		reason = fmt.Errorf("panic: %v", v)
	}
	logger := r.logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.Error("telemetry handler failed and was detached",
		"handler_id", e.id, "event", event, "reason", reason)
	if event == HandlerFailure {
		return // a failing failure handler must not loop
	}
	r.Execute(HandlerFailure, Measurements{"count": 1}, Metadata{
		"handler_id": e.id, "event": event, "reason": reason, "stack": stack,
	})
}

// Span emits prefix+".start", runs fn, then emits prefix+".stop" with a
// "duration" measurement in seconds, merging the metadata fn returns. If fn
// returns an error, prefix+".exception" is emitted instead of stop, with
// "kind" "error" and "reason"; if fn panics, with "kind" "panic", and the
// panic goes on; if fn ends its goroutine (runtime.Goexit, t.FailNow),
// with "kind" "exit", and the goroutine goes on ending. Span returns fn's
// error.
func (r *Registry) Span(prefix string, md Metadata, fn func() (Metadata, error)) (err error) {
	start := time.Now()
	r.Execute(prefix+".start", Measurements{"system_time": float64(start.UnixNano())}, md)
	panicked := true
	defer func() {
		if !panicked {
			return
		}
		v := recover()
		if v == nil { // runtime.Goexit: nothing to re-panic
			r.Execute(prefix+".exception", Measurements{"duration": time.Since(start).Seconds()},
				merge(md, Metadata{"kind": "exit", "reason": errGoexit}))
			return
		}
		r.Execute(prefix+".exception", Measurements{"duration": time.Since(start).Seconds()},
			merge(md, Metadata{"kind": "panic", "reason": fmt.Errorf("panic: %v", v)}))
		panic(v)
	}()
	stopMD, err := fn()
	panicked = false
	m := Measurements{"duration": time.Since(start).Seconds()}
	if err != nil {
		r.Execute(prefix+".exception", m, merge(md, Metadata{"kind": "error", "reason": err}))
		return err
	}
	r.Execute(prefix+".stop", m, merge(md, stopMD))
	return nil
}

// errGoexit is the reason of a span whose function called runtime.Goexit.
var errGoexit = errors.New("telemetry: span function exited its goroutine")

func merge(a, b Metadata) Metadata {
	if len(b) == 0 {
		return a
	}
	out := make(Metadata, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func (t *table) with(e *entry) *table {
	n := &table{byEvent: make(map[string][]*entry, len(t.byEvent)+len(e.events)), byID: make(map[string]*entry, len(t.byID)+1)}
	for k, v := range t.byEvent {
		n.byEvent[k] = v
	}
	for k, v := range t.byID {
		n.byID[k] = v
	}
	for _, ev := range e.events {
		if !slices.Contains(n.byEvent[ev], e) {
			n.byEvent[ev] = append(slices.Clip(n.byEvent[ev]), e)
		}
	}
	n.byID[e.id] = e
	n.order = append(slices.Clip(t.order), e)
	return n
}

func (t *table) without(id string) *table {
	n := &table{byEvent: make(map[string][]*entry, len(t.byEvent)), byID: make(map[string]*entry, len(t.byID))}
	for _, e := range t.order {
		if e.id != id {
			n.byID[e.id] = e
			n.order = append(n.order, e)
		}
	}
	for _, e := range n.order {
		for _, ev := range e.events {
			if !slices.Contains(n.byEvent[ev], e) {
				n.byEvent[ev] = append(n.byEvent[ev], e)
			}
		}
	}
	return n
}

// Attach attaches fn to the [Default] registry.
func Attach(id string, events []string, fn Handler) error {
	return defaultRegistry.Attach(id, events, fn)
}

// Detach detaches id from the [Default] registry.
func Detach(id string) error { return defaultRegistry.Detach(id) }

// Execute emits an event on the [Default] registry.
func Execute(event string, m Measurements, md Metadata) { defaultRegistry.Execute(event, m, md) }

// Enabled reports whether the [Default] registry has a handler for event.
func Enabled(event string) bool { return defaultRegistry.Enabled(event) }

// Span runs fn inside a span on the [Default] registry.
func Span(prefix string, md Metadata, fn func() (Metadata, error)) error {
	return defaultRegistry.Span(prefix, md, fn)
}
