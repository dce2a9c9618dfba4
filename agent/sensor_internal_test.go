package agent

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/schedule"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// TestTimerSensorTicksFromScheduler checks that a timer sensor's ticks
// are a schedule of the system's scheduler owned by the sensor process:
// exactly one while it runs, cancelled with it when it is killed, and a
// new one owned by its restarted incarnation.
func TestTimerSensorTicksFromScheduler(t *testing.T) {
	node := otptest.NewNode(t)
	sys, err := Start(node)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	t.Cleanup(func() {
		if err := sys.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	pid, err := sys.StartTimerSensor(ctx, "ticks", "tick.ms", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	owned := func(owner process.PID) bool {
		list, err := sys.sched.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(list) == 1 && list[0].Kind == schedule.Every && list[0].Owner == owner
	}
	otptest.Eventually(t, 5*time.Second, func() bool { return owned(pid) }, "no schedule owned by the sensor")
	if err := node.Exit(pid, process.Kill); err != nil {
		t.Fatal(err)
	}
	var next process.PID
	otptest.Eventually(t, 5*time.Second, func() bool {
		list, err := sys.sched.List(ctx)
		if err != nil || len(list) != 1 || list[0].Owner == pid {
			return false
		}
		next = list[0].Owner
		return true
	}, "the killed sensor's schedule was not replaced by exactly one of its restart")
	if !node.IsAlive(next) {
		t.Errorf("the schedule's owner %v is not alive", next)
	}
}

// TestTimerSensorBadInputStartsNothing checks that a timer sensor's bad
// input is an *ArgumentError from StartTimerSensor, with no sensor
// process started and no schedule added.
func TestTimerSensorBadInputStartsNothing(t *testing.T) {
	node := otptest.NewNode(t)
	sys, err := Start(node)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	t.Cleanup(func() {
		if err := sys.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	for _, c := range []struct {
		id, typ  string
		interval time.Duration
	}{{"s", "t", 0}, {"s", "t", -time.Second}, {"s", "", time.Second}, {"", "t", time.Second}} {
		_, err := sys.StartTimerSensor(ctx, c.id, c.typ, c.interval)
		var ae *ArgumentError
		if !errors.As(err, &ae) {
			t.Errorf("StartTimerSensor(%q, %q, %v) = %v, want an *ArgumentError", c.id, c.typ, c.interval, err)
		}
	}
	counts, err := supervisor.CountChildren(ctx, sys.sensors)
	if err != nil {
		t.Fatal(err)
	}
	if counts.Specs != 0 {
		t.Errorf("%d sensors started after bad input, want 0", counts.Specs)
	}
	if list, err := sys.sched.List(ctx); err != nil || len(list) != 0 {
		t.Errorf("schedules after bad input: %v, %v; want none", list, err)
	}
}
