package supervisor_test

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// Timings of the supervisor-death tests: s's parent gives it parentWait
// to stop, s gives its hanging child childWait, which is longer, so the
// parent kills s while s still waits for the child.
const (
	parentWait = 50 * time.Millisecond
	childWait  = 250 * time.Millisecond
)

// hangs is a trapping worker whose Terminate lasts until it is killed.
var hangs = workerConf{trap: true, stopDelay: time.Hour}

// deathCase is a supervisor s under root, killed by root's shutdown
// timeout while s waits for its child w, which hangs in Terminate.
type deathCase struct {
	name string
	// sub returns s's start function.
	sub func(k *kit) supervisor.StartFunc
	// setup runs once the tree is up (it starts dynamic children) and
	// returns s's children by id.
	setup func(t *testing.T, k *kit, s process.PID) map[string]process.PID
	// act makes root stop s (it returns once s is dead).
	act func(t *testing.T, k *kit, root process.PID, kids map[string]process.PID)
	// wantTrace is what the workers record. A child still linked to the
	// dead s gets its exit signal killed; w records nothing (it never
	// finishes Terminate).
	wantTrace []string
	// wantEvents are the supervisor events published from act on: root's
	// alone, as s is dead.
	wantEvents []string
	// orphans are the children left alive by the dead s.
	orphans []string
}

// TestKilledSupervisorActsNoMore: a supervisor killed while it waits for
// a child to stop (its parent's shutdown timeout ran out) does nothing
// more, as in OTP, where it is gone: it does not kill the child when the
// child's own timeout expires, it stops no other child, restarts nothing
// and publishes no event. The hanging child lives on as an orphan until
// the node stops and kills it.
func TestKilledSupervisorActsNoMore(t *testing.T) {
	static := func(strategy supervisor.Strategy) func(k *kit) supervisor.StartFunc {
		return func(k *kit) supervisor.StartFunc {
			return func(p *process.Proc) (process.PID, error) {
				w := k.spec("w", supervisor.Permanent, hangs)
				w.Shutdown = supervisor.Shutdown(childWait)
				return supervisor.StartLink(p, supervisor.Spec{Flags: flags(strategy), Children: []supervisor.ChildSpec{
					k.spec("a", supervisor.Permanent, workerConf{trap: true}), w, k.spec("b", supervisor.Permanent),
				}}, k.opts()...)
			}
		}
	}
	staticKids := func(t *testing.T, _ *kit, s process.PID) map[string]process.PID {
		return map[string]process.PID{"a": pidOf(t, s, "a"), "w": pidOf(t, s, "w"), "b": pidOf(t, s, "b")}
	}
	terminateS := func(t *testing.T, _ *kit, root process.PID, _ map[string]process.PID) {
		if err := supervisor.TerminateChild(context.Background(), root, "s"); err != nil {
			t.Fatalf("TerminateChild(root, s) = %v", err)
		}
	}
	tests := []deathCase{
		{
			// s stops b, then waits for w: root kills s meanwhile.
			name: "terminate_child", sub: static(supervisor.OneForOne), setup: staticKids, act: terminateS,
			wantTrace:  []string{"start a", "start w", "start b", "terminate a killed"},
			wantEvents: []string{"terminated b", "terminated s"},
			orphans:    []string{"w"},
		},
		{
			name: "parent_stops", sub: static(supervisor.OneForOne), setup: staticKids,
			act: func(t *testing.T, _ *kit, root process.PID, _ map[string]process.PID) {
				if err := supervisor.Stop(root, process.Shutdown, genserver.Infinity); err != nil {
					t.Fatalf("Stop(root) = %v", err)
				}
			},
			wantTrace:  []string{"start a", "start w", "start b", "terminate a killed"},
			wantEvents: []string{"terminated b", "terminated s"},
			orphans:    []string{"w"},
		},
		{
			// s is restarting its group (b crashed; s now waits for w)
			// when root stops it: s must not start the group again.
			name: "one_for_all_mid_restart", sub: static(supervisor.OneForAll), setup: staticKids,
			act: func(t *testing.T, k *kit, root process.PID, kids map[string]process.PID) {
				_ = genserver.Cast(kids["b"], exitWith{errBoom})
				synctest.Wait() // s now waits for w, which hangs
				terminateS(t, k, root, kids)
			},
			wantTrace:  []string{"start a", "start w", "start b", "terminate b boom", "terminate a killed"},
			wantEvents: []string{"exit b", "terminated s"},
			orphans:    []string{"w"},
		},
		{
			name: "simple_one_for_one",
			sub: func(k *kit) supervisor.StartFunc {
				return func(p *process.Proc) (process.PID, error) {
					return supervisor.StartDynamicLink(p, supervisor.DynamicSpec{
						Flags: flags(supervisor.OneForOne),
						Template: &supervisor.Template{Shutdown: supervisor.Shutdown(childWait),
							Start: func(p *process.Proc, args ...any) (process.PID, error) {
								id := args[0].(string)
								conf := workerConf{trap: true}
								if id == "w" {
									conf = hangs
								}
								return genserver.StartLink(p, &worker{k: k, id: id, conf: conf})
							}},
					}, k.opts()...)
				}
			},
			setup: func(t *testing.T, _ *kit, s process.PID) map[string]process.PID {
				kids := map[string]process.PID{}
				for _, id := range []string{"a", "w"} {
					pid, err := supervisor.StartTemplateChild(context.Background(), s, id)
					if err != nil {
						t.Fatal(err)
					}
					kids[id] = pid
				}
				return kids
			},
			act: terminateS,
			// Every child gets the shutdown signal at once: a stops.
			wantTrace:  []string{"start a", "start w", "terminate a shutdown"},
			wantEvents: []string{"terminated s"},
			orphans:    []string{"w"},
		},
		{
			name: "dynamic",
			sub: func(k *kit) supervisor.StartFunc {
				return func(p *process.Proc) (process.PID, error) {
					return supervisor.StartDynamicLink(p, supervisor.DynamicSpec{Flags: flags(supervisor.OneForOne)}, k.opts()...)
				}
			},
			setup: func(t *testing.T, k *kit, s process.PID) map[string]process.PID {
				// Both hang; a has the longer timeout of the two.
				w := k.spec("w", supervisor.Permanent, hangs)
				w.Shutdown = supervisor.Shutdown(childWait)
				a := k.spec("a", supervisor.Permanent, hangs)
				a.Shutdown = supervisor.Shutdown(2 * childWait)
				kids := map[string]process.PID{}
				for _, spec := range []supervisor.ChildSpec{a, w} {
					pid, err := supervisor.StartDynamicChild(context.Background(), s, spec)
					if err != nil {
						t.Fatal(err)
					}
					kids[spec.ID] = pid
				}
				return kids
			},
			act:        terminateS,
			wantTrace:  []string{"start a", "start w"},
			wantEvents: []string{"terminated s"},
			orphans:    []string{"a", "w"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { testKilledSupervisor(t, tc) })
		})
	}
}

