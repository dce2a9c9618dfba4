package supervisor

import (
	"context"

	"github.com/seed-fe72f376/orchard/internal/argerr"
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

func (d DynamicSpec) validate() error {
	if err := d.Flags.validate(); err != nil {
		return err
	}
	if d.Strategy != OneForOne {
		return &SpecError{Field: "Strategy", Reason: "a dynamic supervisor is one_for_one"}
	}
	if d.MaxChildren < 0 {
		return &SpecError{Field: "MaxChildren", Reason: "negative"}
	}
	if t := d.Template; t != nil {
		spec := ChildSpec{ID: "template", Start: func(*process.Proc) (process.PID, error) { return process.PID{}, nil },
			Restart: t.Restart, Shutdown: t.Shutdown, Type: t.Type, Significant: t.Significant}
		if t.Start == nil {
			return &SpecError{Child: "template", Field: "Start", Reason: "missing start function"}
		}
		return spec.validate(d.AutoShutdown)
	}
	return nil
}

// StartDynamic starts a dynamic supervisor with no parent. A nil node or
// option, or an invalid spec, is bad input ([ErrInvalidArgument]).
func StartDynamic(node *process.Node, spec DynamicSpec, opts ...Option) (process.PID, error) {
	if node == nil {
		return process.PID{}, argerr.Nil("supervisor: StartDynamic", "node")
	}
	return startDynamic("supervisor: StartDynamic", node, nil, spec, opts)
}

// StartDynamicLink starts a dynamic supervisor linked to parent. See
// [StartDynamic].
func StartDynamicLink(parent *process.Proc, spec DynamicSpec, opts ...Option) (process.PID, error) {
	if parent == nil {
		return process.PID{}, argerr.Nil("supervisor: StartDynamicLink", "parent")
	}
	return startDynamic("supervisor: StartDynamicLink", parent.Node(), parent, spec, opts)
}

// StartDynamicChild starts a child with its own spec under a dynamic
// supervisor without a template (DynamicSupervisor.start_child). The
// spec's ID is informative only. A child that returned ignore yields the
// zero PID and a nil error. Errors: ErrMaxChildren, *SpecError, the start
// function's error (ErrBadStartReturn for the zero PID with a nil error).
func StartDynamicChild(ctx context.Context, sup process.Dest, spec ChildSpec) (process.PID, error) {
	return supCall[process.PID](ctx, "supervisor: StartDynamicChild", sup, startChildReq{c: &child{spec: spec}})
}

// StartTemplateChild starts a child from the template of a
// simple_one_for_one supervisor, passing args to its Start
// (supervisor:start_child(Sup, ExtraArgs)).
func StartTemplateChild(ctx context.Context, sup process.Dest, args ...any) (process.PID, error) {
	return supCall[process.PID](ctx, "supervisor: StartTemplateChild", sup, startTemplateReq{args: args})
}

// TerminateChildPID stops the dynamic child pid. A template supervisor
// answers nil for a pid that is already dead (OTP); a per-spec one
// ErrNotFound (Elixir). The zero pid is bad input.
func TerminateChildPID(ctx context.Context, sup process.Dest, pid process.PID) error {
	const op = "supervisor: TerminateChildPID"
	if pid.IsZero() {
		return argerr.New(op, "pid", "is the zero PID")
	}
	_, err := supCall[struct{}](ctx, op, sup, terminatePIDReq{pid: pid})
	return err
}
