package monitors_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/monitors"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// idle spawns a process that runs until it is killed.
func idle(node *process.Node) process.PID {
	pid, _ := node.Spawn(func(p *process.Proc) error {
		<-p.Done()
		return nil
	})
	return pid
}

// inbox spawns a process that hands every message it receives to the
// returned channel.
func inbox(node *process.Node) (process.PID, <-chan process.Msg) {
	ch := make(chan process.Msg, 16)
	pid, _ := node.Spawn(func(p *process.Proc) error {
		for {
			msg, err := p.Receive(p.Context())
			if err != nil {
				return nil
			}
			ch <- msg
		}
	})
	return pid, ch
}

// stop kills pid and waits until it is dead.
func stop(node *process.Node, pid process.PID) {
	_ = node.Exit(pid, process.Kill)
	waitDead(node, pid)
}

// waitDead returns when pid is dead: a process monitors it and returns on
// the Down (at once, with NoProc, if pid is dead already).
func waitDead(node *process.Node, pid process.PID) {
	done := make(chan struct{})
	_, err := node.Spawn(func(p *process.Proc) error {
		defer close(done)
		if _, err := p.Monitor(pid); err != nil {
			return err
		}
		_, err := p.ReceiveMatch(p.Context(), func(m process.Msg) bool {
			_, ok := m.(process.Down)
			return ok
		})
		return err
	})
	if err == nil {
		<-done
	}
}

// The caller receives a monitors.Down with the tag when the target dies,
// and the monitor is gone.
func ExampleManager_Monitor() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	m, _ := monitors.New(node)
	defer m.Close()

	caller, msgs := inbox(node)
	worker := idle(node)
	ref, _ := m.Monitor(caller, worker, "job-42")
	_ = node.Exit(worker, errors.New("disk full"))

	down := (<-msgs).(monitors.Down)
	fmt.Println(down.Ref == ref, down.Target == worker, down.Tag, down.Reason)
	fmt.Println(m.Stats().Active)
	// Output:
	// true true job-42 disk full
	// 0
}

// Monitoring a process that is already dead gives an immediate Down with
// reason NoProc, as in OTP.
func ExampleManager_Monitor_deadTarget() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	m, _ := monitors.New(node)
	defer m.Close()

	caller, msgs := inbox(node)
	gone := idle(node)
	stop(node, gone)
	_, err := m.Monitor(caller, gone, "late")
	down := (<-msgs).(monitors.Down)
	fmt.Println(err, down.Tag, errors.Is(down.Reason, process.NoProc))
	// Output:
	// <nil> late true
}

// When the caller dies, its monitors go without any message.
func ExampleManager_Monitor_callerDies() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	m, _ := monitors.New(node)
	defer m.Close()

	caller, target := idle(node), idle(node)
	_, _ = m.Monitor(caller, target, "session")
	stop(node, caller)
	s := m.Stats()
	fmt.Println(s.Active, s.Cleaned)
	// Output:
	// 0 1
}

// Demonitor removes a monitor; a second Demonitor of the same ref (or of
// a ref that has fired) is a *NotFoundError.
func ExampleManager_Demonitor() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	m, _ := monitors.New(node)
	defer m.Close()

	ref, _ := m.Monitor(idle(node), idle(node), "cache")
	fmt.Println(m.Demonitor(ref))
	err := m.Demonitor(ref)
	fmt.Println(errors.Is(err, monitors.ErrNotFound))
	// Output:
	// <nil>
	// true
}

// List shows each monitor with its caller, target, tag and age.
func ExampleManager_List() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	m, _ := monitors.New(node)
	defer m.Close()

	caller := idle(node)
	_, _ = m.Monitor(caller, idle(node), "db")
	_, _ = m.Monitor(caller, idle(node), "cache")
	for _, info := range m.List() {
		fmt.Println(info.Tag, info.Caller == caller, info.TargetAlive, info.Age >= 0)
	}
	// Output:
	// db true true true
	// cache true true true
}

// Stats counts monitors created, cleaned up by deaths, demonitored, and
// flagged as leaks.
func ExampleManager_Stats() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	m, _ := monitors.New(node)
	defer m.Close()

	caller, a, b := idle(node), idle(node), idle(node)
	ref, _ := m.Monitor(caller, a, "a")
	_, _ = m.Monitor(caller, b, "b")
	_, _ = m.Monitor(caller, b, "b2")
	_ = m.Demonitor(ref)
	stop(node, b)
	fmt.Printf("%+v\n", m.Stats())
	// Output:
	// {Created:3 Cleaned:2 Demonitored:1 Leaked:0 Undelivered:0 Active:0}
}

// FindLeaks lists the monitors older than a threshold, oldest first.
func ExampleManager_FindLeaks() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	m, _ := monitors.New(node)
	defer m.Close()

	_, _ = m.Monitor(idle(node), idle(node), "forgotten")
	fmt.Println(len(m.FindLeaks(time.Hour)))
	time.Sleep(time.Millisecond)
	for _, leak := range m.FindLeaks(0) {
		fmt.Println(leak.Tag, leak.Age > 0)
	}
	// Output:
	// 0
	// forgotten true
}

// The leak-check process reports each monitor older than the threshold
// once, through telemetry.
func ExampleWithLeakThreshold() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	reg := telemetry.New()
	leaks := make(chan string, 1)
	_ = reg.Attach("leaks", []string{monitors.EventLeakDetected},
		func(_ string, _ telemetry.Measurements, md telemetry.Metadata) { leaks <- md["tag"].(string) })
	m, _ := monitors.New(node, monitors.WithTelemetry(reg),
		monitors.WithLeakThreshold(time.Millisecond), monitors.WithCheckInterval(5*time.Millisecond))
	defer m.Close()

	_, _ = m.Monitor(idle(node), idle(node), "forgotten")
	fmt.Println("leak:", <-leaks)
	fmt.Println(m.Stats().Leaked)
	// Output:
	// leak: forgotten
	// 1
}

// Close stops the leak-check process and drops every monitor without
// notifying anyone.
func ExampleManager_Close() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	m, _ := monitors.New(node)

	_, _ = m.Monitor(idle(node), idle(node), "t")
	fmt.Println(m.Close(), node.IsAlive(m.Checker()), m.Stats().Active)
	_, err := m.Monitor(idle(node), idle(node), "t")
	fmt.Println(errors.Is(err, monitors.ErrClosed))
	// Output:
	// <nil> false 0
	// true
}

// With WithoutChecker, a supervisor owns the leak-check process and
// restarts it if it crashes.
func ExampleManager_ChildSpec() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	m, _ := monitors.New(node, monitors.WithoutChecker())
	defer m.Close()

	sup, _ := supervisor.Start(node, supervisor.Spec{
		Flags:    supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 3, Period: time.Minute},
		Children: []supervisor.ChildSpec{m.ChildSpec("leak_check")},
	})
	defer supervisor.Stop(sup, process.Shutdown, time.Second)
	fmt.Println(node.IsAlive(m.Checker()))
	// Output:
	// true
}
