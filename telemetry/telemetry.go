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

	"github.com/seed-fe72f376/orchard/internal/argerr"
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

// HandlerInfo describes an attached handler.
type HandlerInfo struct {
	ID     string
	Events []string
}

// Registry holds attached handlers. Create one with [New]; the zero
// Registry works as an empty one. A nil *Registry has no handlers:
// Execute and Enabled do nothing, Attach, Detach and Span return an error
// matching [ErrInvalidArgument].
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

// emptyTable is the table of a nil or zero Registry.
var emptyTable = &table{byEvent: map[string][]*entry{}, byID: map[string]*entry{}}

// load returns r's table, or emptyTable for a nil or zero Registry.
func (r *Registry) load() *table {
	if r == nil {
		return emptyTable
	}
	if t := r.table.Load(); t != nil {
		return t
	}
	return emptyTable
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

// New returns an empty registry. A nil option is skipped: New has no
// error result, and no option can make a registry unusable
// (docs/ERRORS.md §3).
func New(opts ...Option) *Registry {
	r := &Registry{}
	for _, o := range opts {
		if o != nil {
			o.apply(r)
		}
	}
	r.table.Store(&table{byEvent: map[string][]*entry{}, byID: map[string]*entry{}})
	return r
}

var defaultRegistry = New()

// Default returns the process-wide registry the package-level functions use.
func Default() *Registry { return defaultRegistry }

// Attach attaches fn under id to every event in events. An empty id, no
// events, an empty event name or a nil fn is an error matching both
// [ErrInvalidHandler] and [ErrInvalidArgument], as is a nil receiver.
func (r *Registry) Attach(id string, events []string, fn Handler) error {
	const op = "telemetry: Registry.Attach"
	switch {
	case r == nil:
		return argerr.Nil(op, "receiver")
	case id == "":
		return invalidHandler(op, "id", "is empty")
	case len(events) == 0:
		return invalidHandler(op, "events", "is empty")
	case slices.Contains(events, ""):
		return invalidHandler(op, fmt.Sprintf("events[%d]", slices.Index(events, "")), "is empty")
	case fn == nil:
		return invalidHandler(op, "fn", "is nil")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.load()
	if _, ok := old.byID[id]; ok {
		return fmt.Errorf("%w: %q", ErrAlreadyAttached, id)
	}
	e := &entry{id: id, events: slices.Clone(events), fn: fn}
	r.table.Store(old.with(e))
	return nil
}

// Detach removes the handler attached under id. A nil receiver or an
// empty id is an error matching [ErrInvalidArgument].
func (r *Registry) Detach(id string) error {
	const op = "telemetry: Registry.Detach"
	if r == nil {
		return argerr.Nil(op, "receiver")
	}
	if id == "" {
		return argerr.Empty(op, "id")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.load()
	if _, ok := old.byID[id]; !ok {
		return fmt.Errorf("%w: %q", ErrNotAttached, id)
	}
	r.table.Store(old.without(id))
	return nil
}

// Handlers lists the attached handlers in attach order.
func (r *Registry) Handlers() []HandlerInfo {
	t := r.load()
	out := make([]HandlerInfo, 0, len(t.order))
	for _, e := range t.order {
		out = append(out, HandlerInfo{ID: e.id, Events: slices.Clone(e.events)})
	}
	return out
}

// Enabled reports whether any handler is attached to event.
func (r *Registry) Enabled(event string) bool {
	return len(r.load().byEvent[event]) > 0
}

// Execute runs every handler attached to event. A handler that panics is
// detached and reported; the others still run.
func (r *Registry) Execute(event string, m Measurements, md Metadata) {
	for _, e := range r.load().byEvent[event] {
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
// error. A nil receiver, an empty prefix or a nil fn is an error matching
// [ErrInvalidArgument], and fn does not run.
//
// Span does not recover fn's panic: it observes it, reports it, and lets
// it go on in the caller's goroutine, as if fn had been called directly
// (telemetry:span/3 re-raises too). The panic is the caller's own code's,
// never Span's (docs/ERRORS.md §4).
func (r *Registry) Span(prefix string, md Metadata, fn func() (Metadata, error)) (err error) {
	const op = "telemetry: Registry.Span"
	switch {
	case r == nil:
		return argerr.Nil(op, "receiver")
	case prefix == "":
		return argerr.Empty(op, "prefix")
	case fn == nil:
		return argerr.Nil(op, "fn")
	}
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
		// Pass-through of the caller's fn's own panic, documented above;
		// not a library panic (docs/ERRORS.md §4).
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
