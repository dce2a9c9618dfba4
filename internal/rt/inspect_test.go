package rt_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

func TestPeekCopiesTheFirstMessages(t *testing.T) {
	n := otptest.NewNode(t)
	release := make(chan struct{})
	pid, err := n.Spawn(func(p *process.Proc) error { <-release; return nil })
	if err != nil {
		t.Fatal(err)
	}
	defer close(release)
	for i := range 5 {
		if err := n.Send(pid, i); err != nil {
			t.Fatal(err)
		}
	}
	got, err := rt.Peek(n, pid, 3)
	if err != nil || len(got) != 3 || got[0] != 0 || got[2] != 2 {
		t.Fatalf("Peek = %v, %v; want [0 1 2]", got, err)
	}
	got[0] = 99 // a copy: the mailbox is untouched
	if again, _ := rt.Peek(n, pid, 10); len(again) != 5 || again[0] != 0 {
		t.Fatalf("second Peek = %v; want the five messages", again)
	}
	if empty, err := rt.Peek(n, pid, -1); err != nil || len(empty) != 0 {
		t.Fatalf("Peek with a negative max = %v, %v", empty, err)
	}
	if n.Stats().Processes != 1 {
		t.Fatal("Peek changed the node")
	}
}

func TestStackOfARunningProcess(t *testing.T) {
	n := otptest.NewNode(t)
	release := make(chan struct{})
	pid, err := n.Spawn(func(p *process.Proc) error { parkedForStack(release); return nil })
	if err != nil {
		t.Fatal(err)
	}
	defer close(release)
	otptest.Eventually(t, 5*time.Second, func() bool {
		st, err := rt.Stack(n, pid)
		return err == nil && strings.Contains(st, "parkedForStack")
	}, "the stack of a parked Func process names its function")

	idle, err := n.SpawnHandler(idleHandler{})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := rt.Stack(n, idle); err != nil || st != "" {
		t.Fatalf("Stack of an idle handler = %q, %v; want none", st, err)
	}
}

//go:noinline
func parkedForStack(release <-chan struct{}) { <-release }

func TestInspectDeadProcess(t *testing.T) {
	n := otptest.NewNode(t)
	pid, err := n.Spawn(func(*process.Proc) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	otptest.Eventually(t, 5*time.Second, func() bool { return !n.IsAlive(pid) })
	var np *process.NoProcError
	if _, err := rt.Peek(n, pid, 1); !errors.As(err, &np) {
		t.Errorf("Peek of a dead process = %v; want *NoProcError", err)
	}
	if _, err := rt.Stack(n, pid); !errors.As(err, &np) {
		t.Errorf("Stack of a dead process = %v; want *NoProcError", err)
	}
	if _, err := rt.Peek(nil, pid, 1); !errors.Is(err, process.ErrInvalidArgument) {
		t.Errorf("Peek on a nil node = %v; want ErrInvalidArgument", err)
	}
	if _, err := rt.Stack(nil, pid); !errors.Is(err, process.ErrInvalidArgument) {
		t.Errorf("Stack on a nil node = %v; want ErrInvalidArgument", err)
	}
}

type idleHandler struct{}

func (idleHandler) HandleMessage(*process.Proc, process.Msg) error { return nil }
