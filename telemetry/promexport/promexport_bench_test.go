package promexport_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/promexport"
)

// BenchmarkEvent measures the cost one event adds to its emitter.
func BenchmarkEvent(b *testing.B) {
	tel := telemetry.New()
	exp, err := promexport.New(tel, prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	defer exp.Close()
	b.Run("event=send", func(b *testing.B) {
		m, md := telemetry.Measurements{"count": 1}, telemetry.Metadata{"outcome": "delivered"}
		b.ReportAllocs()
		for b.Loop() {
			tel.Execute(send.EventDelivered, m, md)
		}
	})
	b.Run("event=restart", func(b *testing.B) {
		m := telemetry.Measurements{"count": 1}
		md := telemetry.Metadata{"supervisor": process.PID{}, "restart": true}
		b.ReportAllocs()
		for b.Loop() {
			tel.Execute(supervisor.EventChildStarted, m, md)
		}
	})
}
