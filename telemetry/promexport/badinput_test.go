package promexport_test

import (
	"context"
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/promexport"
)

// TestBadInput walks the exported API with nil, zero, empty and invalid
// inputs: every call returns an error matching ErrInvalidArgument (and
// its more precise error where one is documented), nothing stays
// registered or attached, and nothing panics (docs/ERRORS.md).
func TestBadInput(t *testing.T) {
	node := otptest.NewNode(t)
	tel := telemetry.New()
	reg := prometheus.NewRegistry()
	var nilOpt promexport.Option
	var nilReg prometheus.Registerer
	var nilExp *promexport.Exporter
	newExp := func(r prometheus.Registerer, opts ...promexport.Option) func() error {
		return func() error {
			e, err := promexport.New(tel, r, opts...)
			if e != nil {
				_ = e.Close()
			}
			return err
		}
	}
	bad := promexport.Metric{Name: "bad name", Kind: promexport.Counter, Events: []string{"e"}}
	noEvents := promexport.Metric{Name: "x_total", Kind: promexport.Counter}
	cases := []struct {
		name    string
		call    func() error
		precise error
	}{
		{"New/nil registerer", newExp(nilReg), promexport.ErrInvalidMetric},
		{"New/nil option", newExp(reg, nilOpt), nil},
		{"New/empty handler id", newExp(reg, promexport.WithHandlerID("")), nil},
		{"New/nil node", newExp(reg, promexport.WithNode(nil)), nil},
		{"New/bad metric name", newExp(reg, promexport.WithMetrics(bad)), promexport.ErrInvalidMetric},
		{"New/metric without events", newExp(reg, promexport.WithMetrics(noEvents)), promexport.ErrInvalidMetric},
		{"NewNodeCollector/nil node", func() error { _, err := promexport.NewNodeCollector(nil, true); return err }, nil},
		{"Close/nil receiver", nilExp.Close, nil},
		{"Close/zero receiver", new(promexport.Exporter).Close, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, promexport.ErrInvalidArgument) {
				t.Fatalf("%s = %v; want an error matching ErrInvalidArgument", tc.name, err)
			}
			if tc.precise != nil && !errors.Is(err, tc.precise) {
				t.Fatalf("%s = %v; want an error matching %v too", tc.name, err, tc.precise)
			}
		})
	}
	if mfs, err := reg.Gather(); err != nil || len(mfs) != 0 {
		t.Fatalf("refused calls left %d metric families registered (%v)", len(mfs), err)
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
	if err := newExp(reg, promexport.WithNode(stopped))(); !errors.Is(err, process.ErrNodeStopped) {
		t.Fatalf("New(WithNode(stopped)) = %v; want ErrNodeStopped", err)
	}
	if _, err := promexport.NewNodeCollector(stopped, false); !errors.Is(err, process.ErrNodeStopped) {
		t.Fatalf("NewNodeCollector(stopped) = %v; want ErrNodeStopped", err)
	}
	if _, err := promexport.NewNodeCollector(node, false); err != nil {
		t.Fatalf("NewNodeCollector(live node) = %v", err)
	}
}
