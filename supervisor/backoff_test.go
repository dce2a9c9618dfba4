package supervisor_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// idle is a server that does nothing.
type idle struct{}

func (idle) Init(*genserver.Self) error { return nil }

// flaky is a child whose start fails while failing is set; it records
// the fake time of every start attempt, since begin.
type flaky struct {
	failing  atomic.Bool
	mu       sync.Mutex
	begin    time.Time
	attempts []time.Duration
}

func (f *flaky) start(p *process.Proc) (process.PID, error) {
	f.mu.Lock()
	f.attempts = append(f.attempts, time.Since(f.begin))
	f.mu.Unlock()
	if f.failing.Load() {
		return process.PID{}, errors.New("fault")
	}
	return genserver.StartLink(p, idle{})
}

// crash makes the child fail from now on and kills it; attempts are
// timed from now.
func (f *flaky) crash(t *testing.T, node *process.Node, sup process.PID) {
	t.Helper()
	f.mu.Lock()
	f.begin, f.attempts = time.Now(), nil
	f.mu.Unlock()
	f.failing.Store(true)
	pid := pidOf(t, sup, "c")
	if err := node.Exit(pid, process.Kill); err != nil {
		t.Fatal(err)
	}
}

func (f *flaky) seen() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.attempts...)
}

func ms(ds ...int) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = time.Duration(d) * time.Millisecond
	}
	return out
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

var testBackoff = supervisor.Backoff{Initial: 100 * time.Millisecond, Max: 400 * time.Millisecond, Reset: 10 * time.Second}

// startFlaky starts a supervisor with one flaky child c.
func startFlaky(t *testing.T, node *process.Node, f *flaky, flags supervisor.Flags, childBackoff *supervisor.Backoff, opts ...supervisor.Option) process.PID {
	t.Helper()
	sup, err := supervisor.Start(node, supervisor.Spec{Flags: flags,
		Children: []supervisor.ChildSpec{{ID: "c", Start: f.start, Backoff: childBackoff}}}, append(opts, quiet)...)
	if err != nil {
		t.Fatal(err)
	}
	return sup
}

// TestBackoffTimings: a child that keeps failing is restarted at once,
// then after 100, 200, 400, 400 ms (the cap); once the fault clears it
// runs, and after a stable Reset period its next crash restarts at once
// again. The same holds for a per-child backoff and a supervisor-wide one.
func TestBackoffTimings(t *testing.T) {
	for _, perChild := range []bool{true, false} {
		name := "supervisor"
		if perChild {
			name = "child"
		}
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				k := newKit(t)
				f := &flaky{}
				var sup process.PID
				if perChild {
					sup = startFlaky(t, k.node, f, supervisor.Flags{MaxRestarts: 100, Period: time.Hour}, &testBackoff)
				} else {
					sup = startFlaky(t, k.node, f, supervisor.Flags{MaxRestarts: 100, Period: time.Hour}, nil, supervisor.WithBackoff(testBackoff))
				}
				f.crash(t, k.node, sup)
				time.Sleep(1150 * time.Millisecond)
				synctest.Wait()
				// Attempts: the restart at once, then the retries of the
				// failed starts, each further delayed.
				if got, want := f.seen(), ms(0, 100, 300, 700, 1100); !equalDurations(got, want) {
					t.Fatalf("attempts at %v; want %v", got, want)
				}
				if got := children(t, sup)["c"].Status; got != supervisor.Restarting {
					t.Fatalf("status during the delay = %v; want Restarting", got)
				}
				f.failing.Store(false)
				time.Sleep(400 * time.Millisecond)
				synctest.Wait()
				if got := children(t, sup)["c"].Status; got != supervisor.Running {
					t.Fatalf("status once the fault cleared = %v; want Running", got)
				}
				time.Sleep(testBackoff.Reset)
				f.crash(t, k.node, sup)
				f.failing.Store(false)
				synctest.Wait()
				if got := f.seen(); !equalDurations(got, ms(0)) {
					t.Fatalf("after a stable period: attempts at %v; want one at once", got)
				}
				if err := supervisor.Stop(sup, nil, time.Second); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

// TestBackoffIntensityCounted: the delays spread the restarts, but each
// still counts against the intensity exactly as in OTP, when it is
// decided: the exit (at 0) and the retries of the failed starts (at 0,
// 100 and 300 ms); with at most 3 restarts the fourth, at 300 ms, makes
// the supervisor give up.
func TestBackoffIntensityCounted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := newKit(t)
		f := &flaky{}
		sup := startFlaky(t, k.node, f, supervisor.Flags{MaxRestarts: 3, Period: time.Hour}, &testBackoff)
		pr := k.monitor(sup)
		f.crash(t, k.node, sup)
		begin := time.Now()
		if err := k.expectExit(pr); !errors.Is(err, process.Shutdown) {
			t.Fatalf("supervisor exit = %v; want shutdown", err)
		}
		if d := time.Since(begin); d != 300*time.Millisecond {
			t.Fatalf("gave up after %v; want 300ms", d)
		}
		if got, want := f.seen(), ms(0, 100, 300); !equalDurations(got, want) {
			t.Fatalf("attempts at %v; want %v", got, want)
		}
	})
}

