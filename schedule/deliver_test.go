package schedule_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/schedule"
	"github.com/seed-fe72f376/orchard/supervisor"
)

var errExhausted = errors.New("fake send: retries exhausted, dead-lettered")

// fakeSend simulates package send's supervised send: up to attempts
// tries with doubling backoff; the first failFirst tries fail; when all
// fail, the message goes to its dead letters and Deliver returns
// errExhausted.
type fakeSend struct {
	node      *process.Node
	attempts  int
	backoff   time.Duration
	mu        sync.Mutex
	failFirst int // tries left to fail, across deliveries
	tries     int
	dead      []any
}

func (f *fakeSend) Deliver(ctx context.Context, dest process.Dest, msg any) error {
	wait := f.backoff
	for try := 1; ; try++ {
		if f.try() {
			return f.node.SendDest(dest, msg)
		}
		if try == f.attempts {
			f.mu.Lock()
			f.dead = append(f.dead, msg)
			f.mu.Unlock()
			return fmt.Errorf("%w after %d attempts", errExhausted, try)
		}
		select {
		case <-time.After(wait):
			wait *= 2
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// try records one attempt and reports whether it succeeds.
func (f *fakeSend) try() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries++
	if f.failFirst > 0 {
		f.failFirst--
		return false
	}
	return true
}

func (f *fakeSend) deadLetters() []any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]any(nil), f.dead...)
}

// TestDelivererRetriesThenSucceeds: the deliverer's retries are invisible
// to the scheduler when they end in success: no failure, the message
// arrives after the backoff, the schedule goes on.
func TestDelivererRetriesThenSucceeds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		rec := newRecorder(t)
		send := &fakeSend{node: node, attempts: 3, backoff: 100 * time.Millisecond, failFirst: 2}
		s := start(t, node, rec, schedule.WithDeliverer(send))
		sk := newSink(t, node)
		t0 := time.Now()
		if _, err := s.Every(ctx, time.Minute, sk.pid, "tick"); err != nil {
			t.Fatal(err)
		}
		sk.wait(t, 2, time.Hour)
		got := sk.arrivals()
		if d := got[0].at.Sub(t0); d != time.Minute+300*time.Millisecond {
			t.Errorf("first arrival after %v; want 1m0.3s (two backoffs)", d)
		}
		if d := got[1].at.Sub(t0); d != 2*time.Minute {
			t.Errorf("second arrival after %v; want 2m", d)
		}
		if ev := rec.of(schedule.EventDeliveryFailed); len(ev) != 0 {
			t.Errorf("delivery_failed events = %+v; want none", ev)
		}
	})
}

// TestDelivererExhaustedIsReportedAndScheduleContinues: a delivery whose
// retries are exhausted ends as a dead letter (in the deliverer), is
// reported through telemetry and OnFailure, and the Every goes on.
func TestDelivererExhaustedIsReportedAndScheduleContinues(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		rec := newRecorder(t)
		f := newFailures()
		send := &fakeSend{node: node, attempts: 3, backoff: time.Second, failFirst: 3}
		s := start(t, node, rec, schedule.WithDeliverer(send), f.option())
		sk := newSink(t, node)
		id, err := s.Every(ctx, time.Minute, sk.pid, "tick")
		if err != nil {
			t.Fatal(err)
		}
		<-f.note
		sk.wait(t, 1, time.Hour) // the next run succeeds
		if dl := send.deadLetters(); len(dl) != 1 || dl[0] != "tick" {
			t.Errorf("dead letters = %v; want [tick]", dl)
		}
		fs := f.get()
		if len(fs) != 1 || fs[0].ID != id || fs[0].Msg != "tick" || fs[0].Last || !errors.Is(fs[0].Reason, errExhausted) {
			t.Errorf("failures = %+v; want one exhausted, not last, for %s", fs, id)
		}
		ev := rec.of(schedule.EventDeliveryFailed)
		if len(ev) != 1 || ev[0].md["id"] != id || !errors.Is(ev[0].md["reason"].(error), errExhausted) {
			t.Errorf("delivery_failed events = %+v; want one exhausted", ev)
		}
		if infos := list(t, s); len(infos) != 1 || infos[0].Runs != 2 || infos[0].Failures != 1 {
			t.Errorf("List = %+v; want 2 runs, 1 failure", infos)
		}
	})
}

