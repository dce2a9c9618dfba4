package agent_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/seed-fe72f376/orchard/agent"
)

// TestPublishTo: a signal routed to one agent reaches it alone, through
// each of its matching routes; an unknown id is an UnknownAgentError.
func TestPublishTo(t *testing.T) {
	_, sys := startSystem(t)
	ctx := ctxT(t)
	k := testKind(t, nil)
	for _, id := range []string{"a", "b"} {
		if _, err := sys.Spawn(ctx, agent.Config{ID: id, Kind: k}); err != nil {
			t.Fatal(err)
		}
	}
	sig, _ := agent.NewSignal("test", "order.created", noteIn{Text: "for a"})
	if n, err := sys.PublishTo(ctx, "a", sig); err != nil || n != 1 {
		t.Fatalf("PublishTo(a) = %d, %v; want 1", n, err)
	}
	other, _ := agent.NewSignal("test", "invoice.created", noteIn{Text: "no route"})
	if n, err := sys.PublishTo(ctx, "a", other); err != nil || n != 0 {
		t.Errorf("PublishTo(a) of an unrouted type = %d, %v; want 0", n, err)
	}
	seenA, _ := agent.Run[[]string](ctx, sys, "a", "note", noteIn{Text: "end"})
	seenB, _ := agent.Run[[]string](ctx, sys, "b", "note", noteIn{Text: "end"})
	if !slices.Equal(seenA, []string{"for a", "end"}) || !slices.Equal(seenB, []string{"end"}) {
		t.Errorf("a saw %v, b saw %v; want only a to get the signal", seenA, seenB)
	}
	if _, err := sys.PublishTo(ctx, "nobody", sig); !errors.Is(err, agent.ErrUnknownAgent) {
		t.Errorf("PublishTo(nobody) = %v; want ErrUnknownAgent", err)
	}
	if got := agent.KindRoutes(k); len(got) != 2 || got[0].Pattern != "order.*" {
		t.Errorf("KindRoutes = %v", got)
	}
	if agent.KindRoutes(nil) != nil {
		t.Error("KindRoutes(nil) not nil")
	}
}