func testKilledSupervisor(t *testing.T, tc deathCase) {
	var ex exits
	k := newKit(t, ex.option())
	root := k.start(supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: []supervisor.ChildSpec{{
		ID: "s", Type: supervisor.SupervisorChild, Shutdown: supervisor.Shutdown(parentWait), Start: tc.sub(k),
	}}})
	s := pidOf(t, root, "s")
	kids := tc.setup(t, k, s)
	eventsBefore := len(k.events.Lines())
	began := time.Now()
	tc.act(t, k, root, kids)
	if x, ok := ex.get(s); !ok || x.Reason != process.Killed || time.Since(began) != parentWait {
		t.Errorf("s exited %v after %v (seen %v); want killed after %v", x.Reason, time.Since(began), ok, parentWait)
	}
	synctest.Wait()
	if zs := k.node.Zombies(); len(zs) != 0 {
		t.Errorf("Zombies() = %+v; want none (the dead s's goroutine returns at once)", zs)
	}

	time.Sleep(10 * childWait) // long after every child's own timeout
	synctest.Wait()
	for _, id := range tc.orphans {
		if x, dead := ex.get(kids[id]); dead {
			t.Errorf("%s exited %v after its supervisor died; want it left alone", id, x.Reason)
		}
	}
	if got := k.trace.Lines(); !slices.Equal(got, tc.wantTrace) {
		t.Errorf("trace = %q; want %q", got, tc.wantTrace)
	}
	if got := k.events.Lines()[eventsBefore:]; !slices.Equal(got, tc.wantEvents) {
		t.Errorf("events from the kill on = %q; want %q (nothing from the dead s)", got, tc.wantEvents)
	}

	// The orphans do not keep the node from stopping: Stop kills them.
	otptest.CheckStopped(t, k.node)
	for _, id := range tc.orphans {
		if x, _ := ex.get(kids[id]); x.Reason != process.Killed {
			t.Errorf("orphan %s exited %v when the node stopped; want killed", id, x.Reason)
		}
	}
}

