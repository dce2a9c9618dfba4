package task_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/task"
)

// A task supervisor declared in a tree's children, reached by its name.
func ExampleChildSpec() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	ctx := context.Background()

	_, err := supervisor.Start(node, supervisor.Spec{Children: []supervisor.ChildSpec{
		task.ChildSpec("tasks", task.WithName("tasks")),
	}})
	fmt.Println(err)
	tasks, _ := task.Lookup(node.Name("tasks"))
	t, _ := task.Async(ctx, tasks, func(context.Context) (int, error) { return 6 * 7, nil })
	fmt.Println(t.Await(time.Second))
	// Output:
	// <nil>
	// 42 <nil>
}

// TestChildSpecRestart: Lookup follows the tree's restarts of a task
// supervisor, and refuses what is not one.
func TestChildSpecRestart(t *testing.T) {
	node := otptest.NewNode(t)
	ctx := context.Background()
	started := make(chan process.PID, 4)
	hook := supervisor.WithEventHook(func(e supervisor.Event) {
		if s, ok := e.(supervisor.ChildStarted); ok && s.ID == "tasks" {
			started <- s.PID
		}
	})
	quiet := supervisor.WithLogger(slog.New(slog.DiscardHandler))
	sup, err := supervisor.Start(node, supervisor.Spec{Children: []supervisor.ChildSpec{
		task.ChildSpec("tasks", task.WithName("tasks")),
	}}, hook, quiet)
	if err != nil {
		t.Fatal(err)
	}
	first := recvPID(t, started)
	s1, err := task.Lookup(node.Name("tasks"))
	if err != nil || s1.PID() != first {
		t.Fatalf("Lookup = %v, %v; want the supervisor %v", s1, err, first)
	}
	if err := node.Exit(first, process.Kill); err != nil {
		t.Fatal(err)
	}
	second := recvPID(t, started)
	s2, err := task.Lookup(second)
	if err != nil || s2.PID() != second || second == first {
		t.Fatalf("Lookup after restart = %v, %v; want the new supervisor %v", s2, err, second)
	}
	tk, err := task.Async(ctx, s2, func(context.Context) (string, error) { return "ok", nil })
	if err != nil {
		t.Fatal(err)
	}
	if v, err := tk.Await(10 * time.Second); v != "ok" || err != nil {
		t.Errorf("Await = %q, %v; want ok", v, err)
	}
	if _, err := task.Lookup(first); !errors.Is(err, process.NoProc) {
		t.Errorf("Lookup(dead supervisor) = %v; want noproc", err)
	}
	if _, err := task.Lookup(sup); !errors.Is(err, process.NoProc) {
		t.Errorf("Lookup(not a task supervisor) = %v; want noproc", err)
	}
	for _, dest := range []process.Dest{nil, process.PID{}} {
		var ae *supervisor.ArgumentError
		if _, err := task.Lookup(dest); !errors.As(err, &ae) {
			t.Errorf("Lookup(%v) = %v; want an ArgumentError", dest, err)
		}
	}
	if err := supervisor.Stop(sup, process.Shutdown, 10*time.Second); err != nil {
		t.Fatal(err)
	}
}

// recvPID receives from ch, failing the test after 10 s.
func recvPID(t *testing.T, ch <-chan process.PID) process.PID {
	t.Helper()
	select {
	case pid := <-ch:
		return pid
	case <-time.After(10 * time.Second):
		t.Fatal("no ChildStarted event within 10 s")
		return process.PID{}
	}
}
