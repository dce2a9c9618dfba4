package supervisor_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

var errBoom = errors.New("boom")

func crash(pid process.PID) { _ = genserver.Cast(pid, exitWith{errBoom}) }

func flag(v bool) *atomic.Bool {
	b := new(atomic.Bool)
	b.Store(v)
	return b
}

// TestGroupRestartDropsTemporarySiblings: a group restart terminates the
// temporary members of the group and removes them for good; the others
// are started exactly once each (FORMAT.md 4.2).
func TestGroupRestartDropsTemporarySiblings(t *testing.T) {
	for _, strat := range []supervisor.Strategy{supervisor.OneForAll, supervisor.RestForOne} {
		t.Run(strat.String(), func(t *testing.T) {
			k := newKit(t)
			sup := k.start(supervisor.Spec{Flags: flags(strat), Children: []supervisor.ChildSpec{
				k.spec("a", supervisor.Temporary), k.spec("b", supervisor.Permanent),
				k.spec("c", supervisor.Temporary), k.spec("d", supervisor.Temporary),
			}})
			crash(pidOf(t, sup, "b"))
			k.waitEvent("exit b", 1)
			want := []string{"b"}
			if strat == supervisor.RestForOne {
				want = []string{"b", "a"} // a was started before b: untouched
			}
			if got := ids(t, sup); !slices.Equal(got, want) {
				t.Errorf("WhichChildren ids = %v; want %v", got, want)
			}
			if n := count(k.trace.Lines(), "start b"); n != 2 {
				t.Errorf("b started %d times; want 2 (boot and one restart)", n)
			}
			if n := count(k.events.Lines(), "restarted b"); n != 1 {
				t.Errorf("ChildStarted{Restart: true} for b %d times; want 1: %v", n, k.events.Lines())
			}
			// The supervisor, b, and a for rest_for_one: nothing else runs.
			if got, want := k.node.Stats().Processes, len(want)+1; got != want {
				t.Errorf("Stats.Processes = %d; want %d: %v", got, want, k.node.Processes())
			}
		})
	}
}

// TestIntensity: more than MaxRestarts restarts within Period make the
// supervisor give up: it publishes IntensityReached, does not restart the
// child, stops the others and exits with reason shutdown. The zero
// MaxRestarts is OTP's default intensity, 1; NoRestarts is intensity 0.
func TestIntensity(t *testing.T) {
	for _, tc := range []struct{ maxRestarts, intensity int }{
		{supervisor.NoRestarts, 0}, {0, 1}, {1, 1}, {3, 3},
	} {
		max := tc.intensity
		t.Run(fmt.Sprintf("MaxRestarts=%d", tc.maxRestarts), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				k := newKit(t)
				sup := k.start(supervisor.Spec{
					Flags:    supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: tc.maxRestarts, Period: 5 * time.Second},
					Children: []supervisor.ChildSpec{k.spec("a", supervisor.Permanent, workerConf{trap: true}), k.spec("b", supervisor.Permanent)},
				})
				down := k.monitor(sup)
				for i := 1; i <= max; i++ {
					crash(pidOf(t, sup, "b"))
					k.waitEvent("restarted b", i)
				}
				crash(pidOf(t, sup, "b"))
				if r := k.expectExit(down); r != process.Shutdown {
					t.Errorf("supervisor exit reason = %v; want shutdown", r)
				}
				if n := count(k.events.Lines(), "intensity b"); n != 1 {
					t.Errorf("IntensityReached events = %d; want 1: %v", n, k.events.Lines())
				}
				if n := count(k.trace.Lines(), "start b"); n != max+1 {
					t.Errorf("b started %d times; want %d (no restart after giving up)", n, max+1)
				}
				if !slices.Contains(k.trace.Lines(), "terminate a shutdown") {
					t.Errorf("a was not shut down: %v", k.trace.Lines())
				}
			})
		})
	}
}

