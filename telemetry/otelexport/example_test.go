package otelexport_test

import (
	"context"
	"fmt"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/otelexport"
)

// Send outcomes become one counter with an outcome attribute.
func ExampleNew() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())
	tel := telemetry.New()
	exp, err := otelexport.New(tel, mp)
	if err != nil {
		panic(err)
	}
	defer exp.Close()
	tel.Execute(send.EventFailed, telemetry.Measurements{"count": 1}, nil)

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if sum, ok := m.Data.(metricdata.Sum[float64]); ok && m.Name == "orchard_sends" {
			p := sum.DataPoints[0]
			outcome, _ := p.Attributes.Value("outcome")
			fmt.Println(m.Name, outcome.AsString(), p.Value)
		}
	}
	// Output: orchard_sends failed 1
}

// The node's gauges are observed at each collection.
func ExampleWithNode() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	exp, _ := otelexport.New(telemetry.New(), mp, otelexport.WithNode(node), otelexport.WithMailboxScan(false))
	defer exp.Close()
	_, _ = node.Spawn(func(p *process.Proc) error {
		<-p.Context().Done()
		return nil
	})

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if g, ok := m.Data.(metricdata.Gauge[int64]); ok && m.Name == "orchard_processes" {
			fmt.Println(m.Name, g.DataPoints[0].Value)
		}
	}
	// Output: orchard_processes 1
}
