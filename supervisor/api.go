package supervisor

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// Option configures a supervisor at start. A nil Option, or an option
// given bad input (an empty name, a nil hook or logger), makes the start
// fail with an error matching [ErrInvalidArgument].
type Option interface{ apply(*options) error }

type options struct {
	name    string
	hook    func(Event)
	logger  *slog.Logger
	backoff *Backoff // WithBackoff; nil: restarts at once (OTP)
}

type optionFunc func(*options) error

func (f optionFunc) apply(o *options) error { return f(o) }

// WithName registers the supervisor under a local name.
func WithName(name string) Option {
	return optionFunc(func(o *options) error {
		if name == "" {
			return argerr.Empty("supervisor: WithName", "name")
		}
		o.name = name
		return nil
	})
}

// WithEventHook adds a function that receives every [Event], synchronously
// in the supervisor's process; it must not block. Hooks of several
// WithEventHook options (say, bridge.SupervisorEvents and the
// application's own) all run, in the order of the options.
func WithEventHook(hook func(Event)) Option {
	return optionFunc(func(o *options) error {
		switch prev := o.hook; {
		case hook == nil:
			return argerr.Nil("supervisor: WithEventHook", "hook")
		case prev == nil:
			o.hook = hook
		default:
			o.hook = func(e Event) { prev(e); hook(e) }
		}
		return nil
	})
}

// WithLogger sets where OTP-style supervisor reports go (default: the
// node's logger, process.Config.Logger, else slog.Default()). Reports use the keys supervisor, errorContext, reason
// and offender; progress reports are at debug level.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(o *options) error {
		if l == nil {
			return argerr.Nil("supervisor: WithLogger", "l")
		}
		o.logger = l
		return nil
	})
}

// applyOptions applies opts in order; op names the start function in the
// error of a nil option.
func applyOptions(op string, opts []Option) (options, error) {
	var o options
	for i, opt := range opts {
		if opt == nil {
			return o, argerr.Nil(op, "opts["+strconv.Itoa(i)+"]")
		}
		if err := opt.apply(&o); err != nil {
			return o, err
		}
	}
	return o, nil
}

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

// supCall makes the admin call req to sup, bounded by ctx or, when ctx
// has no deadline, by callTimeout. op names the admin function in a
// bad-input error.
func supCall[R any](ctx context.Context, op string, sup process.Dest, req any) (R, error) {
	if err := checkCall(ctx, op, sup); err != nil {
		var zero R
		return zero, err
	}
	if _, has := ctx.Deadline(); !has {
		return genserver.Call[R](ctx, sup, req, adminTimeout...)
	}
	return genserver.Call[R](ctx, sup, req)
}

// checkCall refuses a nil ctx and a sup that names nothing (nil, the zero
// PID, an empty name).
func checkCall(ctx context.Context, op string, sup process.Dest) error {
	if ctx == nil {
		return argerr.Nil(op, "ctx")
	}
	return checkSup(op, sup)
}

func checkSup(op string, sup process.Dest) error {
	switch d := sup.(type) {
	case nil:
		return argerr.Nil(op, "sup")
	case process.PID:
		if d.IsZero() {
			return argerr.New(op, "sup", "is the zero PID")
		}
	case process.Name:
		if d.String() == "" {
			return argerr.Empty(op, "sup")
		}
	}
	return nil
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
// is not running. A nil ctx, or a sup that names nothing, is bad input
// ([ErrInvalidArgument]), as it is for every admin function.
func StartChild(ctx context.Context, sup process.Dest, spec ChildSpec) (process.PID, error) {
	return supCall[process.PID](ctx, "supervisor: StartChild", sup, startChildReq{c: &child{spec: spec}})
}

// TerminateChild stops the child id (reverse of StartChild). The spec is
// kept, except for temporary children. A pending restart is cancelled.
// An empty id is bad input.
func TerminateChild(ctx context.Context, sup process.Dest, id string) error {
	const op = "supervisor: TerminateChild"
	if id == "" {
		return argerr.Empty(op, "id")
	}
	_, err := supCall[struct{}](ctx, op, sup, terminateChildReq{id: id})
	return err
}

// RestartChild starts the stopped child id again. Errors: ErrRunning,
// ErrRestarting, ErrNotFound, ErrSimpleOneForOne, *StartChildError. An
// empty id is bad input.
func RestartChild(ctx context.Context, sup process.Dest, id string) (process.PID, error) {
	const op = "supervisor: RestartChild"
	if id == "" {
		return process.PID{}, argerr.Empty(op, "id")
	}
	return supCall[process.PID](ctx, op, sup, restartChildReq{id: id})
}

// DeleteChild removes the stopped child id's spec. Errors: ErrRunning,
// ErrRestarting, ErrNotFound, ErrSimpleOneForOne. An empty id is bad
// input.
func DeleteChild(ctx context.Context, sup process.Dest, id string) error {
	const op = "supervisor: DeleteChild"
	if id == "" {
		return argerr.Empty(op, "id")
	}
	_, err := supCall[struct{}](ctx, op, sup, deleteChildReq{id: id})
	return err
}

// WhichChildren lists the children in OTP's order: most recently started
// first (reverse start order) for static supervisors.
func WhichChildren(ctx context.Context, sup process.Dest) ([]Child, error) {
	return supCall[[]Child](ctx, "supervisor: WhichChildren", sup, whichChildrenReq{})
}

// CountChildren counts specs, live children, supervisors and workers.
func CountChildren(ctx context.Context, sup process.Dest) (Counts, error) {
	return supCall[Counts](ctx, "supervisor: CountChildren", sup, countChildrenReq{})
}

// Stop stops the supervisor in order (children in reverse start order)
// and waits up to timeout (positive, or genserver.Infinity) for it to
// exit with reason; a nil reason means process.Normal. It returns what
// genserver.Stop returns. A sup that names nothing, or a timeout out of
// range, is bad input ([ErrInvalidArgument]).
func Stop(sup process.Dest, reason error, timeout time.Duration) error {
	if err := checkSup("supervisor: Stop", sup); err != nil {
		return err
	}
	return genserver.Stop(sup, reason, timeout)
}
