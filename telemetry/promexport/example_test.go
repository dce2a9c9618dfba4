package promexport_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/bridge"
	"github.com/seed-fe72f376/orchard/telemetry/promexport"
)

// show writes the samples of the families whose name starts with prefix.
func show(reg prometheus.Gatherer, prefix string) {
	mfs, _ := reg.Gather()
	var b bytes.Buffer
	for _, mf := range mfs {
		if strings.HasPrefix(mf.GetName(), prefix) {
			_ = expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain)).Encode(mf)
		}
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			fmt.Println(line)
		}
	}
}

// Send outcomes become one counter with an outcome label: delivered, or
// the failure's outcome. Package send's events carry no "count"; a counter
// counts each of them once.
func ExampleNew() {
	tel := telemetry.New()
	reg := prometheus.NewRegistry()
	exp, err := promexport.New(tel, reg)
	if err != nil {
		panic(err)
	}
	defer exp.Close()
	tel.Execute(send.EventDelivered, telemetry.Measurements{"attempts": 1}, nil)
	tel.Execute(send.EventFailed, telemetry.Measurements{"attempts": 3}, telemetry.Metadata{"outcome": "timeout"})
	show(reg, "orchard_sends")
	// Output:
	// orchard_sends_total{outcome="delivered"} 1
	// orchard_sends_total{outcome="timeout"} 1
}

// Adding a metric is adding data.
func ExampleWithMetrics() {
	tel := telemetry.New()
	reg := prometheus.NewRegistry()
	cacheMisses := promexport.Metric{
		Name: "myapp_cache_misses_total", Help: "Cache misses.",
		Events: []string{"myapp.cache.miss"}, Labels: []promexport.Label{{Name: "cache"}},
	}
	exp, _ := promexport.New(tel, reg, promexport.WithMetrics(cacheMisses))
	defer exp.Close()
	tel.Execute("myapp.cache.miss", telemetry.Measurements{"count": 1}, telemetry.Metadata{"cache": "users"})
	show(reg, "myapp_")
	// Output: myapp_cache_misses_total{cache="users"} 1
}

// The node's gauges are read on each scrape.
func ExampleWithNode() {
	tel := telemetry.New()
	node, _ := process.NewNode(bridge.NodeEvents(tel))
	defer node.Stop(context.Background())
	reg := prometheus.NewRegistry()
	exp, _ := promexport.New(tel, reg, promexport.WithNode(node))
	defer exp.Close()
	pid, _ := node.Spawn(func(p *process.Proc) error {
		<-p.Context().Done()
		return nil
	}, process.WithName("inbox"))
	_ = node.Send(pid, "a")
	_ = node.Send(pid, "b")
	show(reg, "orchard_mailbox_length")
	show(reg, "orchard_processes")
	// Output:
	// orchard_mailbox_length{name="inbox"} 2
	// orchard_processes 1
	// orchard_processes_spawned_total{behaviour=""} 1
}

// A node collector alone, without events.
func ExampleNewNodeCollector() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	reg := prometheus.NewRegistry()
	col, err := promexport.NewNodeCollector(node, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	reg.MustRegister(col)
	show(reg, "orchard_processes")
	// Output: orchard_processes 0
}

// Close detaches the exporter and unregisters its metrics.
func ExampleExporter_Close() {
	tel := telemetry.New()
	reg := prometheus.NewRegistry()
	exp, _ := promexport.New(tel, reg)
	fmt.Println(len(tel.Handlers()), exp.Close(), len(tel.Handlers()), exp.Close())
	// Output: 1 <nil> 0 promexport: exporter closed
}
