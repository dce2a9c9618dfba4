package otelexport_test

import (
	"context"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/otelexport"
)

// BenchmarkEvent measures the cost one event adds to its emitter.
func BenchmarkEvent(b *testing.B) {
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	tel := telemetry.New()
	exp, err := otelexport.New(tel, mp)
	if err != nil {
		b.Fatal(err)
	}
	defer exp.Close()
	m, md := telemetry.Measurements{"count": 1}, telemetry.Metadata{"outcome": "delivered"}
	b.ReportAllocs()
	for b.Loop() {
		tel.Execute(send.EventDelivered, m, md)
	}
}
