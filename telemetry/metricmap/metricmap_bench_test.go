package metricmap_test

import (
	"testing"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/metricmap"
)

// BenchmarkRouter measures what the shared mapping adds to an event on
// the default metrics, with a record function that does nothing.
func BenchmarkRouter(b *testing.B) {
	tel := telemetry.New()
	r := metricmap.NewRouter[int](tel, "bench")
	for i, m := range metricmap.DefaultMetrics(nil, nil, "_total") {
		r.Add(m, i)
	}
	if err := r.Attach(func(int, float64, []string) {}); err != nil {
		b.Fatal(err)
	}
	defer r.Detach()
	b.Run("event=send", func(b *testing.B) {
		benchEvent(b, tel, send.EventDelivered, telemetry.Metadata{"outcome": "delivered"})
	})
	b.Run("event=restart", func(b *testing.B) {
		benchEvent(b, tel, supervisor.EventChildStarted, telemetry.Metadata{"supervisor": process.PID{}, "restart": true})
	})
}

func benchEvent(b *testing.B, tel *telemetry.Registry, event string, md telemetry.Metadata) {
	m := telemetry.Measurements{"count": 1}
	b.ReportAllocs()
	for b.Loop() {
		tel.Execute(event, m, md)
	}
}
