package rt_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// TestEventHooksCompose: the hooks of several WithEventHook options all
// receive every event, in the order of the options, and a spawn's
// Spawned comes before its Exited.
func TestEventHooksCompose(t *testing.T) {
	var mu sync.Mutex
	var trace []string
	var events []process.PID
	hook := func(name string) process.Option {
		return rt.WithEventHook(func(e rt.Event) {
			mu.Lock()
			defer mu.Unlock()
			switch e := e.(type) {
			case rt.Spawned:
				trace = append(trace, name+" spawned "+e.Behaviour)
				events = append(events, e.PID)
			case rt.Exited:
				trace = append(trace, name+" exited "+process.FormatReason(e.Reason))
				events = append(events, e.PID)
			}
		})
	}
	node := otptest.NewNode(t, hook("first"), hook("second"))
	probe := otptest.NewProbe(t, node)
	pid, err := node.Spawn(func(p *process.Proc) error {
		if _, err := p.Receive(p.Context()); err != nil {
			return err
		}
		return errors.New("boom")
	}, rt.Behaviour("b"))
	if err != nil {
		t.Fatal(err)
	}
	probe.Monitor(pid)
	if err := node.Send(pid, "go"); err != nil {
		t.Fatal(err)
	}
	probe.ExpectDown(t, 5*time.Second) // Exited is published before Down
	mu.Lock()
	defer mu.Unlock()
	var got []string
	for i, p := range events {
		if p == pid {
			got = append(got, trace[i])
		}
	}
	trace = got
	want := []string{"first spawned b", "second spawned b", "first exited boom", "second exited boom"}
	if len(trace) != len(want) {
		t.Fatalf("trace = %q; want %q", trace, want)
	}
	for i := range want {
		if trace[i] != want[i] {
			t.Fatalf("trace = %q; want %q", trace, want)
		}
	}
}

// TestEventHookNil: a nil hook gives an option NewNode refuses.
func TestEventHookNil(t *testing.T) {
	_, err := process.NewNode(rt.WithEventHook(nil))
	var ae *process.ArgumentError
	if !errors.Is(err, process.ErrInvalidArgument) || !errors.As(err, &ae) || ae.Op != "rt: WithEventHook" {
		t.Fatalf("NewNode(WithEventHook(nil)) = %v; want an *ArgumentError of rt: WithEventHook", err)
	}
}
