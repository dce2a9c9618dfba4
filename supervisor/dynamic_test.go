package supervisor_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// templateSup starts a simple_one_for_one supervisor whose children are
// workers named by their first argument; the rest of the arguments are
// recorded as "args <id> <rest>".
func (k *kit) templateSup(restart supervisor.Restart, maxChildren int) process.PID {
	k.t.Helper()
	sup, err := supervisor.StartDynamic(k.node, supervisor.DynamicSpec{
		Flags:       flags(supervisor.OneForOne),
		MaxChildren: maxChildren,
		Template: &supervisor.Template{
			Restart: restart,
			Start: func(p *process.Proc, args ...any) (process.PID, error) {
				id := args[0].(string)
				k.trace.Add(fmt.Sprint("args ", id, " ", args[1:]))
				return genserver.StartLink(p, &worker{k: k, id: id})
			},
		},
	}, k.opts()...)
	if err != nil {
		k.t.Fatalf("StartDynamic = %v", err)
	}
	return sup
}

// TestTemplateChildArgs: StartTemplateChild passes its arguments to the
// template's Start, and a restart passes the same arguments again.
func TestTemplateChildArgs(t *testing.T) {
	k := newKit(t)
	sup := k.templateSup(supervisor.Permanent, 0)
	ctx := context.Background()
	pid, err := supervisor.StartTemplateChild(ctx, sup, "x", 42, "y")
	if err != nil {
		t.Fatalf("StartTemplateChild = %v", err)
	}
	crash(pid)
	k.waitTrace("start x", 2)
	want := []string{"args x [42 y]", "start x", "terminate x boom", "args x [42 y]", "start x"}
	if got := k.trace.Lines(); !slices.Equal(got, want) {
		t.Errorf("trace = %q; want %q", got, want)
	}
	// Dynamic children are reported like static ones (with no id).
	k.waitEvent("restarted ", 1)
	if got, want := k.events.Lines(), []string{"started ", "exit ", "restarted "}; !slices.Equal(got, want) {
		t.Errorf("events = %q; want %q", got, want)
	}
	if _, err := supervisor.StartDynamicChild(ctx, sup, k.spec("s", supervisor.Permanent)); !errors.Is(err, supervisor.ErrInvalidSpec) {
		t.Errorf("StartDynamicChild on a template supervisor = %v; want ErrInvalidSpec", err)
	}
	if err := supervisor.TerminateChild(ctx, sup, "x"); !errors.Is(err, supervisor.ErrSimpleOneForOne) {
		t.Errorf("TerminateChild(id) on a dynamic supervisor = %v; want ErrSimpleOneForOne", err)
	}
	want2 := supervisor.Counts{Specs: 1, Active: 1, Workers: 1}
	if got := counts(t, sup); got != want2 {
		t.Errorf("CountChildren = %+v; want %+v (a template is one spec)", got, want2)
	}
}

