package supervisor_test

import (
	"sync"
	"testing"

	"github.com/seed-fe72f376/orchard/supervisor"
)

// TestEventHooksCompose: every WithEventHook option's hook receives every
// event, in option order; a nil hook is ignored.
func TestEventHooksCompose(t *testing.T) {
	k := newKit(t)
	var mu sync.Mutex
	var got []string
	record := func(tag string) supervisor.Option {
		return supervisor.WithEventHook(func(e supervisor.Event) {
			if s, ok := e.(supervisor.ChildStarted); ok {
				mu.Lock()
				got = append(got, tag+":"+s.ID)
				mu.Unlock()
			}
		})
	}
	_, err := supervisor.Start(k.node, supervisor.Spec{Flags: supervisor.DefaultFlags(), Children: k.specs("a", "b")},
		quiet, record("first"), record("second"))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"first:a", "second:a", "first:b", "second:b"}
	if len(got) != len(want) {
		t.Fatalf("hooks saw %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("hooks saw %v, want %v", got, want)
		}
	}
}
