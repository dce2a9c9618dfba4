package metricmap_test

import (
	"testing"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/metricmap"
)

// TestConfigTelemetry: an exporter attaches to the registry it is given;
// given none, to the registry of its WithNode node (process.Config.Telemetry,
// else telemetry.Default()); with no node either, to telemetry.Default().
func TestConfigTelemetry(t *testing.T) {
	own, nodeReg := telemetry.New(), telemetry.New()
	withReg := otptest.NewNode(t, process.Config{Telemetry: nodeReg})
	plain := otptest.NewNode(t)
	configure := func(opts ...metricmap.Option) metricmap.Config {
		t.Helper()
		c, err := metricmap.Configure("test: New", "test", func() []metricmap.Metric { return nil }, opts)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, c := range []struct {
		name string
		cfg  metricmap.Config
		tel  *telemetry.Registry
		want *telemetry.Registry
	}{
		{"given, with a node", configure(metricmap.WithNode(withReg)), own, own},
		{"none, node with a registry", configure(metricmap.WithNode(withReg)), nil, nodeReg},
		{"none, node without", configure(metricmap.WithNode(plain)), nil, telemetry.Default()},
		{"none, no node", configure(), nil, telemetry.Default()},
		{"given, no node", configure(), own, own},
	} {
		if got := c.cfg.Telemetry(c.tel); got != c.want {
			t.Errorf("%s: Telemetry = %p; want %p", c.name, got, c.want)
		}
	}
}
