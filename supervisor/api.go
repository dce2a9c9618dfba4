package supervisor

import (
	"context"
	"log/slog"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

// Option configures a supervisor at start.
type Option interface{ apply(*options) }

type options struct {
	name   string
	hook   func(Event)
	logger *slog.Logger
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithName registers the supervisor under a local name.
func WithName(name string) Option { return optionFunc(func(o *options) { o.name = name }) }

// WithEventHook adds a function that receives every [Event], synchronously
// in the supervisor's process; it must not block. Hooks of several
// WithEventHook options (say, telemetry.SupervisorEvents and the
// application's own) all run, in the order of the options. A nil hook is
// ignored.
func WithEventHook(hook func(Event)) Option {
	return optionFunc(func(o *options) {
		switch prev := o.hook; {
		case hook == nil:
		case prev == nil:
			o.hook = hook
		default:
			o.hook = func(e Event) { prev(e); hook(e) }
		}
	})
}

// WithLogger sets where OTP-style supervisor reports go (default
// slog.Default()). Reports use the keys supervisor, errorContext, reason
// and offender; progress reports are at debug level.
func WithLogger(l *slog.Logger) Option { return optionFunc(func(o *options) { o.logger = l }) }

// ChildStatus is a child's state in [WhichChildren].
type ChildStatus int

const (
	// Running: the child has a live process.
	Running ChildStatus = iota
	// Stopped: the spec is kept but no process runs (OTP's undefined).
	Stopped
	// Restarting: a restart failed and a retry is queued.
	Restarting
)

// String returns OTP's rendering: pid, undefined or restarting.
func (s ChildStatus) String() string {
	switch s {
	case Running:
		return "pid"
	case Restarting:
		return "restarting"
	}
	return "undefined"
}

// Child is one row of [WhichChildren].
type Child struct {
	ID     string // empty for dynamic children
	PID    process.PID
	Status ChildStatus
	Type   ChildType
}

// Counts is the result of [CountChildren].
type Counts struct {
	Specs, Active, Supervisors, Workers int
}

// callTimeout bounds admin calls whose ctx has no deadline. Child starts
// and shutdowns can take long (OTP uses infinity); ours is bounded.
const callTimeout = time.Minute

func supCall[R any](ctx context.Context, sup process.Dest, req any) (R, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if _, has := ctx.Deadline(); !has {
		return genserver.Call[R](ctx, sup, req, adminTimeout...)
	}
	return genserver.Call[R](ctx, sup, req)
}

// adminTimeout is built once: an option per call would allocate.
var adminTimeout = []genserver.CallOption{genserver.WithTimeout(callTimeout)}

// startChildReq carries the new child's record, made by the caller: a
// struct of one pointer goes into the request's interface without a
// second allocation, and the supervisor owns the record from then on.
type startChildReq struct {
	c *child
}
type startTemplateReq struct{ args []any }
type terminateChildReq struct{ id string }
type terminatePIDReq struct{ pid process.PID }
type restartChildReq struct{ id string }
type deleteChildReq struct{ id string }
type whichChildrenReq struct{}
type countChildrenReq struct{}

// StartChild adds spec to the static supervisor sup and starts it. A child
// whose start returned ignore yields the zero PID and a nil error (OTP's
// {ok, undefined}). Errors: *SpecError, *AlreadyStartedError,
// ErrAlreadyPresent, *StartChildError, or a genserver.CallError when sup
// is not running.
func StartChild(ctx context.Context, sup process.Dest, spec ChildSpec) (process.PID, error) {
	return supCall[process.PID](ctx, sup, startChildReq{c: &child{spec: spec}})
}

// TerminateChild stops the child id (reverse of StartChild). The spec is
// kept, except for temporary children. A pending restart is cancelled.
func TerminateChild(ctx context.Context, sup process.Dest, id string) error {
	_, err := supCall[struct{}](ctx, sup, terminateChildReq{id: id})
	return err
}

// RestartChild starts the stopped child id again. Errors: ErrRunning,
// ErrRestarting, ErrNotFound, ErrSimpleOneForOne, *StartChildError.
func RestartChild(ctx context.Context, sup process.Dest, id string) (process.PID, error) {
	return supCall[process.PID](ctx, sup, restartChildReq{id: id})
}

// DeleteChild removes the stopped child id's spec. Errors: ErrRunning,
// ErrRestarting, ErrNotFound, ErrSimpleOneForOne.
func DeleteChild(ctx context.Context, sup process.Dest, id string) error {
	_, err := supCall[struct{}](ctx, sup, deleteChildReq{id: id})
	return err
}

// WhichChildren lists the children in OTP's order: most recently started
// first (reverse start order) for static supervisors.
func WhichChildren(ctx context.Context, sup process.Dest) ([]Child, error) {
	return supCall[[]Child](ctx, sup, whichChildrenReq{})
}

// CountChildren counts specs, live children, supervisors and workers.
func CountChildren(ctx context.Context, sup process.Dest) (Counts, error) {
	return supCall[Counts](ctx, sup, countChildrenReq{})
}

// Stop stops the supervisor in order (children in reverse start order)
// and waits up to timeout for it to exit with reason.
func Stop(sup process.Dest, reason error, timeout time.Duration) error {
	return genserver.Stop(sup, reason, timeout)
}
