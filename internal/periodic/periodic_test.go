package periodic_test

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/internal/periodic"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// TestSpawnRunsEveryInterval: the work runs once per interval, the first
// time one interval after the start, and stops with the process.
func TestSpawnRunsEveryInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node, err := process.NewNode()
		if err != nil {
			t.Fatal(err)
		}
		defer node.Stop(context.Background())
		var runs atomic.Int64
		pid, err := periodic.Spawn(node, nil, periodic.Spec{Behaviour: "test.sweeper", Every: time.Second, Work: func() { runs.Add(1) }})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(999 * time.Millisecond) // fake time (synctest)
		synctest.Wait()
		if n := runs.Load(); n != 0 {
			t.Fatalf("runs before the first interval = %d; want 0", n)
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if n := runs.Load(); n != 2 {
			t.Fatalf("runs after 2.999s = %d; want 2", n)
		}
		if info, err := node.Info(pid); err != nil || info.Behaviour != "test.sweeper" {
			t.Fatalf("Info = %+v, %v; want behaviour test.sweeper", info, err)
		}
		if err := node.Send(pid, "noise"); err != nil {
			t.Fatal(err)
		}
		_ = node.Exit(pid, process.Shutdown)
		synctest.Wait()
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if n := runs.Load(); n != 2 {
			t.Fatalf("runs after the stop = %d; want 2", n)
		}
	})
}

// TestSlotStartsOne: a slot starts a process only when its last one is
// dead, and a linked start dies with its parent.
func TestSlotStartsOne(t *testing.T) {
	node := otptest.NewNode(t)
	spec := periodic.Spec{Behaviour: "test.sweeper", Every: time.Hour, Work: func() {}}
	var s periodic.Slot
	if s.Last().Valid() {
		t.Fatal("a new Slot has a process")
	}
	first, running, err := s.Start(node, nil, spec)
	if err != nil || running {
		t.Fatalf("Start = %v, running %t, %v; want a new process", first, running, err)
	}
	again, running, err := s.Start(node, nil, spec)
	if err != nil || !running || again != first {
		t.Fatalf("second Start = %v, running %t, %v; want %v running", again, running, err, first)
	}
	_ = node.Exit(first, process.Kill)
	<-s.Last().Done()
	second, running, err := s.Start(node, nil, spec)
	if err != nil || running || second == first {
		t.Fatalf("Start after a death = %v, running %t, %v; want a new process", second, running, err)
	}
	_ = node.Exit(second, process.Shutdown)
	<-s.Last().Done()
}
