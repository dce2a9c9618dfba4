package process

import (
	"context"
	"errors"
	"runtime"
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
// handing it out, reading its process back, its Err and a foreign key cost
// no allocation (the standard context behind it is made only for Done,
// Cause and derived contexts).
func TestContextAllocatesNothing(t *testing.T) {
	_, p := contextNode(t)
	allocs := testing.AllocsPerRun(100, func() {
		ctx := p.Context()
		if q, ok := FromContext(ctx); !ok || q != p || ctx.Err() != nil || ctx.Value("other") != nil {
			t.Fatal("FromContext(p.Context()) lost the process")
		}
	})
	if allocs != 0 {
		t.Errorf("Context + FromContext: %v allocations; want 0", allocs)
	}
}

// TestDerivedContextsAreCancelledAtDeath: contexts derived from a live
// process's context, directly or through WithValue layers, attach to it
// as to any cancel context (no watching goroutine) and are cancelled, with
// the exit reason as their cause, before the death is over.
func TestDerivedContextsAreCancelledAtDeath(t *testing.T) {
	n, p := contextNode(t)
	type key struct{}
	before := runtime.NumGoroutine()
	var derived []context.Context
	for i := range 50 {
		var parent context.Context = p.Context()
		if i%2 == 1 {
			parent = context.WithValue(parent, key{}, i)
		}
		ctx, cancel := context.WithTimeout(parent, time.Hour)
		defer cancel()
		derived = append(derived, ctx)
	}
	// A derived context that did not find the cancel context underneath
	// would start a watching goroutine each: 25 or 50 more. (A margin for
	// unrelated goroutines of the runtime.)
	if after := runtime.NumGoroutine(); after-before >= 10 {
		t.Errorf("50 derived contexts started %d goroutines; want none", after-before)
	}
	if err := n.Exit(p.PID(), Kill); err != nil {
		t.Fatalf("Exit: %v", err)
	}
	// Exit returns once the process is dead: every derived context is
	// cancelled by then.
	for i, ctx := range derived {
		if ctx.Err() == nil || !errors.Is(context.Cause(ctx), Killed) {
			t.Errorf("derived %d: Err %v, Cause %v; want cancelled with killed", i, ctx.Err(), context.Cause(ctx))
		}
	}
	if !errors.Is(context.Cause(p.Context()), Killed) {
		// context.Cause finds the standard cancel context through a key
		// of type *int (procContext.Value): this fails if that changes.
		t.Errorf("context.Cause(p.Context()) = %v; want killed", context.Cause(p.Context()))
	}
}

// TestDerivedFromDyingProcess: a context derived while the process is
// dying (its exit hooks are running) is cancelled with the death, and
// deriving it does not block.
func TestDerivedFromDyingProcess(t *testing.T) {
	n, p := contextNode(t)
	_ = p.Context().Done() // the standard context exists before the death
	inHook, release := make(chan struct{}), make(chan struct{})
	if _, err := n.onExit(p.PID(), func(PID, error) {
		close(inHook)
		<-release
	}); err != nil {
		t.Fatalf("OnExit: %v", err)
	}
	killed := make(chan error, 1)
	ctl := make(chan struct{})
	if _, err := n.Spawn(func(*Proc) error {
		killed <- n.Exit(p.PID(), Kill) // runs the hook, which waits
		close(ctl)
		return nil
	}); err != nil {
		t.Fatalf("Spawn: %v", err)
	}
	select {
	case <-inHook:
	case <-time.After(10 * time.Second):
		t.Fatal("the exit hook did not run")
	}
	ctx, cancel := context.WithCancel(p.Context()) // mid-death
	defer cancel()
	if ctx.Err() != nil {
		t.Errorf("derived mid-death: Err %v before the death is over; want nil", ctx.Err())
	}
	close(release)
	select {
	case <-ctl:
	case <-time.After(10 * time.Second):
		t.Fatal("Exit did not return")
	}
	if err := <-killed; err != nil {
		t.Fatalf("Exit: %v", err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the context derived mid-death was never cancelled")
	}
	if !errors.Is(context.Cause(ctx), Killed) {
		t.Errorf("Cause = %v; want killed", context.Cause(ctx))
	}
}