// TestIntensityWindow: restarts spaced more than Period apart never add
// up; the window is exact (a restart exactly Period ago still counts).
func TestIntensityWindow(t *testing.T) {
	const period = time.Second
	t.Run("spaced", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			k := newKit(t)
			sup := k.start(supervisor.Spec{
				Flags:    supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 1, Period: period},
				Children: k.specs("a"),
			})
			for i := 1; i <= 10; i++ {
				time.Sleep(period + time.Millisecond) // fake time
				crash(pidOf(t, sup, "a"))
				k.waitEvent("restarted a", i)
			}
			if !k.node.IsAlive(sup) {
				t.Errorf("supervisor gave up on restarts spaced more than Period apart")
			}
		})
	})
	t.Run("exactly_period", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			k := newKit(t)
			sup := k.start(supervisor.Spec{
				Flags:    supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 1, Period: period},
				Children: k.specs("a"),
			})
			down := k.monitor(sup)
			crash(pidOf(t, sup, "a"))
			k.waitEvent("restarted a", 1)
			time.Sleep(period)
			crash(pidOf(t, sup, "a"))
			if r := k.expectExit(down); r != process.Shutdown {
				t.Errorf("supervisor exit = %v; want shutdown (a restart exactly Period ago counts)", r)
			}
		})
	})
}

// subSpec is a child supervisor with one worker w and no restarts.
func (k *kit) subSpec(restart supervisor.Restart) supervisor.ChildSpec {
	return supervisor.ChildSpec{
		ID: "sub", Restart: restart, Type: supervisor.SupervisorChild,
		Start: func(p *process.Proc) (process.PID, error) {
			return supervisor.StartLink(p, supervisor.Spec{
				Flags:    supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: supervisor.NoRestarts},
				Children: []supervisor.ChildSpec{k.spec("w", supervisor.Permanent)},
			}, k.opts()...)
		},
	}
}

// TestNestedPermanentSupervisorGivesUp: the parent restarts a permanent
// child supervisor that gave up, at the cost of one restart.
func TestNestedPermanentSupervisorGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := newKit(t)
		top := k.start(supervisor.Spec{
			Flags:    supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 1, Period: time.Hour},
			Children: []supervisor.ChildSpec{k.subSpec(supervisor.Permanent)},
		})
		down := k.monitor(top)
		sub := pidOf(t, top, "sub")
		crash(pidOf(t, sub, "w"))
		k.waitEvent("restarted sub", 1)
		sub2 := pidOf(t, top, "sub")
		if sub2 == sub || k.node.IsAlive(sub) {
			t.Fatalf("sub = %v, was %v; want a new incarnation", sub2, sub)
		}
		// One restart used: the next escalation exceeds the parent's
		// intensity of 1.
		crash(pidOf(t, sub2, "w"))
		if r := k.expectExit(down); r != process.Shutdown {
			t.Errorf("top exit = %v; want shutdown", r)
		}
		if got, want := count(k.events.Lines(), "intensity sub"), 1; got != want {
			t.Errorf("top IntensityReached = %d; want %d: %v", got, want, k.events.Lines())
		}
	})
}

// TestNestedTransientSupervisorGivesUp: a child supervisor exits with
// shutdown when it gives up, so a transient one is not restarted.
func TestNestedTransientSupervisorGivesUp(t *testing.T) {
	k := newKit(t)
	top := k.start(supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: []supervisor.ChildSpec{k.subSpec(supervisor.Transient)}})
	crash(pidOf(t, pidOf(t, top, "sub"), "w"))
	k.waitEvent("exit sub", 1)
	if c := children(t, top)["sub"]; c.Status != supervisor.Stopped {
		t.Errorf("sub = %+v; want stopped, not restarted", c)
	}
	if slices.Contains(k.events.Lines(), "restarted sub") {
		t.Errorf("transient sub restarted: %v", k.events.Lines())
	}
}

// TestFailedRestartRetried: a restart whose start fails marks the child
// restarting and retries through the mailbox, serving requests in between
// (FORMAT.md 4.4).
func TestFailedRestartRetried(t *testing.T) {
	k := newKit(t)
	fail := flag(false)
	sup := k.start(supervisor.Spec{
		Flags:    supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 1 << 30, Period: time.Hour},
		Children: []supervisor.ChildSpec{k.spec("a", supervisor.Permanent, workerConf{failInit: fail})},
	})
	ctx := context.Background()
	fail.Store(true)
	crash(pidOf(t, sup, "a"))
	k.waitEvent("start_failed a", 2) // the restart and at least one retry
	if c := children(t, sup)["a"]; c.Status != supervisor.Restarting || !c.PID.IsZero() {
		t.Errorf("a = %+v; want restarting, no pid", c)
	}
	if _, err := supervisor.RestartChild(ctx, sup, "a"); !errors.Is(err, supervisor.ErrRestarting) {
		t.Errorf("RestartChild(restarting) = %v; want ErrRestarting", err)
	}
	if err := supervisor.DeleteChild(ctx, sup, "a"); !errors.Is(err, supervisor.ErrRestarting) {
		t.Errorf("DeleteChild(restarting) = %v; want ErrRestarting", err)
	}
	if n := counts(t, sup); n.Active != 0 || n.Specs != 1 {
		t.Errorf("CountChildren = %+v; want 1 spec, 0 active", n)
	}
	fail.Store(false)
	k.waitEvent("restarted a", 1)
	if c := children(t, sup)["a"]; c.Status != supervisor.Running {
		t.Errorf("a = %+v; want running after a retry succeeded", c)
	}
}