// TestAfterFailureIsReportedAsLast: an After whose delivery fails is
// reported (Last), not dropped silently.
func TestAfterFailureIsReportedAsLast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		f := newFailures()
		boom := errors.New("boom")
		d := schedule.DelivererFunc(func(context.Context, process.Dest, any) error { return boom })
		s := start(t, node, nil, schedule.WithDeliverer(d), f.option())
		sk := newSink(t, node)
		id, _ := s.After(ctx, time.Second, sk.pid, "once")
		<-f.note
		if fs := f.get(); len(fs) != 1 || fs[0].ID != id || !fs[0].Last || fs[0].Kind != schedule.After || !errors.Is(fs[0].Reason, boom) {
			t.Errorf("failures = %+v; want the After's last failure (boom)", fs)
		}
	})
}

func TestDelivererPanicIsReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		f := newFailures()
		d := schedule.DelivererFunc(func(context.Context, process.Dest, any) error { panic("deliverer bug") })
		s := start(t, node, nil, schedule.WithDeliverer(d), f.option())
		sk := newSink(t, node)
		if _, err := s.Every(ctx, time.Second, sk.pid, "x"); err != nil {
			t.Fatal(err)
		}
		<-f.note
		var pe *process.PanicError
		if fs := f.get(); len(fs) != 1 || !errors.As(fs[0].Reason, &pe) {
			t.Errorf("failures = %+v; want a *process.PanicError", fs)
		}
		if _, err := s.List(ctx); err != nil {
			t.Errorf("scheduler died with the deliverer: %v", err)
		}
	})
}

// TestSlowDeliverySkipsOverlappingRuns: at most one delivery per schedule
// runs; firings meanwhile are skipped and counted, and the delivery
// timeout cancels a stuck delivery.
func TestSlowDeliverySkipsOverlappingRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		rec := newRecorder(t)
		f := newFailures()
		d := schedule.DelivererFunc(func(ctx context.Context, _ process.Dest, _ any) error {
			<-ctx.Done() // stuck until the delivery timeout
			return ctx.Err()
		})
		s := start(t, node, rec, schedule.WithDeliverer(d), schedule.WithDeliveryTimeout(2500*time.Millisecond), f.option())
		sk := newSink(t, node)
		if _, err := s.Every(ctx, time.Second, sk.pid, "x"); err != nil {
			t.Fatal(err)
		}
		<-f.note // fired at 1s, timed out at 3.5s; 2s and 3s skipped
		if fs := f.get(); len(fs) != 1 || !errors.Is(fs[0].Reason, context.DeadlineExceeded) {
			t.Errorf("failures = %+v; want one deadline exceeded", fs)
		}
		if n := len(rec.of(schedule.EventSkipped)); n != 2 {
			t.Errorf("%d skipped events; want 2", n)
		}
		if infos := list(t, s); len(infos) != 1 || infos[0].Skipped != 2 {
			t.Errorf("List = %+v; want Skipped 2", infos)
		}
	})
}

// TestSupervisedScheduler: started by a supervisor through StartFunc,
// found by name, and stopped with it: its running delivery is stopped
// too (otptest checks that no process or timer is left).
func TestSupervisedScheduler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		running := make(chan struct{}, 1)
		d := schedule.DelivererFunc(func(ctx context.Context, _ process.Dest, _ any) error {
			running <- struct{}{}
			<-ctx.Done()
			return ctx.Err()
		})
		sup, err := supervisor.Start(node, supervisor.Spec{
			Flags: supervisor.DefaultFlags(),
			Children: []supervisor.ChildSpec{{
				ID:    "scheduler",
				Start: schedule.StartFunc(schedule.WithName("sched"), schedule.WithDeliverer(d)),
			}},
		})
		if err != nil {
			t.Fatal(err)
		}
		s := schedule.For(node.Name("sched"))
		sk := newSink(t, node)
		if _, err := s.After(ctx, time.Second, sk.pid, "x"); err != nil {
			t.Fatal(err)
		}
		<-running
		if err := supervisor.Stop(sup, process.Shutdown, time.Minute); err != nil {
			t.Fatalf("supervisor Stop: %v", err)
		}
		synctest.Wait()
		if n := len(node.Processes()); n != 1 { // the sink
			t.Errorf("%d processes left: %v; want only the sink", n, node.Processes())
		}
	})
}
