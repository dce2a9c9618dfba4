package supervisor

import (
	"context"

	"github.com/seed-fe72f376/orchard/process"
)

// DynamicSpec is a dynamic supervisor: no static children; children are
// added at run time, either from a Template with extra arguments (OTP's
// simple_one_for_one) or each with its own ChildSpec (Elixir's
// DynamicSupervisor) when Template is nil. Flags.Strategy must be
// OneForOne.
type DynamicSpec struct {
	Flags
	// MaxChildren caps the number of children, restarting ones included;
	// zero means no cap.
	MaxChildren int
	// Template, when set, is the spec of every child.
	Template *Template
}

// Template is the child spec of a simple_one_for_one supervisor. Start
// receives the extra arguments given to [StartTemplateChild].
type Template struct {
	Start       func(parent *process.Proc, args ...any) (process.PID, error)
	Restart     Restart
	Shutdown    Shutdown
	Type        ChildType
	Significant bool
}

// StartDynamic starts a dynamic supervisor with no parent.
func StartDynamic(node *process.Node, spec DynamicSpec, opts ...Option) (process.PID, error) {
	return startDynamic(node, nil, spec, opts)
}

// StartDynamicLink starts a dynamic supervisor linked to parent.
func StartDynamicLink(parent *process.Proc, spec DynamicSpec, opts ...Option) (process.PID, error) {
	if parent == nil {
		return process.PID{}, &SpecError{Field: "parent", Reason: "nil parent"}
	}
	return startDynamic(parent.Node(), parent, spec, opts)
}

// StartDynamicChild starts a child with its own spec under a dynamic
// supervisor without a template (DynamicSupervisor.start_child). The
// spec's ID is informative only. A child that returned ignore yields the
// zero PID and a nil error. Errors: ErrMaxChildren, *SpecError, the start
// function's error.
func StartDynamicChild(ctx context.Context, sup process.Dest, spec ChildSpec) (process.PID, error) {
	return supCall[process.PID](ctx, sup, startChildReq{c: &child{spec: spec}})
}

// StartTemplateChild starts a child from the template of a
// simple_one_for_one supervisor, passing args to its Start
// (supervisor:start_child(Sup, ExtraArgs)).
func StartTemplateChild(ctx context.Context, sup process.Dest, args ...any) (process.PID, error) {
	return supCall[process.PID](ctx, sup, startTemplateReq{args: args})
}

// TerminateChildPID stops the dynamic child pid. A template supervisor
// answers nil for a pid that is already dead (OTP); a per-spec one
// ErrNotFound (Elixir).
func TerminateChildPID(ctx context.Context, sup process.Dest, pid process.PID) error {
	_, err := supCall[struct{}](ctx, sup, terminatePIDReq{pid: pid})
	return err
}
