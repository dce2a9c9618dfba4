package bench_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/deadletter/jsstore"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// deadLetterMsg is the message dead-lettered by the benchmarks.
type deadLetterMsg struct {
	Order int    `json:"order"`
	Item  string `json:"item"`
}

// BenchmarkDeadLetterAppend measures Queue.Add into a JetStream file store
// (an embedded nats-server on a temp dir), one acknowledged entry at a
// time, under the default sync policy (fsync every interval) and with an
// fsync per entry; memory is the in-memory store, for scale.
func BenchmarkDeadLetterAppend(b *testing.B) {
	for _, tc := range []struct {
		name string
		open func(b *testing.B) deadletter.Store
	}{
		{"default", func(b *testing.B) deadletter.Store { return openBenchDir(b, jsstore.DirConfig{}) }},
		{"sync-always", func(b *testing.B) deadletter.Store { return openBenchDir(b, jsstore.DirConfig{SyncAlways: true}) }},
		{"memory", func(*testing.B) deadletter.Store { return deadletter.NewMemoryStore() }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			benchDeadLetterAppend(b, tc.open(b))
		})
	}
}

func openBenchDir(b *testing.B, cfg jsstore.DirConfig) deadletter.Store {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := jsstore.OpenDir(ctx, b.TempDir(), cfg)
	if err != nil {
		b.Fatalf("OpenDir: %v", err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

func benchDeadLetterAppend(b *testing.B, store deadletter.Store) {
	node := newNode(b)
	codec := deadletter.NewJSONCodec()
	if err := deadletter.Register[deadLetterMsg](codec, "bench.order"); err != nil {
		b.Fatal(err)
	}
	q, err := deadletter.New(node, store, deadletter.WithCodec(codec), deadletter.WithTelemetry(telemetry.New()))
	if err != nil {
		b.Fatal(err)
	}
	defer q.Close(context.Background())
	ctx := context.Background()
	reason := errors.New("call timeout")
	dest := node.Name("billing")
	b.ResetTimer()
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		l := send.Letter{Dest: dest, Msg: deadLetterMsg{Order: i, Item: "tea"}, Reason: reason, Attempts: 3}
		if _, err := q.Add(ctx, l); err != nil {
			b.Fatalf("Add: %v", err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "entries/s")
}
