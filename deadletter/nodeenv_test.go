package deadletter_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// addedOn counts EventAdded on r for letters to the name dest (the
// default registry is shared by the whole test binary).
type addedOn struct {
	mu sync.Mutex
	n  int
}

func countAdded(t *testing.T, r *telemetry.Registry, id, dest string) *addedOn {
	t.Helper()
	a := &addedOn{}
	if err := r.Attach(id, []string{deadletter.EventAdded}, func(_ string, _ telemetry.Measurements, md telemetry.Metadata) {
		if !strings.Contains(fmt.Sprint(md["dest"]), dest) {
			return
		}
		a.mu.Lock()
		a.n++
		a.mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Detach(id) })
	return a
}

func (a *addedOn) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n
}

// TestQueueUsesTheNodesRegistry: a queue given no registry publishes on
// its node's (process.Config.Telemetry), and on telemetry.Default() only
// for a node given none.
func TestQueueUsesTheNodesRegistry(t *testing.T) {
	reg := telemetry.New()
	for _, c := range []struct {
		name      string
		opts      []process.Option
		onNode    int
		onDefault int
	}{
		{"node registry", []process.Option{process.Config{Telemetry: reg}}, 1, 0},
		{"no node registry", nil, 0, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			node := otptest.NewNode(t, c.opts...)
			dest := "billing-" + t.Name()
			onNode := countAdded(t, reg, "node", dest)
			onDefault := countAdded(t, telemetry.Default(), "default-"+t.Name(), dest)
			q, err := deadletter.New(node, deadletter.NewMemoryStore(), deadletter.WithCodec(newCodec(t)))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = q.Close(context.Background()) })
			add(t, q, send.Letter{Dest: node.Name(dest), Msg: Order{ID: 1}})
			if got := onNode.count(); got != c.onNode {
				t.Errorf("EventAdded on the node's registry: %d; want %d", got, c.onNode)
			}
			if got := onDefault.count(); got != c.onDefault {
				t.Errorf("EventAdded on telemetry.Default(): %d; want %d", got, c.onDefault)
			}
		})
	}
}
