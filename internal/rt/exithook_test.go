package rt_test

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

func TestOnExitRunsBeforeDone(t *testing.T) {
	n := otptest.NewNode(t)
	release := make(chan struct{})
	pid, err := n.Spawn(func(p *process.Proc) error {
		<-release
		return errBoom
	})
	if err != nil {
		t.Fatalf("Spawn = %v; want nil", err)
	}
	target, err := rt.LookupOn(n, pid)
	if err != nil {
		t.Fatalf("Lookup = %v; want nil", err)
	}
	var calls atomic.Int32
	var got error
	if _, err := rt.OnExit(n, pid, func(dead process.PID, reason error) {
		if dead != pid {
			t.Errorf("hook pid = %v; want %v", dead, pid)
		}
		got = reason
		calls.Add(1)
	}); err != nil {
		t.Fatalf("OnExit = %v; want nil", err)
	}
	cancelled, err := rt.OnExit(n, pid, func(process.PID, error) { calls.Add(100) })
	if err != nil {
		t.Fatalf("OnExit = %v; want nil", err)
	}
	if !cancelled.Cancel() {
		t.Fatalf("Cancel = false; want true")
	}
	if cancelled.Cancel() {
		t.Fatalf("second Cancel = true; want false")
	}
	close(release)
	<-target.Done()
	if c := calls.Load(); c != 1 {
		t.Fatalf("hook calls = %d at Done; want 1", c)
	}
	if !errors.Is(got, errBoom) {
		t.Fatalf("hook reason = %v; want %v", got, errBoom)
	}
}

func TestOnExitDeadProcess(t *testing.T) {
	n := otptest.NewNode(t)
	pid := deadPID(t, n)
	h, err := rt.OnExit(n, pid, func(process.PID, error) { t.Error("hook ran for a dead process") })
	if h != nil || !errors.Is(err, process.NoProc) {
		t.Fatalf("OnExit(dead) = %v, %v; want nil, NoProc", h, err)
	}
	if _, err := rt.OnExit(n, process.PID{}, func(process.PID, error) {}); !errors.Is(err, process.ErrInvalidPID) {
		t.Fatalf("OnExit(zero) = %v; want ErrInvalidPID", err)
	}
	if _, err := rt.OnExit(n, pid, nil); !errors.Is(err, process.ErrInvalidOption) {
		t.Fatalf("OnExit(nil func) = %v; want ErrInvalidOption", err)
	}
}

func TestOnExitCancelAfterDeath(t *testing.T) {
	n := otptest.NewNode(t)
	pid, err := n.Spawn(func(p *process.Proc) error {
		_, err := p.Receive(p.Context())
		return err
	})
	if err != nil {
		t.Fatalf("Spawn = %v; want nil", err)
	}
	target, _ := rt.LookupOn(n, pid)
	ran := make(chan error, 1)
	h, err := rt.OnExit(n, pid, func(_ process.PID, reason error) { ran <- reason })
	if err != nil {
		t.Fatalf("OnExit = %v; want nil", err)
	}
	if err := n.Exit(pid, process.Kill); err != nil {
		t.Fatalf("Exit = %v; want nil", err)
	}
	<-target.Done()
	if reason := <-ran; !errors.Is(reason, process.Killed) {
		t.Fatalf("hook reason = %v; want Killed", reason)
	}
	if h.Cancel() {
		t.Fatalf("Cancel after death = true; want false")
	}
}

// TestOnExitPanickingHook: a hook that panics is skipped; the next hooks
// run and the process's Done still closes.
func TestOnExitPanickingHook(t *testing.T) {
	n := otptest.NewNode(t)
	pid, err := n.Spawn(func(p *process.Proc) error { <-p.Done(); return nil })
	if err != nil {
		t.Fatal(err)
	}
	ran := make(chan struct{}, 1)
	if _, err := rt.OnExit(n, pid, func(process.PID, error) { ran <- struct{}{} }); err != nil {
		t.Fatal(err)
	}
	if _, err := rt.OnExit(n, pid, func(process.PID, error) { panic("hook") }); err != nil {
		t.Fatal(err)
	}
	target, err := rt.LookupOn(n, pid)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Exit(pid, process.Kill); err != nil {
		t.Fatal(err)
	}
	<-target.Done()
	select {
	case <-ran:
	default:
		t.Fatal("the hook after a panicking one did not run")
	}
}