// TestFailedRestartExhaustsIntensity: every retry counts as a restart, so
// a child whose start keeps failing uses up the intensity.
func TestFailedRestartExhaustsIntensity(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := newKit(t)
		fail := flag(false)
		sup := k.start(supervisor.Spec{
			Flags:    supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 3, Period: time.Second},
			Children: []supervisor.ChildSpec{k.spec("a", supervisor.Permanent, workerConf{failInit: fail})},
		})
		down := k.monitor(sup)
		fail.Store(true)
		crash(pidOf(t, sup, "a"))
		if r := k.expectExit(down); r != process.Shutdown {
			t.Errorf("supervisor exit = %v; want shutdown", r)
		}
		want := []string{"started a", "exit a", "start_failed a", "start_failed a", "start_failed a", "intensity a"}
		if got := k.events.Lines(); !slices.Equal(got, want) {
			t.Errorf("events = %q; want %q", got, want)
		}
	})
}

// TestTerminateChildCancelsRetry: terminate_child of a restarting child
// returns ok and cancels the pending retry.
func TestTerminateChildCancelsRetry(t *testing.T) {
	k := newKit(t)
	fail := flag(false)
	sup := k.start(supervisor.Spec{
		Flags:    supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 1 << 30, Period: time.Hour},
		Children: []supervisor.ChildSpec{k.spec("a", supervisor.Permanent, workerConf{failInit: fail})},
	})
	ctx := context.Background()
	fail.Store(true)
	crash(pidOf(t, sup, "a"))
	k.waitEvent("start_failed a", 1)
	if err := supervisor.TerminateChild(ctx, sup, "a"); err != nil {
		t.Fatalf("TerminateChild(restarting) = %v; want nil", err)
	}
	children(t, sup) // the retry queued before TerminateChild has run
	n := count(k.events.Lines(), "start_failed a")
	if c := children(t, sup)["a"]; c.Status != supervisor.Stopped {
		t.Errorf("a = %+v; want stopped", c)
	}
	if m := count(k.events.Lines(), "start_failed a"); m != n {
		t.Errorf("start attempts went on after TerminateChild: %d, then %d", n, m)
	}
	fail.Store(false)
	if pid, err := supervisor.RestartChild(ctx, sup, "a"); err != nil || pid.IsZero() {
		t.Errorf("RestartChild = %v, %v; want a new pid", pid, err)
	}
}

// TestGroupRestartFailsPartWay: when a one_for_all restart fails part-way,
// the children already restarted stay up until the retry, which stops
// them again in reverse order and restarts the whole group (FORMAT.md
// 4.4).
func TestGroupRestartFailsPartWay(t *testing.T) {
	k := newKit(t)
	failC := new(atomic.Int32)
	trap := workerConf{trap: true}
	sup := k.start(supervisor.Spec{Flags: flags(supervisor.OneForAll), Children: []supervisor.ChildSpec{
		k.spec("a", supervisor.Permanent, trap), k.spec("b", supervisor.Permanent, trap),
		k.spec("c", supervisor.Permanent, workerConf{trap: true, failTimes: failC}),
	}})
	failC.Store(1) // c's next start fails, the one after succeeds
	crash(pidOf(t, sup, "a"))
	k.waitTrace("start c", 2)
	want := []string{
		"start a", "start b", "start c",
		"terminate a boom", "terminate c shutdown", "terminate b shutdown",
		"start a", "start b", // c fails: a retry is queued
		"terminate b shutdown", "terminate a shutdown",
		"start a", "start b", "start c",
	}
	if got := k.trace.Lines(); !slices.Equal(got, want) {
		t.Errorf("trace:\n%s", otptest.Diff(want, got))
	}
	if n := counts(t, sup); n.Active != 3 {
		t.Errorf("CountChildren = %+v; want 3 active", n)
	}
}

