package task_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/task"
)

// nilCtx is a nil context, passed on purpose: it is bad input.
var nilCtx context.Context

// streamErr runs a Stream over one item and returns its errors joined.
func streamErr(ctx context.Context, sup *task.Supervisor, opts ...task.StreamOption) error {
	return streamErrOf(ctx, sup, slices.Values([]int{1}), func(context.Context, int) (int, error) { return 1, nil }, opts...)
}

func streamErrOf(ctx context.Context, sup *task.Supervisor, seq func(func(int) bool), fn func(context.Context, int) (int, error), opts ...task.StreamOption) error {
	var errs []error
	n := 0
	for _, err := range task.Stream(ctx, sup, seq, fn, opts...) {
		n++
		errs = append(errs, err)
	}
	if n != 1 {
		return fmt.Errorf("stream yielded %d elements; want 1", n)
	}
	return errors.Join(errs...)
}

func TestBadInput(t *testing.T) {
	inv := task.ErrInvalidArgument
	node, sup := newSup(t)
	stopped, err := process.NewNode()
	if err != nil {
		t.Fatal(err)
	}
	if err := stopped.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	bg := context.Background()
	var nilSup *task.Supervisor
	var nilTask *task.Task[int]
	fn := func(context.Context) (int, error) { return 1, nil }
	body := func(context.Context) error { return nil }

	cases := []struct {
		name string
		call func() error
		want error
	}{
		{"StartSupervisor(nil node)", func() error { _, err := task.StartSupervisor(nil); return err }, inv},
		{"StartSupervisor(nil option)", func() error { _, err := task.StartSupervisor(node, nil); return err }, inv},
		{"StartSupervisor(stopped node)", func() error { _, err := task.StartSupervisor(stopped); return err }, process.ErrNodeStopped},
		{"WithName(\"\")", func() error { _, err := task.StartSupervisor(node, task.WithName("")); return err }, inv},
		{"WithMaxChildren(-1)", func() error { _, err := task.StartSupervisor(node, task.WithMaxChildren(-1)); return err }, inv},
		{"WithShutdown(-3)", func() error { _, err := task.StartSupervisor(node, task.WithShutdown(-3)); return err }, inv},
		{"WithLogger(nil)", func() error { _, err := task.StartSupervisor(node, task.WithLogger(nil)); return err }, inv},
		{"StartSupervisorLink(nil)", func() error { _, err := task.StartSupervisorLink(nil); return err }, inv},

		{"nil Supervisor.Stop", func() error { return nilSup.Stop(time.Second) }, inv},
		{"zero Supervisor.Stop", func() error { return new(task.Supervisor).Stop(time.Second) }, inv},
		{"Supervisor.Stop(0)", func() error { return sup.Stop(0) }, inv},
		{"nil Supervisor.PID", func() error {
			if !nilSup.PID().IsZero() || nilSup.Node() != nil {
				return errors.New("not zero")
			}
			return nil
		}, nil},

		{"Start(nil sup)", func() error { _, err := task.Start(nil, body); return err }, inv},
		{"Start(zero sup)", func() error { _, err := task.Start(new(task.Supervisor), body); return err }, inv},
		{"Start(nil fn)", func() error { _, err := task.Start(sup, nil); return err }, inv},
		{"Async(nil ctx)", func() error { _, err := task.Async(nilCtx, sup, fn); return err }, inv},
		{"Async(nil sup)", func() error { _, err := task.Async(bg, nil, fn); return err }, inv},
		{"Async(nil fn)", func() error { _, err := task.Async[int](bg, sup, nil); return err }, inv},
		{"AsyncNoLink(nil ctx)", func() error { _, err := task.AsyncNoLink(nilCtx, sup, fn); return err }, inv},
		{"AsyncNoLink(nil sup)", func() error { _, err := task.AsyncNoLink(bg, nil, fn); return err }, inv},
		{"AsyncNoLink(nil fn)", func() error { _, err := task.AsyncNoLink[int](bg, sup, nil); return err }, inv},

		{"nil Task.Await", func() error { _, err := nilTask.Await(time.Second); return err }, inv},
		{"nil Task.Yield", func() error { _, _, err := nilTask.Yield(time.Second); return err }, inv},
		{"nil Task.Shutdown", func() error { _, _, err := nilTask.Shutdown(time.Second); return err }, inv},
		{"zero Task.Await", func() error { _, err := new(task.Task[int]).Await(time.Second); return err }, inv},
		{"nil Task.PID", func() error {
			if !nilTask.PID().IsZero() {
				return errors.New("not zero")
			}
			return nil
		}, nil},
		{"Await(nil option)", func() error {
			tk, err := task.AsyncNoLink(bg, sup, fn)
			if err != nil {
				return err
			}
			if _, err := tk.Await(time.Second, nil); !errors.Is(err, inv) {
				return fmt.Errorf("Await(nil option) = %v", err)
			}
			_, err = tk.Await(time.Minute) // the task was left alone: its result is there
			return err
		}, nil},

		{"Stream(nil ctx)", func() error { return streamErr(nilCtx, sup) }, inv},
		{"Stream(nil sup)", func() error { return streamErr(bg, nil) }, inv},
		{"Stream(nil seq)", func() error {
			return streamErrOf(bg, sup, nil, func(context.Context, int) (int, error) { return 1, nil })
		}, inv},
		{"Stream(nil fn)", func() error { return streamErrOf(bg, sup, slices.Values([]int{1}), nil) }, inv},
		{"Stream(nil option)", func() error { return streamErr(bg, sup, nil) }, inv},
		{"Stream(MaxConcurrency(0))", func() error { return streamErr(bg, sup, task.MaxConcurrency(0)) }, inv},
		{"Stream(Timeout(0))", func() error { return streamErr(bg, sup, task.Timeout(0)) }, inv},
		{"Stream(Timeout(-1))", func() error { return streamErr(bg, sup, task.Timeout(-time.Second)) }, inv},
		{"Stream(OnTimeout(9))", func() error { return streamErr(bg, sup, task.OnTimeout(9)) }, inv},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := otptest.NoPanic(tc.call)
			switch {
			case tc.want == nil && err != nil:
				t.Fatalf("%s = %v; want nil", tc.name, err)
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Fatalf("%s = %v; want an error matching %v", tc.name, err, tc.want)
			}
		})
	}
	// No bad call started a task, and the supervisor still runs.
	counts, err := supervisor.CountChildren(bg, sup.PID())
	if err != nil {
		t.Fatalf("CountChildren = %v; want nil", err)
	}
	if counts.Active != 0 {
		t.Fatalf("CountChildren = %+v after bad calls; want no active task", counts)
	}
}
