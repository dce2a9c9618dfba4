package agent_test

import (
	"fmt"
	"testing"

	"github.com/seed-fe72f376/orchard/agent"
)

// TestHibernateLosesNoSignal: signals delivered while an agent hibernates
// (queued in its mailbox, or sent as its process stops) are all handled,
// in order, once it wakes.
func TestHibernateLosesNoSignal(t *testing.T) {
	_, sys := startSystem(t, agent.WithStore(agent.NewMemoryStore()))
	ctx := ctxT(t)
	const n = 400
	k := testKind(t, func(s *agent.Spec[counter]) { s.Buffer = n }) // none overflows
	if _, err := sys.Spawn(ctx, agent.Config{ID: "h", Kind: k}); err != nil {
		t.Fatal(err)
	}
	published := make(chan error, 1)
	halfway := make(chan struct{})
	go func() {
		for i := range n {
			if i == n/4 {
				close(halfway)
			}
			sig, _ := agent.NewSignal("test", "order.n", noteIn{Text: fmt.Sprint(i)})
			if _, err := sys.Publish(ctx, sig); err != nil {
				published <- err
				return
			}
		}
		published <- nil
	}()
	<-halfway
	if err := sys.Hibernate(ctx, "h"); err != nil {
		t.Fatal(err)
	}
	if err := <-published; err != nil {
		t.Fatal(err)
	}
	seen, err := agent.Run[[]string](ctx, sys, "h", "note", noteIn{Text: "end"})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != n+1 {
		t.Fatalf("the agent saw %d notes; want %d (none lost to hibernation)", len(seen), n+1)
	}
	for i := range n {
		if seen[i] != fmt.Sprint(i) {
			t.Fatalf("note %d = %q; want %d (in order)", i, seen[i], i)
		}
	}
}