// TestBootFailure: the first child that fails to start aborts the boot;
// the children started before it are stopped in reverse order, later
// ones never start, and Start returns {shutdown, {failed_to_start_child,
// Id, Reason}}.
func TestBootFailure(t *testing.T) {
	k := newKit(t)
	trap := workerConf{trap: true}
	_, err := supervisor.Start(k.node, supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: []supervisor.ChildSpec{
		k.spec("a", supervisor.Permanent, trap), k.spec("b", supervisor.Permanent, trap),
		k.spec("c", supervisor.Permanent, workerConf{failInit: flag(true)}),
		k.spec("d", supervisor.Permanent),
	}}, k.opts()...)
	sc, ok := supervisor.BootError(err)
	if !ok || sc.ID != "c" || !errors.Is(sc, errInit) {
		t.Fatalf("Start = %v; want a boot error for c wrapping %v", err, errInit)
	}
	var sh *process.ShutdownError
	if !errors.As(err, &sh) {
		t.Errorf("Start error %T is not {shutdown, _}", err)
	}
	want := []string{"start a", "start b", "terminate b shutdown", "terminate a shutdown"}
	if got := k.trace.Lines(); !slices.Equal(got, want) {
		t.Errorf("trace = %q; want %q", got, want)
	}
	if n := k.node.Stats().Processes; n != 0 {
		t.Errorf("Stats.Processes = %d after a failed boot; want 0: %v", n, k.node.Processes())
	}
}

// TestNestedBootFailure: a child supervisor's boot failure nests.
func TestNestedBootFailure(t *testing.T) {
	k := newKit(t)
	sub := supervisor.ChildSpec{ID: "sub", Type: supervisor.SupervisorChild, Start: func(p *process.Proc) (process.PID, error) {
		return supervisor.StartLink(p, supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: []supervisor.ChildSpec{
			k.spec("x", supervisor.Permanent), k.spec("y", supervisor.Permanent, workerConf{failInit: flag(true)}),
		}}, k.opts()...)
	}}
	_, err := supervisor.Start(k.node, supervisor.Spec{Flags: flags(supervisor.OneForOne),
		Children: []supervisor.ChildSpec{k.spec("a", supervisor.Permanent), sub, k.spec("z", supervisor.Permanent)}}, k.opts()...)
	outer, ok := supervisor.BootError(err)
	if !ok || outer.ID != "sub" {
		t.Fatalf("Start = %v; want a boot error for sub", err)
	}
	inner, ok := supervisor.BootError(outer.Reason)
	if !ok || inner.ID != "y" || !errors.Is(inner, errInit) {
		t.Fatalf("nested reason = %v; want a boot error for y", outer.Reason)
	}
	if slices.Contains(k.trace.Lines(), "start z") {
		t.Errorf("z started after a failed boot: %v", k.trace.Lines())
	}
	if n := k.node.Stats().Processes; n != 0 {
		t.Errorf("Stats.Processes = %d; want 0", n)
	}
}