// TestBackoffNoStaleRevival: a child stopped (TerminateChild) or deleted
// while its restart is delayed is never started by the stale timer, and a
// supervisor that stops cancels its pending restarts.
func TestBackoffNoStaleRevival(t *testing.T) {
	for _, tc := range []struct {
		name string
		stop func(t *testing.T, sup process.PID)
	}{
		{"terminate", func(t *testing.T, sup process.PID) {
			if err := supervisor.TerminateChild(context.Background(), sup, "c"); err != nil {
				t.Fatal(err)
			}
		}},
		{"delete", func(t *testing.T, sup process.PID) {
			if err := supervisor.TerminateChild(context.Background(), sup, "c"); err != nil {
				t.Fatal(err)
			}
			if err := supervisor.DeleteChild(context.Background(), sup, "c"); err != nil {
				t.Fatal(err)
			}
		}},
		{"supervisor stop", func(t *testing.T, sup process.PID) {
			if err := supervisor.Stop(sup, nil, time.Second); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				k := newKit(t)
				f := &flaky{}
				sup := startFlaky(t, k.node, f, supervisor.Flags{MaxRestarts: 100, Period: time.Hour}, &testBackoff)
				f.crash(t, k.node, sup)
				synctest.Wait() // one attempt at once; the next is delayed 100ms
				tc.stop(t, sup)
				f.failing.Store(false)
				time.Sleep(time.Second)
				synctest.Wait()
				if got := f.seen(); !equalDurations(got, ms(0)) {
					t.Fatalf("attempts at %v; want none after the stop", got)
				}
				if tc.name == "supervisor stop" {
					return
				}
				if c, ok := children(t, sup)["c"]; ok && c.Status != supervisor.Stopped {
					t.Fatalf("child is %v; want it stopped or gone", c.Status)
				}
				if err := supervisor.Stop(sup, nil, time.Second); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

// TestBackoffLongFault: a fault that outlasts Reset keeps the delays at
// the cap: only a child that ran for Reset is stable again, not one whose
// starts keep failing.
func TestBackoffLongFault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := newKit(t)
		f := &flaky{}
		b := supervisor.Backoff{Initial: 100 * time.Millisecond, Max: 100 * time.Millisecond, Reset: 300 * time.Millisecond}
		sup := startFlaky(t, k.node, f, supervisor.Flags{MaxRestarts: 1000, Period: time.Hour}, &b)
		time.Sleep(time.Second) // stable before the fault
		f.crash(t, k.node, sup)
		time.Sleep(2*time.Second + 50*time.Millisecond)
		synctest.Wait()
		if got := f.seen(); len(got) != 21 || got[20] != 2*time.Second {
			t.Fatalf("%d attempts in 2s (last at %v); want 21, every 100ms", len(got), got[len(got)-1])
		}
		if err := supervisor.Stop(sup, nil, time.Second); err != nil {
			t.Fatal(err)
		}
	})
}

// TestBackoffDynamic: a per-spec dynamic supervisor delays a failing
// child's restarts too, and a child terminated while its restart is
// delayed (by its old PID) is never revived.
func TestBackoffDynamic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := newKit(t)
		f := &flaky{}
		sup, err := supervisor.StartDynamic(k.node, supervisor.DynamicSpec{Flags: supervisor.Flags{MaxRestarts: 100, Period: time.Hour}}, quiet)
		if err != nil {
			t.Fatal(err)
		}
		pid, err := supervisor.StartChild(context.Background(), sup, supervisor.ChildSpec{ID: "c", Start: f.start, Backoff: &testBackoff})
		if err != nil {
			t.Fatal(err)
		}
		f.mu.Lock()
		f.begin, f.attempts = time.Now(), nil
		f.mu.Unlock()
		f.failing.Store(true)
		if err := k.node.Exit(pid, process.Kill); err != nil {
			t.Fatal(err)
		}
		time.Sleep(350 * time.Millisecond)
		synctest.Wait()
		if got, want := f.seen(), ms(0, 100, 300); !equalDurations(got, want) {
			t.Fatalf("attempts at %v; want %v", got, want)
		}
		if err := supervisor.TerminateChildPID(context.Background(), sup, pid); err != nil {
			t.Fatal(err)
		}
		f.failing.Store(false)
		time.Sleep(time.Second)
		synctest.Wait()
		if got := f.seen(); len(got) != 3 {
			t.Fatalf("attempts at %v after the child was terminated; want none more", got)
		}
		if n, err := supervisor.CountChildren(context.Background(), sup); err != nil || n.Specs != 0 {
			t.Fatalf("CountChildren = %+v, %v; want no child", n, err)
		}
		if err := supervisor.Stop(sup, nil, time.Second); err != nil {
			t.Fatal(err)
		}
	})
}
