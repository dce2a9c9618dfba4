package process_test

import (
	"context"
	"runtime/pprof"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// A zombie's stack is found through its worker's pprof label. These tests
// put other goroutines with the same label next to it, or wipe the label,
// and check the report still shows the zombie's own goroutine, in the
// goroutine dump's form (its state first).

// zombieStack kills pid, whose code blocks in ignoreContext until release
// is closed, and returns the stack Zombies reports for it.
func zombieStack(t *testing.T, n *process.Node, pid process.PID, started <-chan struct{}) string {
	t.Helper()
	<-started
	_ = n.Exit(pid, process.Kill)
	zs := n.Zombies()
	if len(zs) != 1 || zs[0].PID != pid {
		t.Fatalf("Zombies() = %+v; want %v", zs, pid)
	}
	return zs[0].Stack
}

func checkZombieStack(t *testing.T, stack string) {
	t.Helper()
	if !strings.HasPrefix(stack, "goroutine ") || !strings.Contains(stack, "process_test.ignoreContext(") {
		t.Errorf("zombie stack is not the goroutine's entry in the dump, showing ignoreContext:\n%s", stack)
	}
}

// helperBlocked is where a goroutine started by process code waits.
func helperBlocked(release <-chan struct{}) { <-release }

func TestZombieStackNotAGoroutineItStarted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := otptest.NewNode(t)
		started, release := make(chan struct{}), make(chan struct{})
		pid, err := n.Spawn(func(*process.Proc) error {
			go helperBlocked(release) // inherits the worker's labels
			ignoreContext(started, release)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		stack := zombieStack(t, n, pid, started)
		checkZombieStack(t, stack)
		if strings.Contains(stack, "helperBlocked") {
			t.Errorf("zombie reported with its helper goroutine's stack:\n%s", stack)
		}
		close(release)
		synctest.Wait()
	})
}

// expiry counts its expirations.
type expiryCount struct{ n int }

func (e *expiryCount) Expire() { e.n++ }

func TestZombieStackNotTheSweeper(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := otptest.NewNode(t)
		started, release := make(chan struct{}), make(chan struct{})
		var d rt.Deadline
		e := &expiryCount{}
		pid, err := n.Spawn(func(*process.Proc) error {
			rt.StartDeadline(n, &d, time.Hour, e) // starts the sweeper from this worker
			ignoreContext(started, release)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		checkZombieStack(t, zombieStack(t, n, pid, started))
		close(release)
		synctest.Wait()
		if !rt.StopDeadline(n, &d) || e.n != 0 {
			t.Errorf("the hour-long deadline expired (%d) or was gone", e.n)
		}
	})
}

// TestZombieStackAfterPprofDo runs a process that changes its goroutine's
// labels with pprof.Do, which restores the labels of its context (not the
// worker's) when it returns; the worker is reused for the zombie.
func TestZombieStackAfterPprofDo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := otptest.NewNode(t)
		first, err := n.Spawn(func(p *process.Proc) error {
			pprof.Do(p.Context(), pprof.Labels("work", "x"), func(context.Context) {})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait() // the first process has ended and its worker is idle
		if n.IsAlive(first) {
			t.Fatalf("first process still alive")
		}
		started, release := make(chan struct{}), make(chan struct{})
		pid, err := n.Spawn(func(*process.Proc) error {
			ignoreContext(started, release)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		checkZombieStack(t, zombieStack(t, n, pid, started))
		close(release)
		synctest.Wait()
	})
}
