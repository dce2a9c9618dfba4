package otelexport_test

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/otelexport"
)

// TestBadInput walks the exported API with nil, zero, empty and invalid
// inputs: every call returns an error matching ErrInvalidArgument (and
// its more precise error where one is documented), no handler stays
// attached, and nothing panics (docs/ERRORS.md).
func TestBadInput(t *testing.T) {
	tel := telemetry.New()
	mp := sdkmetric.NewMeterProvider()
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	var nilOpt otelexport.Option
	var nilMP metric.MeterProvider
	var nilExp *otelexport.Exporter
	newExp := func(p metric.MeterProvider, opts ...otelexport.Option) func() error {
		return func() error {
			e, err := otelexport.New(tel, p, opts...)
			if e != nil {
				_ = e.Close()
			}
			return err
		}
	}
	bad := otelexport.Metric{Name: "bad name", Kind: otelexport.Counter, Events: []string{"e"}}
	noEvents := otelexport.Metric{Name: "x", Kind: otelexport.Counter}
	cases := []struct {
		name    string
		call    func() error
		precise error
	}{
		{"New/nil provider", newExp(nilMP), otelexport.ErrInvalidMetric},
		{"New/nil option", newExp(mp, nilOpt), nil},
		{"New/empty handler id", newExp(mp, otelexport.WithHandlerID("")), nil},
		{"New/nil node", newExp(mp, otelexport.WithNode(nil)), nil},
		{"New/bad metric name", newExp(mp, otelexport.WithMetrics(bad)), otelexport.ErrInvalidMetric},
		{"New/metric without events", newExp(mp, otelexport.WithMetrics(noEvents)), otelexport.ErrInvalidMetric},
		{"Close/nil receiver", nilExp.Close, nil},
		{"Close/zero receiver", new(otelexport.Exporter).Close, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, otelexport.ErrInvalidArgument) {
				t.Fatalf("%s = %v; want an error matching ErrInvalidArgument", tc.name, err)
			}
			if tc.precise != nil && !errors.Is(err, tc.precise) {
				t.Fatalf("%s = %v; want an error matching %v too", tc.name, err, tc.precise)
			}
		})
	}
	if hs := tel.Handlers(); len(hs) != 0 {
		t.Fatalf("refused calls left handlers attached: %v", hs)
	}

	stopped, err := process.NewNode()
	if err != nil {
		t.Fatal(err)
	}
	if err := stopped.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := newExp(mp, otelexport.WithNode(stopped))(); !errors.Is(err, process.ErrNodeStopped) {
		t.Fatalf("New(WithNode(stopped)) = %v; want ErrNodeStopped", err)
	}
	if hs := tel.Handlers(); len(hs) != 0 {
		t.Fatalf("New on a stopped node left handlers attached: %v", hs)
	}
}