// TestIgnore: ignore is no failure. At boot and from StartChild, a
// non-temporary child's spec is kept without a pid and a temporary one is
// dropped; during a restart, ignore leaves the child stopped, no retry.
func TestIgnore(t *testing.T) {
	k := newKit(t)
	ign := flag(true)
	sup := k.start(supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: []supervisor.ChildSpec{
		k.spec("p", supervisor.Permanent, workerConf{ignore: ign}),
		k.spec("t", supervisor.Temporary, workerConf{ignore: ign}),
	}})
	ctx := context.Background()
	if got := children(t, sup); len(got) != 1 || got["p"].Status != supervisor.Stopped || !got["p"].PID.IsZero() {
		t.Errorf("after boot WhichChildren = %+v; want only p, stopped", got)
	}
	if pid, err := supervisor.StartChild(ctx, sup, k.spec("t2", supervisor.Temporary, workerConf{ignore: ign})); err != nil || !pid.IsZero() {
		t.Errorf("StartChild(temporary ignore) = %v, %v; want zero pid, nil", pid, err)
	}
	if pid, err := supervisor.StartChild(ctx, sup, k.spec("q", supervisor.Transient, workerConf{ignore: ign})); err != nil || !pid.IsZero() {
		t.Errorf("StartChild(transient ignore) = %v, %v; want zero pid, nil", pid, err)
	}
	if got := sorted(ids(t, sup)); !slices.Equal(got, []string{"p", "q"}) {
		t.Errorf("WhichChildren ids = %v; want p and q kept, t2 dropped", got)
	}

	ign.Store(false)
	pid, err := supervisor.RestartChild(ctx, sup, "p")
	if err != nil || pid.IsZero() {
		t.Fatalf("RestartChild(p) = %v, %v", pid, err)
	}
	ign.Store(true)
	crash(pid)
	k.waitEvent("exit p", 1)
	if c := children(t, sup)["p"]; c.Status != supervisor.Stopped {
		t.Errorf("p = %+v after an ignored restart; want stopped", c)
	}
	if n := count(k.events.Lines(), "start_failed p"); n != 0 {
		t.Errorf("ignored restart counted as a failure: %v", k.events.Lines())
	}
}

// TestAutoShutdown: significant children stop the supervisor when they
// exit and are not restarted (FORMAT.md 4.6).
func TestAutoShutdown(t *testing.T) {
	sig := func(k *kit, id string) supervisor.ChildSpec {
		s := k.spec(id, supervisor.Transient)
		s.Significant = true
		return s
	}
	t.Run("any_significant", func(t *testing.T) {
		k := newKit(t)
		sup := k.start(supervisor.Spec{
			Flags:    supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 10, Period: time.Hour, AutoShutdown: supervisor.AnySignificant},
			Children: []supervisor.ChildSpec{sig(k, "a"), sig(k, "b"), k.spec("c", supervisor.Permanent, workerConf{trap: true})},
		})
		down := k.monitor(sup)
		crash(pidOf(t, sup, "a")) // abnormal: restarted, no auto shutdown
		k.waitEvent("restarted a", 1)
		_ = genserver.Cast(pidOf(t, sup, "a"), exitWith{process.Normal})
		if r := k.expectExit(down); r != process.Shutdown {
			t.Errorf("supervisor exit = %v; want shutdown", r)
		}
		if !slices.Contains(k.events.Lines(), "auto_shutdown a") || !slices.Contains(k.trace.Lines(), "terminate c shutdown") {
			t.Errorf("events %q, trace %q; want auto_shutdown a and c shut down", k.events.Lines(), k.trace.Lines())
		}
	})
	t.Run("all_significant", func(t *testing.T) {
		k := newKit(t)
		sup := k.start(supervisor.Spec{
			Flags:    supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 10, Period: time.Hour, AutoShutdown: supervisor.AllSignificant},
			Children: []supervisor.ChildSpec{sig(k, "a"), sig(k, "b"), k.spec("c", supervisor.Permanent)},
		})
		down := k.monitor(sup)
		_ = genserver.Cast(pidOf(t, sup, "a"), exitWith{process.Shutdown})
		k.waitEvent("exit a", 1)
		if got := counts(t, sup).Active; got != 2 {
			t.Errorf("Active = %d after the first significant exit; want 2, supervisor still up", got)
		}
		_ = genserver.Cast(pidOf(t, sup, "b"), exitWith{process.Normal})
		if r := k.expectExit(down); r != process.Shutdown {
			t.Errorf("supervisor exit = %v; want shutdown", r)
		}
	})
	t.Run("terminate_child_no_trigger", func(t *testing.T) {
		k := newKit(t)
		sup := k.start(supervisor.Spec{
			Flags:    supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 10, Period: time.Hour, AutoShutdown: supervisor.AnySignificant},
			Children: []supervisor.ChildSpec{sig(k, "a"), k.spec("c", supervisor.Permanent)},
		})
		if err := supervisor.TerminateChild(context.Background(), sup, "a"); err != nil {
			t.Fatalf("TerminateChild = %v", err)
		}
		if got := children(t, sup); got["a"].Status != supervisor.Stopped || got["c"].Status != supervisor.Running {
			t.Errorf("WhichChildren = %+v; want a stopped and the supervisor up", got)
		}
		if slices.Contains(k.events.Lines(), "auto_shutdown a") {
			t.Errorf("TerminateChild triggered auto shutdown")
		}
	})
	t.Run("dynamic_all_significant", func(t *testing.T) {
		// Only significant children count: a non-significant sibling
		// does not keep the supervisor up.
		k := newKit(t)
		sup, err := supervisor.StartDynamic(k.node, supervisor.DynamicSpec{
			Flags: supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 10, Period: time.Hour, AutoShutdown: supervisor.AllSignificant},
		}, k.opts()...)
		if err != nil {
			t.Fatal(err)
		}
		down := k.monitor(sup)
		ctx := context.Background()
		if _, err := supervisor.StartDynamicChild(ctx, sup, k.spec("plain", supervisor.Permanent)); err != nil {
			t.Fatal(err)
		}
		pid, err := supervisor.StartDynamicChild(ctx, sup, sig(k, "s"))
		if err != nil {
			t.Fatal(err)
		}
		_ = genserver.Cast(pid, exitWith{process.Normal})
		if r := k.expectExit(down); r != process.Shutdown {
			t.Errorf("supervisor exit = %v; want shutdown once no significant child runs", r)
		}
	})
}

