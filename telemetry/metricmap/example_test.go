package metricmap_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/bridge"
	"github.com/seed-fe72f376/orchard/telemetry/metricmap"
)

// A label from the metadata key "pid" would give one series per process.
func ExampleMetric_Validate() {
	ok := metricmap.Metric{Name: "myapp_jobs_total", Events: []string{"myapp.job.done"}}
	bad := metricmap.Metric{Name: "myapp_jobs_total", Events: []string{"myapp.job.done"},
		Labels: []metricmap.Label{{Name: "worker", Key: "pid"}}}
	fmt.Println(ok.Validate())
	fmt.Println(errors.Is(bad.Validate(), metricmap.ErrInvalidMetric))
	fmt.Println(metricmap.Metric{Name: "myapp-jobs", Events: []string{"e"}}.Validate())
	// Output:
	// <nil>
	// true
	// metricmap: invalid metric: name "myapp-jobs"
}

// A counter without Measurement counts "count", or 1 for an event without
// it; other kinds skip such an event.
func ExampleMetric_Value() {
	counter := metricmap.Metric{Kind: metricmap.Counter}
	depth := metricmap.Metric{Kind: metricmap.Gauge, Measurement: "depth"}
	fmt.Println(counter.Value(telemetry.Measurements{"count": 2}))
	fmt.Println(counter.Value(telemetry.Measurements{"attempts": 3}))
	fmt.Println(depth.Value(telemetry.Measurements{"depth": 7}))
	fmt.Println(depth.Value(telemetry.Measurements{"count": 1}))
	// Output:
	// 2 true
	// 1 true
	// 7 true
	// 0 false
}

// Match keeps restarts among all child starts.
func ExampleMetric_Matches() {
	restarts := metricmap.Metric{Match: map[string]any{"restart": true}}
	fmt.Println(restarts.Matches(telemetry.Metadata{"restart": true}))
	fmt.Println(restarts.Matches(telemetry.Metadata{"restart": false}))
	// Output:
	// true
	// false
}

// FromEvent turns the event name's last segment into a label value when
// the metadata lacks the key.
func ExampleMetric_LabelValues() {
	sends := metricmap.Metric{Labels: []metricmap.Label{{Name: "outcome", FromEvent: true}, {Name: "retried", Key: "retry"}}}
	fmt.Println(sends.LabelNames())
	fmt.Println(sends.LabelValues(send.EventDelivered, telemetry.Metadata{"retry": true}))
	fmt.Println(sends.LabelValues(send.EventFailed, telemetry.Metadata{"outcome": "timeout"}))
	// Output:
	// [outcome retried]
	// [delivered true]
	// [timeout ]
}

// Counters take the exporter's suffix; histograms keep their unit.
func ExampleDefaultMetrics() {
	for _, suffix := range []string{"_total", ""} {
		ms := metricmap.DefaultMetrics(nil, nil, suffix)
		fmt.Println(ms[0].Name, ms[0].Kind, ms[2].Name, ms[2].Kind)
	}
	// Output:
	// orchard_processes_spawned_total counter orchard_process_lifetime_seconds histogram
	// orchard_processes_spawned counter orchard_process_lifetime_seconds histogram
}

// An exporter builds one instrument per metric, adds both to a Router,
// and attaches; here the "instrument" is a name that is printed.
func ExampleRouter() {
	tel := telemetry.New()
	r := metricmap.NewRouter[string](tel, "example")
	m := metricmap.Metric{Name: "myapp_cache_misses_total", Events: []string{"myapp.cache.miss"},
		Labels: []metricmap.Label{{Name: "cache"}}}
	if err := m.Validate(); err != nil {
		panic(err)
	}
	r.Add(m, m.Name)
	_ = r.Attach(func(inst string, v float64, labels []string) { fmt.Println(inst, labels, v) })
	defer r.Detach()
	tel.Execute("myapp.cache.miss", telemetry.Measurements{"count": 1}, telemetry.Metadata{"cache": "users"})
	// Output: myapp_cache_misses_total [users] 1
}

// Names labels an unnamed child supervisor by its path under a registered
// root, which a restart does not change (its PID does).
func ExampleNames() {
	tel := telemetry.New()
	node, _ := process.NewNode(bridge.NodeEvents(tel))
	defer func() { _ = node.Stop(context.Background()) }()
	names := metricmap.NewNames()
	_ = tel.Attach("names", metricmap.TrackedEvents, func(ev string, _ telemetry.Measurements, md telemetry.Metadata) {
		names.Observe(ev, md)
	})
	opts := []supervisor.Option{bridge.SupervisorEvents(tel), supervisor.WithLogger(slog.New(slog.DiscardHandler))}
	pipeline := supervisor.Spec{Flags: supervisor.DefaultFlags()}
	root, _ := supervisor.Start(node, supervisor.Spec{Flags: supervisor.DefaultFlags(), Children: []supervisor.ChildSpec{{
		ID: "pipeline", Type: supervisor.SupervisorChild,
		Start: func(p *process.Proc) (process.PID, error) { return supervisor.StartLink(p, pipeline, opts...) },
	}}}, append(opts, supervisor.WithName("root"))...)
	children, _ := supervisor.WhichChildren(context.Background(), root)
	fmt.Println(names.Name(root), names.NameAs(children[0].PID, "supervisor"))
	_ = supervisor.Stop(root, process.Shutdown, time.Second)
	// Output: root root/pipeline
}

// Configure applies an exporter's options to its defaults and checks
// them; promexport.New and otelexport.New start this way.
func ExampleConfigure() {
	defaults := func() []metricmap.Metric {
		return []metricmap.Metric{{Name: "myapp_jobs_total", Events: []string{"myapp.job.done"}}}
	}
	c, err := metricmap.Configure("myexport: New", "myexport", defaults, []metricmap.Option{metricmap.WithMailboxScan(false)})
	fmt.Println(c.HandlerID, len(c.Metrics), c.MailboxScan, err)

	_, err = metricmap.Configure("myexport: New", "myexport", defaults, []metricmap.Option{metricmap.WithHandlerID("")})
	fmt.Println(errors.Is(err, metricmap.ErrInvalidArgument), err)

	bad := metricmap.Metric{Name: "bad name", Events: []string{"e"}}
	_, err = metricmap.Configure("myexport: New", "myexport", defaults, []metricmap.Option{metricmap.WithMetrics(bad)})
	fmt.Println(errors.Is(err, metricmap.ErrInvalidMetric), errors.Is(err, metricmap.ErrInvalidArgument))
	// Output:
	// myexport 1 false <nil>
	// true myexport: New: invalid argument WithHandlerID id: is empty
	// true true
}