// TestMaxChildren: a dynamic supervisor refuses children beyond
// MaxChildren, and takes new ones once some are gone.
func TestMaxChildren(t *testing.T) {
	k := newKit(t)
	sup := k.templateSup(supervisor.Temporary, 2)
	ctx := context.Background()
	a, err := supervisor.StartTemplateChild(ctx, sup, "a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := supervisor.StartTemplateChild(ctx, sup, "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := supervisor.StartTemplateChild(ctx, sup, "c"); !errors.Is(err, supervisor.ErrMaxChildren) {
		t.Errorf("third StartTemplateChild = %v; want ErrMaxChildren", err)
	}
	if err := supervisor.TerminateChildPID(ctx, sup, a); err != nil {
		t.Fatal(err)
	}
	if _, err := supervisor.StartTemplateChild(ctx, sup, "c"); err != nil {
		t.Errorf("StartTemplateChild after a child left = %v; want ok", err)
	}
}

// TestTerminateChildPID: terminate by pid; a pid that is already dead is
// ok for a template supervisor (OTP) and not found for a per-spec one
// (Elixir's DynamicSupervisor).
func TestTerminateChildPID(t *testing.T) {
	ctx := context.Background()
	t.Run("template", func(t *testing.T) {
		k := newKit(t)
		sup := k.templateSup(supervisor.Permanent, 0)
		a, _ := supervisor.StartTemplateChild(ctx, sup, "a")
		b, _ := supervisor.StartTemplateChild(ctx, sup, "b")
		if err := supervisor.TerminateChildPID(ctx, sup, a); err != nil {
			t.Fatalf("TerminateChildPID = %v", err)
		}
		if k.node.IsAlive(a) || !k.node.IsAlive(b) {
			t.Errorf("a alive %v, b alive %v; want only a stopped", k.node.IsAlive(a), k.node.IsAlive(b))
		}
		if err := supervisor.TerminateChildPID(ctx, sup, a); err != nil {
			t.Errorf("TerminateChildPID(dead pid) = %v; want nil (OTP)", err)
		}
		if err := supervisor.TerminateChildPID(ctx, sup, sup); !errors.Is(err, supervisor.ErrNotFound) {
			t.Errorf("TerminateChildPID(live non-child) = %v; want ErrNotFound", err)
		}
		if kids, _ := supervisor.WhichChildren(ctx, sup); len(kids) != 1 || kids[0].PID != b {
			t.Errorf("WhichChildren = %+v; want only b", kids)
		}
		if slices.Contains(k.events.Lines(), "exit ") {
			t.Errorf("a terminated child was seen as an exit: %v", k.events.Lines())
		}
	})
	t.Run("per_spec", func(t *testing.T) {
		k := newKit(t)
		sup, err := supervisor.StartDynamic(k.node, supervisor.DynamicSpec{Flags: flags(supervisor.OneForOne)}, k.opts()...)
		if err != nil {
			t.Fatal(err)
		}
		a, err := supervisor.StartDynamicChild(ctx, sup, k.spec("a", supervisor.Permanent))
		if err != nil {
			t.Fatal(err)
		}
		if err := supervisor.TerminateChildPID(ctx, sup, a); err != nil {
			t.Fatalf("TerminateChildPID = %v", err)
		}
		if err := supervisor.TerminateChildPID(ctx, sup, a); !errors.Is(err, supervisor.ErrNotFound) {
			t.Errorf("TerminateChildPID(dead pid) = %v; want ErrNotFound (Elixir)", err)
		}
		if n := counts(t, sup); n != (supervisor.Counts{}) {
			t.Errorf("CountChildren = %+v; want zero", n)
		}
	})
}

// TestDynamicTemporaryForgotten: a temporary dynamic child is forgotten
// when it exits, whatever the reason; a child whose start ignores is not
// kept either.
func TestDynamicTemporaryForgotten(t *testing.T) {
	k := newKit(t)
	sup := k.templateSup(supervisor.Temporary, 0)
	ctx := context.Background()
	a, _ := supervisor.StartTemplateChild(ctx, sup, "a")
	b, _ := supervisor.StartTemplateChild(ctx, sup, "b")
	crash(a)
	_ = genserver.Cast(b, exitWith{process.Normal})
	k.waitEvent("exit ", 2)
	if n := counts(t, sup); n.Workers != 0 || n.Active != 0 {
		t.Errorf("CountChildren = %+v; want no workers", n)
	}
	if kids, _ := supervisor.WhichChildren(ctx, sup); len(kids) != 0 {
		t.Errorf("WhichChildren = %+v; want none", kids)
	}
	if got := count(k.trace.Lines(), "start a"); got != 1 {
		t.Errorf("temporary a started %d times; want 1", got)
	}

	per, err := supervisor.StartDynamic(k.node, supervisor.DynamicSpec{Flags: flags(supervisor.OneForOne)}, k.opts()...)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := supervisor.StartDynamicChild(ctx, per, k.spec("i", supervisor.Permanent, workerConf{ignore: flag(true)}))
	if err != nil || !pid.IsZero() {
		t.Errorf("StartDynamicChild(ignore) = %v, %v; want zero pid, nil", pid, err)
	}
	if n := counts(t, per); n.Specs != 0 {
		t.Errorf("CountChildren = %+v; want an ignored child not kept", n)
	}
}

// TestDynamicStopMany: stopping a dynamic supervisor with many children
// stops them all.
func TestDynamicStopMany(t *testing.T) {
	const n = 10_000
	k := newKit(t)
	sup, err := supervisor.StartDynamic(k.node, supervisor.DynamicSpec{
		Flags: flags(supervisor.OneForOne),
		Template: &supervisor.Template{Restart: supervisor.Temporary, Start: func(p *process.Proc, _ ...any) (process.PID, error) {
			return genserver.StartLink(p, idleServer{})
		}},
	}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pids := make([]process.PID, 0, n)
	for range n {
		pid, err := supervisor.StartTemplateChild(ctx, sup)
		if err != nil {
			t.Fatalf("StartTemplateChild = %v", err)
		}
		pids = append(pids, pid)
	}
	if c := counts(t, sup); c.Active != n {
		t.Fatalf("CountChildren = %+v; want %d active", c, n)
	}
	if err := supervisor.Stop(sup, process.Shutdown, waitTimeout); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	for _, pid := range pids {
		if k.node.IsAlive(pid) {
			t.Fatalf("child %v alive after its supervisor stopped", pid)
		}
	}
	if got := k.node.Stats().Processes; got != 0 {
		t.Errorf("Stats.Processes = %d; want 0", got)
	}
}

type idleServer struct{}

func (idleServer) Init(*genserver.Self) error { return nil }
