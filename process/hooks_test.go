package process_test

import (
	"sync/atomic"
	"testing"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// TestEventHooksCompose: the hooks of several WithEventHook options all
// receive every event.
func TestEventHooksCompose(t *testing.T) {
	var first, second atomic.Int64
	count := func(c *atomic.Int64) process.Option {
		return process.WithEventHook(func(e process.Event) {
			if _, ok := e.(process.Spawned); ok {
				c.Add(1)
			}
		})
	}
	node := otptest.NewNode(t, count(&first), count(&second))
	for range 3 {
		if _, err := node.Spawn(func(*process.Proc) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if first.Load() != 3 || second.Load() != 3 {
		t.Fatalf("hooks saw %d and %d spawns, want 3 each", first.Load(), second.Load())
	}
}