// TestManyChildren: a static supervisor finds its children by PID alike
// with a few and with many (it scans a few, and indexes many in a map
// from the first time more than 16 run at once): with 10 children at
// boot and 30 more started later, every crash restarts the child that
// crashed, under a new PID, and the children terminated or deleted by id
// are gone from it for good.
func TestManyChildren(t *testing.T) {
	const boot, added = 10, 30
	k := newKit(t)
	var all []string
	for i := range boot + added {
		all = append(all, fmt.Sprintf("c%02d", i))
	}
	sup := k.start(supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: k.specs(all[:boot]...)})
	ctx := context.Background()
	for _, id := range all[boot:] {
		if _, err := supervisor.StartChild(ctx, sup, k.spec(id, supervisor.Permanent)); err != nil {
			t.Fatalf("StartChild(%s) = %v", id, err)
		}
	}
	// crashAll crashes each of ids in turn and checks it came back under a
	// new PID: its restarts-th restart.
	crashAll := func(ids []string, restarts int) {
		t.Helper()
		for _, id := range ids {
			old := pidOf(t, sup, id)
			crash(old)
			k.waitEvent("restarted "+id, restarts)
			if pid := pidOf(t, sup, id); pid == old {
				t.Fatalf("%s still runs under %v after its restart", id, old)
			}
		}
	}
	crashAll(all, 1)
	// Stop a third by id and delete half of those; crash the rest again.
	var stopped, deleted, up []string
	for i, id := range all {
		switch {
		case i%3 != 0:
			up = append(up, id)
		case i%2 == 0:
			deleted = append(deleted, id)
		default:
			stopped = append(stopped, id)
		}
		if i%3 != 0 {
			continue
		}
		if err := supervisor.TerminateChild(ctx, sup, id); err != nil {
			t.Fatalf("TerminateChild(%s) = %v", id, err)
		}
		if i%2 == 0 {
			if err := supervisor.DeleteChild(ctx, sup, id); err != nil {
				t.Fatalf("DeleteChild(%s) = %v", id, err)
			}
		}
	}
	crashAll(up, 2)
	kids := children(t, sup)
	for _, id := range stopped {
		if c := kids[id]; c.Status != supervisor.Stopped {
			t.Errorf("%s = %+v; want stopped", id, c)
		}
	}
	for _, id := range deleted {
		if c, ok := kids[id]; ok {
			t.Errorf("%s = %+v; want deleted", id, c)
		}
	}
	for _, id := range append(stopped, deleted...) {
		if n := count(k.events.Lines(), "exit "+id); n != 1 {
			t.Errorf("%s exited %d times as a crash; want 1 (its stop is no crash)", id, n)
		}
	}
	if got, want := counts(t, sup), (supervisor.Counts{Specs: len(all) - len(deleted), Active: len(up), Workers: len(all) - len(deleted)}); got != want {
		t.Errorf("CountChildren = %+v; want %+v", got, want)
	}
	// The stopped children start again, under PIDs the supervisor knows.
	for _, id := range stopped {
		if _, err := supervisor.RestartChild(ctx, sup, id); err != nil {
			t.Fatalf("RestartChild(%s) = %v", id, err)
		}
	}
	crashAll(stopped, 2)
}
