package observer_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/observer"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// worker is the fixture's genserver.
type worker struct{}

func (w *worker) Init(*genserver.Self) error { return nil }

// scriptName is a registered name that would run if the page inserted
// it as HTML.
const scriptName = `<script>window.pwned=1</script><img src=x onerror="window.pwned=2">`

// fixture is a node with a demo-like tree, a busy process (a long
// mailbox), a process linked to it, one named with HTML, and an
// observer handler served by an httptest server.
type fixture struct {
	node   *process.Node
	h      *observer.Handler
	srv    *httptest.Server
	root   process.PID
	busy   process.PID
	linker process.PID
}

func newFixture(t testing.TB, cfg observer.Config) *fixture {
	t.Helper()
	node, err := process.NewNode(process.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := node.Stop(ctx); err != nil {
			t.Errorf("node stop: %v", err)
		}
	})
	return newFixtureOn(t, node, cfg)
}

// newFixtureOn builds the fixture on node, which the caller stops.
func newFixtureOn(t testing.TB, node *process.Node, cfg observer.Config) *fixture {
	t.Helper()
	f := &fixture{node: node}
	var err error
	f.root, err = supervisor.Start(node, supervisor.Spec{
		Flags: supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 100, Period: time.Second},
		Children: []supervisor.ChildSpec{
			supervisor.GenServer("ingest", worker{}),
			supervisor.GenServer("store", worker{}),
			supervisor.Subtree("pipeline", supervisor.Spec{
				Flags: supervisor.Flags{Strategy: supervisor.RestForOne, MaxRestarts: 100, Period: time.Second},
				Children: []supervisor.ChildSpec{
					supervisor.GenServer("validator", worker{}),
					supervisor.GenServer("transformer", worker{}),
				},
			}),
		},
	}, supervisor.WithName("demo"))
	if err != nil {
		t.Fatal(err)
	}
	park := func(p *process.Proc) error { <-p.Context().Done(); return nil }
	f.busy, err = node.Spawn(park, process.WithName("busy"), rt.Behaviour("sink"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		if err := node.Send(f.busy, i); err != nil {
			t.Fatal(err)
		}
	}
	busy := f.busy
	f.linker, err = node.Spawn(func(p *process.Proc) error {
		if err := p.Link(busy); err != nil {
			return err
		}
		<-p.Context().Done()
		return nil
	}, process.WithName("linker"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := node.Spawn(park, process.WithName(scriptName)); err != nil {
		t.Fatal(err)
	}
	if cfg.Interval == 0 {
		cfg.Interval = 200 * time.Millisecond
	}
	cfg.Node = node
	f.h, err = observer.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(f.h)
	t.Cleanup(func() {
		f.srv.CloseClientConnections()
		f.srv.Close()
		_ = f.h.Close()
	})
	return f
}
