package supervisor_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// zeroStart is a start function that returns the zero PID and a nil
// error: no process, no reason.
func zeroStart(*process.Proc) (process.PID, error) { return process.PID{}, nil }

// TestZeroPIDStartIsAFailedStart: a start function that returns the zero
// PID with a nil error names no process, so its child failed to start, as
// OTP takes a start result other than {ok, Pid}, ignore or {error, E} for
// an error. The reason is ErrBadStartReturn, wherever the start happens.
func TestZeroPIDStartIsAFailedStart(t *testing.T) {
	ctx := context.Background()
	t.Run("boot", func(t *testing.T) {
		k := newKit(t)
		_, err := supervisor.Start(k.node, supervisor.Spec{Children: []supervisor.ChildSpec{
			k.spec("a", supervisor.Permanent, workerConf{trap: true}), {ID: "zero", Start: zeroStart}, k.spec("c", supervisor.Permanent),
		}}, k.opts()...)
		sc, ok := supervisor.BootError(err)
		if !ok || sc.ID != "zero" || !errors.Is(sc.Reason, supervisor.ErrBadStartReturn) {
			t.Fatalf("Start = %v; want a boot error of child zero matching ErrBadStartReturn", err)
		}
		if got := k.trace.Lines(); len(got) != 2 || got[0] != "start a" || got[1] != "terminate a shutdown" {
			t.Errorf("trace = %v; want a started then stopped, c never started", got)
		}
	})
	t.Run("StartChild", func(t *testing.T) {
		k := newKit(t)
		sup := k.start(supervisor.Spec{Children: k.specs("a")})
		pid, err := supervisor.StartChild(ctx, sup, supervisor.ChildSpec{ID: "zero", Start: zeroStart})
		var sc *supervisor.StartChildError
		if !pid.IsZero() || !errors.As(err, &sc) || sc.ID != "zero" || !errors.Is(err, supervisor.ErrBadStartReturn) {
			t.Fatalf("StartChild = %v, %v; want a *StartChildError matching ErrBadStartReturn", pid, err)
		}
		if got := ids(t, sup); len(got) != 1 || got[0] != "a" {
			t.Errorf("children = %v; want only a (the failed child is not kept)", got)
		}
		if !slicesContains(k.events.Lines(), "start_failed zero") {
			t.Errorf("events = %v; want start_failed zero", k.events.Lines())
		}
	})
	t.Run("StartDynamicChild", func(t *testing.T) {
		k := newKit(t)
		sup, err := supervisor.StartDynamic(k.node, supervisor.DynamicSpec{}, k.opts()...)
		if err != nil {
			t.Fatal(err)
		}
		pid, err := supervisor.StartDynamicChild(ctx, sup, supervisor.ChildSpec{ID: "zero", Start: zeroStart})
		if !pid.IsZero() || !errors.Is(err, supervisor.ErrBadStartReturn) {
			t.Fatalf("StartDynamicChild = %v, %v; want ErrBadStartReturn", pid, err)
		}
		if n := counts(t, sup); n.Specs != 0 || n.Active != 0 {
			t.Errorf("CountChildren = %+v; want no child", n)
		}
	})
	t.Run("StartTemplateChild", func(t *testing.T) {
		k := newKit(t)
		sup, err := supervisor.StartDynamic(k.node, supervisor.DynamicSpec{Template: &supervisor.Template{
			Start: func(p *process.Proc, _ ...any) (process.PID, error) { return zeroStart(p) },
		}}, k.opts()...)
		if err != nil {
			t.Fatal(err)
		}
		pid, err := supervisor.StartTemplateChild(ctx, sup, "x")
		if !pid.IsZero() || !errors.Is(err, supervisor.ErrBadStartReturn) {
			t.Fatalf("StartTemplateChild = %v, %v; want ErrBadStartReturn", pid, err)
		}
		if n := counts(t, sup); n.Active != 0 {
			t.Errorf("CountChildren = %+v; want no active child", n)
		}
	})
}

// TestZeroPIDRestartIsAFailedRestart: a restart whose start function
// returns the zero PID with a nil error failed: the child is restarting,
// each retry counts, and the supervisor gives up, for a static and for a
// dynamic child alike.
func TestZeroPIDRestartIsAFailedRestart(t *testing.T) {
	ctx := context.Background()
	for _, dynamic := range []bool{false, true} {
		name := "static"
		if dynamic {
			name = "dynamic"
		}
		t.Run(name, func(t *testing.T) {
			k := newKit(t)
			var zero atomic.Bool
			spec := supervisor.ChildSpec{ID: "a", Start: func(p *process.Proc) (process.PID, error) {
				if zero.Load() {
					return process.PID{}, nil
				}
				return genserver.StartLink(p, &worker{k: k, id: "a"})
			}}
			flags := supervisor.Flags{MaxRestarts: 3}
			var sup, a process.PID
			var err error
			if dynamic {
				sup, err = supervisor.StartDynamic(k.node, supervisor.DynamicSpec{Flags: flags}, k.opts()...)
				if err == nil {
					a, err = supervisor.StartDynamicChild(ctx, sup, spec)
				}
			} else {
				sup, err = supervisor.Start(k.node, supervisor.Spec{Flags: flags, Children: []supervisor.ChildSpec{spec}}, k.opts()...)
				if err == nil {
					a = pidOf(t, sup, "a")
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			down := k.monitor(sup)
			zero.Store(true)
			crash(a)
			if r := k.expectExit(down); r != process.Shutdown {
				t.Errorf("supervisor exit = %v; want shutdown (intensity reached)", r)
			}
			if n := count(k.events.Lines(), "start_failed a"); n != 3 {
				t.Errorf("start_failed a × %d; want 3 (one restart and two retries): %v", n, k.events.Lines())
			}
			if n := count(k.events.Lines(), "intensity a"); n != 1 {
				t.Errorf("intensity a × %d; want 1: %v", n, k.events.Lines())
			}
		})
	}
}

func slicesContains(lines []string, line string) bool { return count(lines, line) > 0 }
