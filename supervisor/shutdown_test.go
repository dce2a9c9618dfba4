package supervisor_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// exits records every process exit of a node (an rt.WithEventHook).
type exits struct {
	mu sync.Mutex // protects m
	m  map[process.PID]rt.Exited
}

func (e *exits) option() process.Option {
	e.m = make(map[process.PID]rt.Exited)
	return rt.WithEventHook(func(ev rt.Event) {
		if x, ok := ev.(rt.Exited); ok {
			e.mu.Lock()
			e.m[x.PID] = x
			e.mu.Unlock()
		}
	})
}

func (e *exits) get(pid process.PID) (rt.Exited, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	x, ok := e.m[pid]
	return x, ok
}

// stopTimed stops sup and returns how long Stop took (fake time inside a
// synctest bubble).
func stopTimed(t *testing.T, sup process.PID) time.Duration {
	t.Helper()
	start := time.Now()
	if err := supervisor.Stop(sup, process.Shutdown, genserver.Infinity); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	return time.Since(start)
}

// TestShutdownOrder: children start in order and stop in reverse order.
func TestShutdownOrder(t *testing.T) {
	k := newKit(t)
	trap := workerConf{trap: true}
	sup := k.start(supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: []supervisor.ChildSpec{
		k.spec("a", supervisor.Permanent, trap), k.spec("b", supervisor.Transient, trap), k.spec("c", supervisor.Temporary, trap),
	}})
	if _, err := supervisor.StartChild(context.Background(), sup, k.spec("d", supervisor.Permanent, trap)); err != nil {
		t.Fatal(err)
	}
	if err := supervisor.Stop(sup, process.Shutdown, waitTimeout); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	want := []string{
		"start a", "start b", "start c", "start d",
		"terminate d shutdown", "terminate c shutdown", "terminate b shutdown", "terminate a shutdown",
	}
	if got := k.trace.Lines(); !slices.Equal(got, want) {
		t.Errorf("trace = %q; want %q", got, want)
	}
}

// TestShutdownTimeout: a child that takes longer than its Shutdown to stop
// is killed after exactly Shutdown; BrutalKill kills at once; Infinity
// waits as long as the child takes.
func TestShutdownTimeout(t *testing.T) {
	tests := []struct {
		name       string
		shutdown   supervisor.Shutdown
		stopDelay  time.Duration
		wantTook   time.Duration
		wantReason error
		wantTerm   bool // Terminate ran to its end
	}{
		{name: "timeout_kills", shutdown: supervisor.Shutdown(100 * time.Millisecond), stopDelay: time.Hour,
			wantTook: 100 * time.Millisecond, wantReason: process.Killed},
		{name: "in_time", shutdown: supervisor.Shutdown(time.Second), stopDelay: 300 * time.Millisecond,
			wantTook: 300 * time.Millisecond, wantReason: process.Shutdown, wantTerm: true},
		{name: "brutal_kill", shutdown: supervisor.BrutalKill, stopDelay: time.Hour,
			wantTook: 0, wantReason: process.Killed},
		{name: "infinity", shutdown: supervisor.Infinity, stopDelay: time.Hour,
			wantTook: time.Hour, wantReason: process.Shutdown, wantTerm: true},
		{name: "default_5s", stopDelay: time.Hour,
			wantTook: 5 * time.Second, wantReason: process.Killed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var ex exits
				k := newKit(t, ex.option())
				spec := k.spec("a", supervisor.Permanent, workerConf{trap: true, stopDelay: tc.stopDelay})
				spec.Shutdown = tc.shutdown
				sup := k.start(supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: []supervisor.ChildSpec{spec}})
				a := pidOf(t, sup, "a")
				if took := stopTimed(t, sup); took != tc.wantTook {
					t.Errorf("Stop took %v; want %v", took, tc.wantTook)
				}
				if x, _ := ex.get(a); x.Reason != tc.wantReason {
					t.Errorf("child exit reason = %v; want %v", x.Reason, tc.wantReason)
				}
				if got := slices.Contains(k.trace.Lines(), "terminate a shutdown"); got != tc.wantTerm {
					t.Errorf("Terminate completed = %v; want %v", got, tc.wantTerm)
				}
			})
		})
	}
}

