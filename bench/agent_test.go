package bench_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/agent/kvstore"
	"github.com/seed-fe72f376/orchard/engine"
	"github.com/seed-fe72f376/orchard/genserver"
)

// benchCounter is the plain genserver the agent is measured against: the
// same work (add to a counter, reply with it).
type benchCounter struct{ n int }

func (c *benchCounter) Init(*genserver.Self) error { return nil }

func (c *benchCounter) HandleCall(_ *genserver.Self, _ genserver.From, req any) (any, error) {
	c.n += req.(int)
	return c.n, nil
}

func benchKind(b *testing.B) agent.Kind {
	b.Helper()
	k, err := agent.NewKind(agent.Spec[int]{Name: "bench", Actions: []agent.Action[int]{
		agent.NewAction("add", "adds", func(_ context.Context, n *int, by int) (int, []agent.Directive, error) {
			*n += by
			return *n, nil, nil
		}),
	}})
	if err != nil {
		b.Fatal(err)
	}
	return k
}

func startAgents(b *testing.B, opts ...agent.Option) (*agent.System, context.Context) {
	b.Helper()
	node := newNode(b)
	sys, err := agent.Start(node, opts...)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	b.Cleanup(func() {
		_ = sys.Stop(ctx)
		cancel()
	})
	return sys, ctx
}

// BenchmarkAgentAction compares an action round trip (agent.Run: registry
// lookup, typed input, call, state update, reply) with a plain
// genserver.Call doing the same work. Target: agent at most 1.3x.
func BenchmarkAgentAction(b *testing.B) {
	b.Run("agent-run", func(b *testing.B) {
		b.ReportAllocs()
		sys, ctx := startAgents(b)
		if _, err := sys.Spawn(ctx, agent.Config{ID: "a", Kind: benchKind(b)}); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for range b.N {
			if _, err := agent.Run[int](ctx, sys, "a", "add", 1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("genserver-call", func(b *testing.B) {
		b.ReportAllocs()
		node := newNode(b)
		pid, err := genserver.Start(node, &benchCounter{})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		b.ResetTimer()
		for range b.N {
			if _, err := genserver.Call[int](ctx, pid, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// heap returns the live heap after a full collection.
func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkAgentMemory reports the bytes of a registry entry
// (registered-B/agent), of a live idle agent beyond its entry
// (live-B/agent; target 1 KB plus state) and of a hibernated agent beyond
// its entry, snapshot in the memory store included (hibernated-B/agent;
// target 200 B), and for scale a plain genserver (genserver-B/proc). It
// measures once per run, whatever b.N.
func BenchmarkAgentMemory(b *testing.B) {
	const n = 2000
	store := agent.NewMemoryStore()
	sys, ctx := startAgents(b, agent.WithStore(store))
	k := benchKind(b)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprint("m", i)
	}
	base := heap()
	for _, id := range ids {
		if err := sys.Register(agent.Config{ID: id, Kind: k}); err != nil {
			b.Fatal(err)
		}
	}
	registered := heap()
	for _, id := range ids {
		if _, err := sys.StartAgent(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
	live := heap()
	for _, id := range ids {
		if err := sys.Hibernate(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
	hibernated := heap()
	// for scale: a plain genserver holding the same state
	node := sys.Node()
	for range n {
		if _, err := genserver.Start(node, &benchCounter{}); err != nil {
			b.Fatal(err)
		}
	}
	plain := heap()
	per := func(hi, lo uint64) float64 { return (float64(hi) - float64(lo)) / n }
	b.ReportMetric(per(plain, hibernated), "genserver-B/proc")
	b.ReportMetric(per(registered, base), "registered-B/agent")
	b.ReportMetric(per(live, registered), "live-B/agent")
	b.ReportMetric(per(hibernated, registered), "hibernated-B/agent")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkAgentWake measures waking a hibernated agent by running an
// action on it: p50 and p99 of the Run, each op a wake, with the memory
// store and with the KV store on the node's engine (a temp dir).
func BenchmarkAgentWake(b *testing.B) {
	b.Run("memory", func(b *testing.B) {
		sys, ctx := startAgents(b, agent.WithStore(agent.NewMemoryStore()))
		benchWake(b, sys, ctx)
	})
	b.Run("kv", func(b *testing.B) {
		node := newNode(b)
		if err := engine.Configure(node, engine.Config{Dir: b.TempDir()}); err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		st, err := kvstore.OpenNodeStore(ctx, node, "")
		if err != nil {
			b.Fatal(err)
		}
		sys, err := agent.Start(node, agent.WithStore(st))
		if err != nil {
			b.Fatal(err)
		}
		defer func() { _ = sys.Stop(ctx) }()
		benchWake(b, sys, ctx)
	})
}

func benchWake(b *testing.B, sys *agent.System, ctx context.Context) {
	if _, err := sys.Spawn(ctx, agent.Config{ID: "w", Kind: benchKind(b)}); err != nil {
		b.Fatal(err)
	}
	d := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		if err := sys.Hibernate(ctx, "w"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		if _, err := agent.Run[int](ctx, sys, "w", "add", 1); err != nil {
			b.Fatal(err)
		}
		d = append(d, time.Since(t0))
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(d[min(len(d)-1, len(d)*99/100)].Microseconds()), "p99-µs")
}

// BenchmarkAgentActionRatio runs agent.Run and the plain genserver.Call
// in alternating rounds of 200 ops, so both see the same machine load,
// and reports the median of the per-round ratios (agent/genserver; target
// at most 1.3) besides each side's median ns/op.
func BenchmarkAgentActionRatio(b *testing.B) {
	sys, ctx := startAgents(b)
	if _, err := sys.Spawn(ctx, agent.Config{ID: "a", Kind: benchKind(b)}); err != nil {
		b.Fatal(err)
	}
	pid, err := genserver.Start(sys.Node(), &benchCounter{})
	if err != nil {
		b.Fatal(err)
	}
	const round = 200
	var ratios, agentNs, callNs []float64
	b.ResetTimer()
	for done := 0; done < b.N; done += round {
		t0 := time.Now()
		for range round {
			if _, err := agent.Run[int](ctx, sys, "a", "add", 1); err != nil {
				b.Fatal(err)
			}
		}
		t1 := time.Now()
		for range round {
			if _, err := genserver.Call[int](ctx, pid, 1); err != nil {
				b.Fatal(err)
			}
		}
		t2 := time.Now()
		a, c := float64(t1.Sub(t0))/round, float64(t2.Sub(t1))/round
		ratios, agentNs, callNs = append(ratios, a/c), append(agentNs, a), append(callNs, c)
	}
	med := func(v []float64) float64 { slices.Sort(v); return v[len(v)/2] }
	b.ReportMetric(med(ratios), "ratio")
	b.ReportMetric(med(agentNs), "agent-ns/op")
	b.ReportMetric(med(callNs), "call-ns/op")
}
