package otelexport_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/bridge"
	"github.com/seed-fe72f376/orchard/telemetry/otelexport"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// setup returns a manual reader behind an exporter on tel.
func setup(t *testing.T, tel *telemetry.Registry, opts ...otelexport.Option) *sdkmetric.ManualReader {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	e, err := otelexport.New(tel, mp, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return reader
}

// point is one data point: its value (a histogram's count) and attributes.
type point struct {
	value float64
	attrs attribute.Set
}

func collect(t *testing.T, r *sdkmetric.ManualReader) map[string][]point {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string][]point{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = append(out[m.Name], points(m.Data)...)
		}
	}
	return out
}

func points(data metricdata.Aggregation) []point {
	var out []point
	switch d := data.(type) {
	case metricdata.Sum[float64]:
		for _, p := range d.DataPoints {
			out = append(out, point{p.Value, p.Attributes})
		}
	case metricdata.Sum[int64]:
		for _, p := range d.DataPoints {
			out = append(out, point{float64(p.Value), p.Attributes})
		}
	case metricdata.Gauge[float64]:
		for _, p := range d.DataPoints {
			out = append(out, point{p.Value, p.Attributes})
		}
	case metricdata.Gauge[int64]:
		for _, p := range d.DataPoints {
			out = append(out, point{float64(p.Value), p.Attributes})
		}
	case metricdata.Histogram[float64]:
		for _, p := range d.DataPoints {
			out = append(out, point{float64(p.Count), p.Attributes})
		}
	}
	return out
}

// sum adds the points of name whose attributes include kvs.
func sum(ps map[string][]point, name string, kvs ...attribute.KeyValue) (float64, bool) {
	total, found := 0.0, false
	for _, p := range ps[name] {
		match := true
		for _, kv := range kvs {
			if v, ok := p.attrs.Value(kv.Key); !ok || v != kv.Value {
				match = false
			}
		}
		if match {
			total, found = total+p.value, true
		}
	}
	return total, found
}