// slowRestart is a worker whose Inits after the first last an hour (or
// until the process dies).
type slowRestart struct{ inits *int }

func (w slowRestart) Init(s *genserver.Self) error {
	*w.inits++
	if *w.inits == 1 {
		return nil
	}
	select {
	case <-time.After(time.Hour):
		return nil
	case <-s.Context().Done():
		return context.Cause(s.Context())
	}
}

func (slowRestart) HandleCast(_ *genserver.Self, msg any) error { return msg.(exitWith).reason }

// TestKilledSupervisorStartsNothing: a supervisor killed while it
// restarts a child whose Init is slow neither reports the failed start
// nor retries it: the child, linked to the dead supervisor, dies of its
// exit signal, and that is all.
func TestKilledSupervisorStartsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ex exits
		k := newKit(t, ex.option())
		inits := 0
		slow := supervisor.ChildSpec{ID: "b", Start: func(p *process.Proc) (process.PID, error) {
			return genserver.StartLink(p, slowRestart{inits: &inits})
		}}
		root := k.start(supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: []supervisor.ChildSpec{{
			ID: "s", Type: supervisor.SupervisorChild, Shutdown: supervisor.Shutdown(parentWait),
			Start: func(p *process.Proc) (process.PID, error) {
				return supervisor.StartLink(p, supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: []supervisor.ChildSpec{
					k.spec("a", supervisor.Permanent, workerConf{trap: true}), slow,
				}}, k.opts()...)
			},
		}}})
		s := pidOf(t, root, "s")
		booted := len(k.events.Lines())
		_ = genserver.Cast(pidOf(t, s, "b"), exitWith{errBoom})
		synctest.Wait() // s now waits for b's second Init
		if inits != 2 {
			t.Fatalf("b's Init ran %d times; want 2", inits)
		}
		if err := supervisor.TerminateChild(context.Background(), root, "s"); err != nil {
			t.Fatalf("TerminateChild(root, s) = %v", err)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if x, _ := ex.get(s); x.Reason != process.Killed {
			t.Errorf("s exited %v; want killed", x.Reason)
		}
		want := []string{"exit b", "terminated s"}
		if got := k.events.Lines()[booted:]; !slices.Equal(got, want) {
			t.Errorf("events after the boot = %q; want %q (nothing from the dead s)", got, want)
		}
		if got, want := k.trace.Lines(), []string{"start a", "terminate a killed"}; !slices.Equal(got, want) {
			t.Errorf("trace = %q; want %q", got, want)
		}
		if inits != 2 {
			t.Errorf("b's Init ran %d times; want 2 (no retry)", inits)
		}
	})
}