// TestSupervisorChildDefaultShutdown: a supervisor child's zero Shutdown
// is Infinity: its parent waits for its whole subtree.
func TestSupervisorChildDefaultShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := newKit(t)
		slow := k.spec("w", supervisor.Permanent, workerConf{trap: true, stopDelay: time.Minute})
		slow.Shutdown = supervisor.Infinity
		sub := supervisor.ChildSpec{ID: "sub", Type: supervisor.SupervisorChild, Start: func(p *process.Proc) (process.PID, error) {
			return supervisor.StartLink(p, supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: []supervisor.ChildSpec{slow}}, k.opts()...)
		}}
		top := k.start(supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: []supervisor.ChildSpec{sub}})
		if took := stopTimed(t, top); took != time.Minute {
			t.Errorf("Stop took %v; want 1m (the subtree's own time)", took)
		}
		if !slices.Contains(k.trace.Lines(), "terminate w shutdown") {
			t.Errorf("w was cut short: %v", k.trace.Lines())
		}
	})
}

// TestZombieChild: a child whose code ignores its context is killed after
// its shutdown timeout, reported as a zombie, and does not hold up the
// tree's shutdown.
func TestZombieChild(t *testing.T) {
	type starter func(k *kit, block chan struct{}) supervisor.StartFunc
	tests := []struct {
		name      string
		start     starter
		behaviour string
	}{
		{name: "genserver_terminate_blocks", behaviour: "genserver", start: func(k *kit, block chan struct{}) supervisor.StartFunc {
			return func(p *process.Proc) (process.PID, error) {
				return genserver.StartLink(p, &worker{k: k, id: "z", conf: workerConf{trap: true, block: block}})
			}
		}},
		{name: "func_ignores_context", behaviour: "stubborn", start: func(_ *kit, block chan struct{}) supervisor.StartFunc {
			return func(p *process.Proc) (process.PID, error) {
				return p.Spawn(func(*process.Proc) error { <-block; return nil },
					process.TrapExits(), rt.Behaviour("stubborn"), process.Linked())
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				zombies := make(chan process.ZombieInfo, 1)
				k := newKit(t, process.Config{ZombieGrace: time.Second}, rt.WithEventHook(func(e rt.Event) {
					if z, ok := e.(rt.ZombieDetected); ok {
						zombies <- z.Zombie
					}
				}))
				block := make(chan struct{})
				sup := k.start(supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: []supervisor.ChildSpec{
					k.spec("a", supervisor.Permanent, workerConf{trap: true}),
					{ID: "z", Start: tc.start(k, block), Shutdown: supervisor.Shutdown(100 * time.Millisecond)},
				}})
				z := pidOf(t, sup, "z")
				if took := stopTimed(t, sup); took != 100*time.Millisecond {
					t.Errorf("Stop took %v; want the 100ms shutdown timeout", took)
				}
				if !slices.Contains(k.trace.Lines(), "terminate a shutdown") {
					t.Errorf("a not shut down after the zombie: %v", k.trace.Lines())
				}
				zi := <-zombies // after the node's zombie grace (fake time)
				if zi.PID != z || zi.Behaviour != tc.behaviour {
					t.Errorf("ZombieDetected = %+v; want %v (%s)", zi, z, tc.behaviour)
				}
				if zs := k.node.Zombies(); len(zs) != 1 || zs[0].PID != z {
					t.Errorf("Zombies() = %+v; want %v", zs, z)
				}
				close(block)
				synctest.Wait()
				if zs := k.node.Zombies(); len(zs) != 0 {
					t.Errorf("Zombies() = %+v after release; want none", zs)
				}
			})
		})
	}
}