func TestRuntimeDataPoints(t *testing.T) {
	tel := telemetry.New()
	node := otptest.NewNode(t, bridge.NodeEvents(tel))
	reader := setup(t, tel, otelexport.WithNode(node))
	probe := otptest.NewProbe(t, node)
	worker := func(p *process.Proc) (process.PID, error) {
		return p.Spawn(func(p *process.Proc) error {
			if _, err := p.Receive(p.Context()); err != nil {
				return err
			}
			return errors.New("crash")
		}, process.WithName("worker"), process.Linked())
	}
	sup, err := supervisor.Start(node, supervisor.Spec{Flags: supervisor.DefaultFlags(), Children: []supervisor.ChildSpec{
		{ID: "worker", Start: worker},
	}}, bridge.SupervisorEvents(tel), supervisor.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	first, _ := node.WhereIs("worker")
	probe.Monitor(first)
	_ = node.Send(first, "crash")
	probe.ExpectDown(t, time.Second)
	if _, err := supervisor.WhichChildren(context.Background(), sup); err != nil { // after the restart
		t.Fatal(err)
	}
	ps := collect(t, reader)
	supAttr := attribute.String("supervisor", "supervisor") // an unnamed root: its behaviour, not its PID
	checks := []struct {
		name string
		kvs  []attribute.KeyValue
		want float64
	}{
		{"orchard_supervisor_restarts", []attribute.KeyValue{supAttr}, 1},
		{"orchard_supervisor_child_starts", []attribute.KeyValue{supAttr}, 2},
		{"orchard_processes_spawned", nil, 4}, // probe, supervisor, worker twice
		{"orchard_processes_exited", []attribute.KeyValue{attribute.String("normal", "false")}, 1},
		{"orchard_process_lifetime_seconds", nil, 1},
		{"orchard_processes", nil, float64(node.Stats().Processes)},
	}
	for _, c := range checks {
		if got, ok := sum(ps, c.name, c.kvs...); !ok || got != c.want {
			t.Errorf("%s%v = %v (found %t); want %v", c.name, c.kvs, got, ok, c.want)
		}
	}
	if err := supervisor.Stop(sup, process.Shutdown, time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestSendsAndGauges(t *testing.T) {
	tel := telemetry.New()
	node := otptest.NewNode(t)
	depth := otelexport.Metric{Name: "myapp_queue_depth", Kind: otelexport.Gauge, Events: []string{"myapp.queue"},
		Measurement: "depth", Labels: []otelexport.Label{{Name: "queue"}}}
	reader := setup(t, tel, otelexport.WithNode(node), otelexport.WithMetrics(append(otelexport.DefaultMetrics(nil, nil), depth)...))
	one := telemetry.Measurements{"count": 1}
	tel.Execute(send.EventDelivered, one, telemetry.Metadata{"outcome": "delivered"})
	tel.Execute(send.EventRetry, telemetry.Measurements{"attempt": 1, "delay": 0.01}, nil)
	tel.Execute(send.EventRetry, telemetry.Measurements{"attempt": 2, "delay": 0.02}, nil)
	tel.Execute(send.EventFailed, telemetry.Measurements{"attempts": 3}, telemetry.Metadata{"outcome": "noproc"})
	tel.Execute(deadletter.EventRemoved, one, nil)
	tel.Execute("myapp.queue", telemetry.Measurements{"depth": 5}, telemetry.Metadata{"queue": "in"})
	pid, err := node.Spawn(func(p *process.Proc) error {
		<-p.Context().Done()
		return nil
	}, process.WithName("inbox"))
	if err != nil {
		t.Fatal(err)
	}
	_ = node.Send(pid, 1)
	_ = node.Send(pid, 2)
	ps := collect(t, reader)
	checks := []struct {
		name string
		kv   attribute.KeyValue
		want float64
	}{
		{"orchard_sends", attribute.String("outcome", "delivered"), 1},
		{"orchard_send_retries", attribute.KeyValue{}, 2},
		{"orchard_sends", attribute.String("outcome", "noproc"), 1},
		{"orchard_dead_letters", attribute.String("action", "removed"), 1},
		{"myapp_queue_depth", attribute.String("queue", "in"), 5},
		{"orchard_mailbox_length", attribute.String("name", "inbox"), 2},
	}
	for _, c := range checks {
		var kvs []attribute.KeyValue
		if c.kv.Key != "" {
			kvs = append(kvs, c.kv)
		}
		if got, ok := sum(ps, c.name, kvs...); !ok || got != c.want {
			t.Errorf("%s{%v} = %v (found %t); want %v", c.name, c.kv, got, ok, c.want)
		}
	}
}

func TestInvalidAndClose(t *testing.T) {
	tel := telemetry.New()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	bad := otelexport.Metric{Name: "orchard_x", Events: []string{"e"}, Labels: []otelexport.Label{{Name: "pid"}}}
	if _, err := otelexport.New(tel, mp, otelexport.WithMetrics(bad)); !errors.Is(err, otelexport.ErrInvalidMetric) {
		t.Errorf("New with a pid label = %v; want ErrInvalidMetric", err)
	}
	if _, err := otelexport.New(tel, nil); !errors.Is(err, otelexport.ErrInvalidMetric) {
		t.Errorf("New with a nil provider = %v; want ErrInvalidMetric", err)
	}
	e, err := otelexport.New(tel, mp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := otelexport.New(tel, mp); !errors.Is(err, telemetry.ErrAlreadyAttached) {
		t.Errorf("second New with the same id = %v; want ErrAlreadyAttached", err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); !errors.Is(err, otelexport.ErrClosed) {
		t.Errorf("second Close = %v; want ErrClosed", err)
	}
	if n := len(tel.Handlers()); n != 0 {
		t.Errorf("%d handlers after Close; want 0", n)
	}
}
