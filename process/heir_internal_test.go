package process

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// watcher is an idle process that hears of its child's death: through a
// link while trapping exits, or through a monitor. It records the worker
// each notice ran on.
type watcher struct {
	monitor bool
	child   PID
	ran     []uint64 // worker serials, one per Exit or Down
}

func (w *watcher) HandleStart(p *Proc) error {
	child, err := p.Spawn(func(c *Proc) error {
		if _, err := c.Receive(c.Context()); err != nil {
			return err
		}
		diedOn <- c.worker.Load()
		return errors.New("boom")
	}, spawnOpts(w.monitor)...)
	w.child = child
	if err == nil && w.monitor {
		_, err = p.Monitor(child)
	}
	return err
}

func spawnOpts(monitor bool) []SpawnOption {
	if monitor {
		return nil
	}
	return []SpawnOption{Linked()}
}

func (w *watcher) HandleMessage(p *Proc, m Msg) error {
	switch m.(type) {
	case Exit, Down:
		w.ran = append(w.ran, p.worker.Load())
	}
	return nil
}

// newHeirNode returns a node that stops when the test ends.
func newHeirNode(t *testing.T) *Node {
	t.Helper()
	n, err := NewNode()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = n.Stop(ctx)
	})
	return n
}

// diedOn carries the worker serial of the dying child (one test at a time
// uses it; the tests below do not run in parallel).
var diedOn = make(chan uint64, 1)

// TestHeirRunsOnTheDyingWorker: a process that is idle when its linked
// (trapping) or monitored child dies hears of the death on the child's own
// worker, right after the death, instead of on a worker woken for it (the
// heir hand-off, run.go); it hears of it exactly once.
func TestHeirRunsOnTheDyingWorker(t *testing.T) {
	for _, monitor := range []bool{false, true} {
		name := "link"
		if monitor {
			name = "monitor"
		}
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n := newHeirNode(t)
				w := &watcher{monitor: monitor}
				opts := []SpawnOption{TrapExits()}
				if monitor {
					opts = nil
				}
				if _, err := n.SpawnHandler(w, opts...); err != nil {
					t.Fatal(err)
				}
				synctest.Wait() // the watcher has started and is idle: no worker holds it
				if err := n.Send(w.child, "die"); err != nil {
					t.Fatal(err)
				}
				child := <-diedOn
				synctest.Wait()
				if len(w.ran) != 1 {
					t.Fatalf("the watcher heard of the death %d times; want 1", len(w.ran))
				}
				if w.ran[0] != child {
					t.Errorf("the watcher ran on worker %d, the dying child on %d; want the same worker", w.ran[0], child)
				}
			})
		})
	}
}

// linkThenFail is a starter that links to a process, then fails its
// start.
type linkThenFail struct{ to PID }

func (l linkThenFail) HandleStart(p *Proc) error {
	if err := p.Link(l.to); err != nil {
		return err
	}
	return errBoomHeir
}

func (linkThenFail) HandleMessage(*Proc, Msg) error { return nil }

var errBoomHeir = errors.New("boom")

// trapper hands the first message it gets to got, and ends when the node
// stops (an Exit from no process).
type trapper struct{ got chan Msg }

func (t trapper) HandleMessage(_ *Proc, m Msg) error {
	if e, ok := m.(Exit); ok && e.From.IsZero() {
		return e.Reason
	}
	select {
	case t.got <- m:
	default:
	}
	return nil
}

// TestInlineStartHeirIsDispatched: a process whose inline start (on the
// spawner's goroutine) fails makes its idle, trapping link runnable; the
// spawner goes on with its own work, so that heir is handed to a worker,
// and its Exit is handled.
func TestInlineStartHeirIsDispatched(t *testing.T) {
	n := newHeirNode(t)
	tr := trapper{got: make(chan Msg, 1)}
	w, err := n.SpawnHandler(tr, TrapExits()) // no HandleStart: idle until a message
	if err != nil {
		t.Fatal(err)
	}
	failed, err := n.SpawnHandler(linkThenFail{to: w}, bridge{}.StartInline())
	if err != nil {
		t.Fatal(err)
	}
	timer := time.NewTimer(5 * time.Second)
	defer timer.Stop()
	select {
	case m := <-tr.got:
		if e, ok := m.(Exit); !ok || e.From != failed || !errors.Is(e.Reason, errBoomHeir) {
			t.Errorf("the trapping link got %#v; want Exit from %v with reason boom", m, failed)
		}
	case <-timer.C:
		t.Fatal("the trapping link never handled the Exit of the process whose inline start failed")
	}
}