// TestDynamicShutdown: a dynamic supervisor signals all its children at
// once and waits for them together.
func TestDynamicShutdown(t *testing.T) {
	t.Run("template_all_at_once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			k := newKit(t)
			sup, err := supervisor.StartDynamic(k.node, supervisor.DynamicSpec{
				Flags: flags(supervisor.OneForOne),
				Template: &supervisor.Template{Start: func(p *process.Proc, args ...any) (process.PID, error) {
					return genserver.StartLink(p, &worker{k: k, id: args[0].(string), conf: workerConf{trap: true, stopDelay: time.Second}})
				}},
			}, k.opts()...)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"a", "b", "c"} {
				if _, err := supervisor.StartTemplateChild(context.Background(), sup, id); err != nil {
					t.Fatal(err)
				}
			}
			if took := stopTimed(t, sup); took != time.Second {
				t.Errorf("Stop took %v; want 1s (children stop together)", took)
			}
			if got := sorted(k.trace.Lines()[3:]); !slices.Equal(got, []string{"terminate a shutdown", "terminate b shutdown", "terminate c shutdown"}) {
				t.Errorf("trace = %q; want the three terminated", k.trace.Lines())
			}
		})
	})
	t.Run("per_child_shutdown", func(t *testing.T) {
		// Each child of a per-spec dynamic supervisor keeps its own
		// shutdown: x is killed at once, y after 100ms, z takes 1s.
		synctest.Test(t, func(t *testing.T) {
			var ex exits
			k := newKit(t, ex.option())
			sup, err := supervisor.StartDynamic(k.node, supervisor.DynamicSpec{Flags: flags(supervisor.OneForOne)}, k.opts()...)
			if err != nil {
				t.Fatal(err)
			}
			slow := workerConf{trap: true, stopDelay: time.Hour}
			specs := []supervisor.ChildSpec{
				k.spec("x", supervisor.Permanent, slow), k.spec("y", supervisor.Permanent, slow),
				k.spec("z", supervisor.Permanent, workerConf{trap: true, stopDelay: time.Second}),
			}
			specs[0].Shutdown = supervisor.BrutalKill
			specs[1].Shutdown = supervisor.Shutdown(100 * time.Millisecond)
			specs[2].Shutdown = supervisor.Shutdown(time.Hour)
			pids := map[string]process.PID{}
			for _, s := range specs {
				pid, err := supervisor.StartDynamicChild(context.Background(), sup, s)
				if err != nil {
					t.Fatal(err)
				}
				pids[s.ID] = pid
			}
			if took := stopTimed(t, sup); took != time.Second {
				t.Errorf("Stop took %v; want 1s", took)
			}
			want := map[string]struct {
				reason error
				at     time.Duration
			}{
				"x": {process.Killed, 0},
				"y": {process.Killed, 100 * time.Millisecond},
				"z": {process.Shutdown, time.Second},
			}
			for id, w := range want {
				x, ok := ex.get(pids[id])
				if !ok || x.Reason != w.reason || x.Lifetime != w.at {
					t.Errorf("%s exited %v after %v (seen %v); want %v after %v", id, x.Reason, x.Lifetime, ok, w.reason, w.at)
				}
			}
		})
	})
}

// TestAdminCallHandledAfterCallerGaveUp: a supervisor handles an admin
// request even when its caller gave up while it waited in the mailbox, as
// OTP does: TerminateChild changes the tree, so it is not dropped as
// abandoned work (genserver's default for other servers).
func TestAdminCallHandledAfterCallerGaveUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := newKit(t)
		slow := k.spec("a", supervisor.Permanent, workerConf{trap: true, stopDelay: time.Second})
		slow.Shutdown = supervisor.Shutdown(time.Minute)
		sup := k.start(supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: []supervisor.ChildSpec{
			slow, k.spec("b", supervisor.Permanent),
		}})
		busy := make(chan error, 1)
		go func() { busy <- supervisor.TerminateChild(context.Background(), sup, "a") }() // the supervisor waits 1 s for a
		synctest.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		err := supervisor.TerminateChild(ctx, sup, "b") // queued behind a; gives up after 10 ms
		cancel()
		if err == nil {
			t.Fatal("TerminateChild(b) returned before the supervisor was free; want a timeout")
		}
		if err := <-busy; err != nil {
			t.Fatalf("TerminateChild(a) = %v", err)
		}
		if got := children(t, sup)["b"]; !got.PID.IsZero() {
			t.Errorf("b = %+v after the supervisor was free; want terminated (the request is handled though its caller gave up)", got)
		}
	})
}
