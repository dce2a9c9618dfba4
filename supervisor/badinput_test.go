package supervisor_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// TestBadInput walks the exported API with nil, zero, empty and invalid
// inputs: each call returns an error matching ErrInvalidArgument (a
// *SpecError for a spec, which matches it too), never panics, and starts
// nothing (docs/ERRORS.md).
func TestBadInput(t *testing.T) {
	k := newKit(t)
	ctx := context.Background()
	sup := k.start(supervisor.Spec{Children: k.specs("a")})
	dyn, err := supervisor.StartDynamic(k.node, supervisor.DynamicSpec{}, k.opts()...)
	if err != nil {
		t.Fatal(err)
	}
	st, err := supervisor.NewTemporaryStarter(ctx, k.node, dyn, supervisor.TemporarySpec{ID: "t"})
	if err != nil {
		t.Fatal(err)
	}
	probe := otptest.NewProbe(t, k.node)
	var nilCtx context.Context
	noStart := supervisor.ChildSpec{ID: "x"}
	worker := k.spec("w", supervisor.Temporary)
	pidOnly := func(_ process.PID, err error) error { return err }
	startLink := func(fn func(p *process.Proc) error) error {
		var err error
		probe.Do(func(p *process.Proc) { err = fn(p) })
		return err
	}
	spec := func(c supervisor.ChildSpec) supervisor.Spec {
		return supervisor.Spec{Children: []supervisor.ChildSpec{c}}
	}

	tests := []struct {
		name string
		call func() error
		spec bool // the error is a *SpecError
	}{
		{"Start nil node", func() error { return pidOnly(supervisor.Start(nil, supervisor.Spec{})) }, false},
		{"Start empty id", func() error {
			return pidOnly(supervisor.Start(k.node, spec(supervisor.ChildSpec{Start: worker.Start})))
		}, true},
		{"Start nil start", func() error { return pidOnly(supervisor.Start(k.node, spec(noStart))) }, true},
		{"Start GenServer empty id", func() error {
			return pidOnly(supervisor.Start(k.node, spec(supervisor.GenServer("", counter{}))))
		}, true},
		{"Start MaxRestarts below NoRestarts", func() error {
			return pidOnly(supervisor.Start(k.node, supervisor.Spec{Flags: supervisor.Flags{MaxRestarts: -2}}))
		}, true},
		{"Start nil option", func() error { return pidOnly(supervisor.Start(k.node, supervisor.Spec{}, nil)) }, false},
		{"Start bad child Backoff", func() error {
			c := k.spec("b", supervisor.Temporary)
			c.Backoff = &supervisor.Backoff{Initial: time.Second, Jitter: 2}
			return pidOnly(supervisor.Start(k.node, spec(c)))
		}, true},
		{"WithBackoff negative Initial", func() error {
			return pidOnly(supervisor.Start(k.node, supervisor.Spec{}, supervisor.WithBackoff(supervisor.Backoff{Initial: -1})))
		}, false},
		{"WithBackoff Max below Initial", func() error {
			return pidOnly(supervisor.Start(k.node, supervisor.Spec{}, supervisor.WithBackoff(supervisor.Backoff{Initial: time.Second, Max: time.Millisecond})))
		}, false},
		{"WithName empty", func() error { return pidOnly(supervisor.Start(k.node, supervisor.Spec{}, supervisor.WithName(""))) }, false},
		{"WithEventHook nil", func() error {
			return pidOnly(supervisor.Start(k.node, supervisor.Spec{}, supervisor.WithEventHook(nil)))
		}, false},
		{"WithLogger nil", func() error { return pidOnly(supervisor.Start(k.node, supervisor.Spec{}, supervisor.WithLogger(nil))) }, false},
		{"StartLink nil parent", func() error { return pidOnly(supervisor.StartLink(nil, supervisor.Spec{})) }, false},
		{"StartLink nil start", func() error {
			return startLink(func(p *process.Proc) error { return pidOnly(supervisor.StartLink(p, spec(noStart))) })
		}, true},
		{"StartDynamic nil node", func() error { return pidOnly(supervisor.StartDynamic(nil, supervisor.DynamicSpec{})) }, false},
		{"StartDynamic negative MaxChildren", func() error {
			return pidOnly(supervisor.StartDynamic(k.node, supervisor.DynamicSpec{MaxChildren: -1}))
		}, true},
		{"StartDynamic nil option", func() error { return pidOnly(supervisor.StartDynamic(k.node, supervisor.DynamicSpec{}, nil)) }, false},
		{"StartDynamicLink nil parent", func() error { return pidOnly(supervisor.StartDynamicLink(nil, supervisor.DynamicSpec{})) }, false},
		{"StartDynamicLink template without start", func() error {
			return startLink(func(p *process.Proc) error {
				return pidOnly(supervisor.StartDynamicLink(p, supervisor.DynamicSpec{Template: &supervisor.Template{}}))
			})
		}, true},
		{"StartChild nil ctx", func() error { return pidOnly(supervisor.StartChild(nilCtx, sup, worker)) }, false},
		{"StartChild nil sup", func() error { return pidOnly(supervisor.StartChild(ctx, nil, worker)) }, false},
		{"StartChild zero sup", func() error { return pidOnly(supervisor.StartChild(ctx, process.PID{}, worker)) }, false},
		{"StartChild empty name", func() error { return pidOnly(supervisor.StartChild(ctx, k.node.Name(""), worker)) }, false},
		{"StartChild nil start", func() error { return pidOnly(supervisor.StartChild(ctx, sup, noStart)) }, true},
		{"StartChild empty id", func() error {
			return pidOnly(supervisor.StartChild(ctx, sup, supervisor.ChildSpec{Start: worker.Start}))
		}, true},
		{"TerminateChild empty id", func() error { return supervisor.TerminateChild(ctx, sup, "") }, false},
		{"TerminateChild nil ctx", func() error { return supervisor.TerminateChild(nilCtx, sup, "a") }, false},
		{"RestartChild empty id", func() error { return pidOnly(supervisor.RestartChild(ctx, sup, "")) }, false},
		{"RestartChild zero sup", func() error { return pidOnly(supervisor.RestartChild(ctx, process.PID{}, "a")) }, false},
		{"DeleteChild empty id", func() error { return supervisor.DeleteChild(ctx, sup, "") }, false},
		{"DeleteChild nil sup", func() error { return supervisor.DeleteChild(ctx, nil, "a") }, false},
		{"WhichChildren nil ctx", func() error { _, err := supervisor.WhichChildren(nilCtx, sup); return err }, false},
		{"WhichChildren zero sup", func() error { _, err := supervisor.WhichChildren(ctx, process.PID{}); return err }, false},
		{"CountChildren nil ctx", func() error { _, err := supervisor.CountChildren(nilCtx, sup); return err }, false},
		{"CountChildren nil sup", func() error { _, err := supervisor.CountChildren(ctx, nil); return err }, false},
		{"Stop nil sup", func() error { return supervisor.Stop(nil, process.Shutdown, time.Second) }, false},
		{"Stop zero sup", func() error { return supervisor.Stop(process.PID{}, process.Shutdown, time.Second) }, false},
		{"Stop zero timeout", func() error { return supervisor.Stop(sup, process.Shutdown, 0) }, false},
		{"StartDynamicChild nil ctx", func() error { return pidOnly(supervisor.StartDynamicChild(nilCtx, dyn, worker)) }, false},
		{"StartDynamicChild zero sup", func() error { return pidOnly(supervisor.StartDynamicChild(ctx, process.PID{}, worker)) }, false},
		{"StartDynamicChild nil start", func() error { return pidOnly(supervisor.StartDynamicChild(ctx, dyn, noStart)) }, true},
		{"StartTemplateChild nil ctx", func() error { return pidOnly(supervisor.StartTemplateChild(nilCtx, dyn)) }, false},
		{"StartTemplateChild nil sup", func() error { return pidOnly(supervisor.StartTemplateChild(ctx, nil)) }, false},
		{"TerminateChildPID zero pid", func() error { return supervisor.TerminateChildPID(ctx, dyn, process.PID{}) }, false},
		{"TerminateChildPID nil ctx", func() error { return supervisor.TerminateChildPID(nilCtx, dyn, probe.PID()) }, false},
		{"NewTemporaryStarter nil ctx", func() error {
			_, err := supervisor.NewTemporaryStarter(nilCtx, k.node, dyn, supervisor.TemporarySpec{ID: "t"})
			return err
		}, false},
		{"NewTemporaryStarter nil node", func() error {
			_, err := supervisor.NewTemporaryStarter(ctx, nil, dyn, supervisor.TemporarySpec{ID: "t"})
			return err
		}, false},
		{"NewTemporaryStarter zero sup", func() error {
			_, err := supervisor.NewTemporaryStarter(ctx, k.node, process.PID{}, supervisor.TemporarySpec{ID: "t"})
			return err
		}, false},
		{"NewTemporaryStarter empty id", func() error {
			_, err := supervisor.NewTemporaryStarter(ctx, k.node, dyn, supervisor.TemporarySpec{})
			return err
		}, true},
		{"TemporaryStarter.Start nil starter", func() error {
			var nilStarter *supervisor.TemporaryStarter
			return pidOnly(nilStarter.Start(&tempChild{}))
		}, false},
		{"TemporaryStarter.Start zero starter", func() error { return pidOnly(new(supervisor.TemporaryStarter).Start(&tempChild{})) }, false},
		{"TemporaryStarter.Start nil handler", func() error { return pidOnly(st.Start(nil)) }, false},
		{"TemporaryStarter.StartLinked nil owner", func() error { return pidOnly(st.StartLinked(&tempChild{}, nil)) }, false},
		{"TemporaryStarter.StartLinked nil handler", func() error {
			return startLink(func(p *process.Proc) error { return pidOnly(st.StartLinked(nil, p)) })
		}, false},
	}
	before := k.node.Stats().Processes
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, supervisor.ErrInvalidArgument) {
				t.Fatalf("%s = %v; want an error matching ErrInvalidArgument", tc.name, err)
			}
			var se *supervisor.SpecError
			var ae *supervisor.ArgumentError
			switch {
			case tc.spec && !errors.As(err, &se):
				t.Errorf("%s = %v; want a *SpecError", tc.name, err)
			case !tc.spec && !errors.As(err, &ae):
				t.Errorf("%s = %v; want an *ArgumentError", tc.name, err)
			}
		})
	}
	if n := k.node.Stats().Processes; n != before {
		t.Errorf("%d processes after the bad calls; want %d (nothing started)", n, before)
	}
	if got := ids(t, sup); len(got) != 1 || got[0] != "a" {
		t.Errorf("children = %v; want a alone", got)
	}
	if sc, ok := supervisor.BootError(nil); sc != nil || ok {
		t.Errorf("BootError(nil) = %v, %v; want nil, false", sc, ok)
	}
}
