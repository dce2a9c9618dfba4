package process

import (
	"context"
	"errors"
	"testing"
	"time"
)

// contextNode starts a node and a process that waits for its death, and
// stops both at the end of the test.
func contextNode(t *testing.T) (*Node, *Proc) {
	t.Helper()
	n, err := NewNode()
	if err != nil {
		t.Fatalf("NewNode: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := n.Stop(ctx); err != nil {
			t.Errorf("Node.Stop: %v", err)
		}
	})
	started := make(chan *Proc, 1)
	if _, err := n.Spawn(func(p *Proc) error {
		started <- p
		<-p.Context().Done()
		return nil
	}); err != nil {
		t.Fatalf("Spawn: %v", err)
	}
	return n, <-started
}

// TestContextAllocatesNothing: a process's context is one pointer, so
// handing it out (and reading its process back) costs no allocation.
func TestContextAllocatesNothing(t *testing.T) {
	_, p := contextNode(t)
	allocs := testing.AllocsPerRun(100, func() {
		ctx := p.Context()
		if q, ok := FromContext(ctx); !ok || q != p || ctx.Err() != nil {
			t.Fatal("FromContext(p.Context()) lost the process")
		}
	})
	if allocs != 0 {
		t.Errorf("Context + FromContext: %v allocations; want 0", allocs)
	}
}

// TestDerivedContextsAreCancelledAtDeath: contexts derived from a live
// process's context are cancelled, with the exit reason as their cause,
// before the death is over; cancelling one first forgets it.
func TestDerivedContextsAreCancelledAtDeath(t *testing.T) {
	n, p := contextNode(t)
	for range 100 { // derived and cancelled early: nothing stays behind
		_, cancel := context.WithCancel(p.Context())
		cancel()
	}
	if sc := p.std.Load(); sc == nil || len(sc.afters) != 0 {
		t.Fatalf("after 100 cancelled derived contexts: %v pending; want 0", sc)
	}
	derived, cancel := context.WithTimeout(p.Context(), time.Hour)
	defer cancel()
	ran := make(chan struct{})
	stopped := context.AfterFunc(p.Context(), func() { close(ran) })
	never := procContext{p}.AfterFunc(func() { t.Error("a stopped AfterFunc ran") })
	if !never() {
		t.Fatal("stop before the death = false; want true")
	}
	if err := n.Exit(p.PID(), Kill); err != nil {
		t.Fatalf("Exit: %v", err)
	}
	// Exit returns once the process is dead: derived is cancelled by then.
	if derived.Err() == nil || !errors.Is(context.Cause(derived), Killed) {
		t.Errorf("derived: Err %v, Cause %v; want cancelled with killed", derived.Err(), context.Cause(derived))
	}
	select {
	case <-ran:
	case <-time.After(10 * time.Second):
		t.Fatal("context.AfterFunc did not run after the death")
	}
	if stopped() {
		t.Error("stop after the death = true; want false")
	}
	late := false
	procContext{p}.AfterFunc(func() { late = true })
	if !late {
		t.Error("AfterFunc on a dead process did not run at once")
	}
}
