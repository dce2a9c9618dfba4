package bench_test

import (
	"context"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/coord"
	"github.com/seed-fe72f376/orchard/coord/kvcoord"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
	"github.com/seed-fe72f376/orchard/process"
)

// BenchmarkCoordLock measures one uncontended lock acquire plus
// release through a coordinator (two genserver calls), with the
// in-node backend and with the JetStream KV backend on an embedded
// engine (a create and a conditional delete per op); reports locks/s.
func BenchmarkCoordLock(b *testing.B) {
	for _, tc := range []struct {
		name string
		open func(b *testing.B) coord.Backend
	}{
		{"memory", func(*testing.B) coord.Backend { return coord.NewMemoryBackend() }},
		{"jetstream-kv", openBenchKV},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			node := newNode(b)
			c, err := coord.Start(node, coord.WithBackend(tc.open(b)))
			if err != nil {
				b.Fatal(err)
			}
			holder, err := node.Spawn(func(p *process.Proc) error { <-p.Context().Done(); return nil })
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			start := time.Now()
			b.ResetTimer()
			for b.Loop() {
				l, err := c.Lock(ctx, "bench", coord.WithHolder(holder))
				if err != nil {
					b.Fatal(err)
				}
				if err := l.Release(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "locks/s")
		})
	}
}

func openBenchKV(b *testing.B) coord.Backend {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	eng, err := natsengine.Start(ctx, natsengine.Config{Dir: b.TempDir(), ServerName: "coord-bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		_ = eng.Shutdown(ctx)
	})
	kb, err := kvcoord.Open(ctx, eng.JetStream(), "", coord.DefaultLease)
	if err != nil {
		b.Fatal(err)
	}
	return kb
}

// BenchmarkCoordBarrier100 measures a barrier of 100 participant
// processes: one op is one round (every participant arrives, the
// round trips and all 100 are released); ns/op is the time per round.
func BenchmarkCoordBarrier100(b *testing.B) {
	const n = 100
	b.ReportAllocs()
	node := newNode(b)
	c, err := coord.Start(node)
	if err != nil {
		b.Fatal(err)
	}
	rounds := b.N
	done := make(chan error, n)
	b.ResetTimer()
	for range n {
		_, err := node.Spawn(func(p *process.Proc) error {
			ctx, cancel := context.WithTimeout(p.Context(), time.Minute)
			defer cancel()
			for range rounds {
				if _, err := c.Await(ctx, "bench", n); err != nil {
					done <- err
					return nil
				}
			}
			done <- nil
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for range n {
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
}