// TestKilledSupervisorUnlinkedTheChild: the child a supervisor dies
// waiting for was unlinked before its shutdown signal (OTP's
// monitor_child), so it gets no exit signal from that death; the
// supervisor's other children, still linked, do.
func TestKilledSupervisorUnlinkedTheChild(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := newKit(t)
		heard := make(chan process.Msg, 8)
		// A trapping child that, told to shut down, keeps reading its
		// mailbox and reports what else arrives.
		stubborn := supervisor.ChildSpec{ID: "w", Shutdown: supervisor.Shutdown(childWait),
			Start: func(p *process.Proc) (process.PID, error) {
				return p.Spawn(func(p *process.Proc) error {
					for {
						m, err := p.Receive(p.Context())
						if err != nil {
							return context.Cause(p.Context())
						}
						if x, ok := m.(process.Exit); !ok || x.Reason != process.Shutdown {
							heard <- m
						}
					}
				}, process.TrapExits(), process.Linked())
			}}
		root := k.start(supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: []supervisor.ChildSpec{{
			ID: "s", Type: supervisor.SupervisorChild, Shutdown: supervisor.Shutdown(parentWait),
			Start: func(p *process.Proc) (process.PID, error) {
				return supervisor.StartLink(p, supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: []supervisor.ChildSpec{
					k.spec("a", supervisor.Permanent, workerConf{trap: true}), stubborn,
				}}, k.opts()...)
			},
		}}})
		if err := supervisor.TerminateChild(context.Background(), root, "s"); err != nil {
			t.Fatalf("TerminateChild(root, s) = %v", err)
		}
		time.Sleep(10 * childWait)
		synctest.Wait()
		select {
		case m := <-heard:
			t.Errorf("w got %+v after its supervisor died; want nothing (it was unlinked)", m)
		default:
		}
		if got, want := k.trace.Lines(), []string{"start a", "terminate a killed"}; !slices.Equal(got, want) {
			t.Errorf("trace = %q; want %q", got, want)
		}
	})
}

// stubbornInit is a worker whose Init after the first traps exits and
// lasts until release is closed, whatever happens to its parent.
type stubbornInit struct {
	inits   *int
	release chan struct{}
}

func (w stubbornInit) Init(s *genserver.Self) error {
	*w.inits++
	if *w.inits > 1 {
		<-w.release
	}
	return nil
}

func (stubbornInit) HandleCast(_ *genserver.Self, msg any) error { return msg.(exitWith).reason }

// TestKilledSupervisorLeavesAStartBehind: a supervisor killed while it
// waits for a child's Init (the child traps exits, so the supervisor's
// death does not end that Init) stops waiting at once: its goroutine
// returns, it is no zombie, and it neither kills nor unlinks the child,
// which finishes its Init and handles the exit signal as OTP's would.
func TestKilledSupervisorLeavesAStartBehind(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ex exits
		k := newKit(t, ex.option())
		inits := 0
		release := make(chan struct{})
		var child process.PID
		slow := supervisor.ChildSpec{ID: "b", Start: func(p *process.Proc) (process.PID, error) {
			pid, err := genserver.StartLink(p, stubbornInit{inits: &inits, release: release},
				genserver.WithSpawnOptions(process.TrapExits()))
			return pid, err
		}}
		root := k.start(supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: []supervisor.ChildSpec{{
			ID: "s", Type: supervisor.SupervisorChild, Shutdown: supervisor.Shutdown(parentWait),
			Start: func(p *process.Proc) (process.PID, error) {
				return supervisor.StartLink(p, supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: []supervisor.ChildSpec{slow}},
					k.opts()...)
			},
		}}})
		s := pidOf(t, root, "s")
		_ = genserver.Cast(pidOf(t, s, "b"), exitWith{errBoom})
		synctest.Wait() // s now waits for b's second Init
		if inits != 2 {
			t.Fatalf("b's Init ran %d times; want 2", inits)
		}
		for _, pid := range k.node.Processes() {
			if pid != s && pid != root && k.node.IsAlive(pid) {
				child = pid
			}
		}
		if err := supervisor.TerminateChild(context.Background(), root, "s"); err != nil {
			t.Fatalf("TerminateChild(root, s) = %v", err)
		}
		if x, _ := ex.get(s); x.Reason != process.Killed {
			t.Fatalf("s exited %v; want killed", x.Reason)
		}
		time.Sleep(time.Hour) // long past any zombie grace
		synctest.Wait()
		if zs := k.node.Zombies(); len(zs) != 0 {
			t.Errorf("Zombies() = %+v; want none (the dead s stops waiting for b's Init)", zs)
		}
		if !k.node.IsAlive(child) {
			t.Errorf("b (%v) died while its Init ran; want it left alone by the dead s", child)
		}
		close(release)
		synctest.Wait()
		// b traps exits: after Init it handles s's exit signal (killed) and,
		// as a gen_server whose parent died, stops with that reason.
		if x, ok := ex.get(child); !ok || x.Reason != process.Killed {
			t.Errorf("b exited %v (seen %v) after its Init; want killed, its parent's reason", x.Reason, ok)
		}
	})
}
