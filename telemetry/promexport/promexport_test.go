package promexport_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/bridge"
	"github.com/seed-fe72f376/orchard/telemetry/promexport"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// value returns the sum of the series name{labels...} gathered from g
// (sample counts for histograms).
func value(t *testing.T, g prometheus.Gatherer, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum, found := 0.0, false
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if !hasLabels(m, labels) {
				continue
			}
			found = true
			switch {
			case m.Counter != nil:
				sum += m.Counter.GetValue()
			case m.Gauge != nil:
				sum += m.Gauge.GetValue()
			case m.Histogram != nil:
				sum += float64(m.Histogram.GetSampleCount())
			}
		}
	}
	if !found {
		t.Fatalf("no series %s%v", name, labels)
	}
	return sum
}

func hasLabels(m *dto.Metric, want map[string]string) bool {
	got := map[string]string{}
	for _, lp := range m.GetLabel() {
		got[lp.GetName()] = lp.GetValue()
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

func newExporter(t *testing.T, tel *telemetry.Registry, opts ...promexport.Option) *prometheus.Registry {
	t.Helper()
	reg := prometheus.NewRegistry()
	e, err := promexport.New(tel, reg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return reg
}

func TestRuntimeMetrics(t *testing.T) {
	tel := telemetry.New()
	node := otptest.NewNode(t, bridge.NodeEvents(tel))
	reg := newExporter(t, tel, promexport.WithNode(node))
	probe := otptest.NewProbe(t, node)

	crashOnce := func(p *process.Proc) (process.PID, error) {
		return p.Spawn(func(p *process.Proc) error {
			_, err := p.Receive(p.Context())
			if err != nil {
				return err
			}
			return errors.New("crash")
		}, process.WithName("worker"), process.Linked())
	}
	sup, err := supervisor.Start(node, supervisor.Spec{Flags: supervisor.DefaultFlags(), Children: []supervisor.ChildSpec{
		{ID: "worker", Start: crashOnce},
	}}, bridge.SupervisorEvents(tel), supervisor.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	first, _ := node.WhereIs("worker")
	probe.Monitor(first)
	if err := node.Send(first, "crash"); err != nil {
		t.Fatal(err)
	}
	probe.ExpectDown(t, time.Second)
	ctx := context.Background()
	// WhichChildren is handled after the restart, so the counters are set.
	if _, err := supervisor.WhichChildren(ctx, sup); err != nil {
		t.Fatal(err)
	}
	supLabel := map[string]string{"supervisor": "supervisor"} // an unnamed root: its behaviour, not its PID
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"orchard_supervisor_restarts_total", supLabel, 1},
		{"orchard_supervisor_child_starts_total", supLabel, 2},
		{"orchard_processes_exited_total", map[string]string{"normal": "false"}, 1},
		{"orchard_process_lifetime_seconds", nil, 1},
		{"orchard_processes", nil, float64(node.Stats().Processes)},
	}
	for _, c := range checks {
		if got := value(t, reg, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v; want %v", c.name, c.labels, got, c.want)
		}
	}
	// the probe, the supervisor, the worker and its restart
	if got := value(t, reg, "orchard_processes_spawned_total", nil); got != 4 {
		t.Errorf("orchard_processes_spawned_total = %v; want 4", got)
	}
	if err := supervisor.Stop(sup, process.Shutdown, time.Second); err != nil {
		t.Fatal(err)
	}
	if got := value(t, reg, "orchard_supervisor_child_terminations_total", supLabel); got != 1 {
		t.Errorf("terminations = %v; want 1", got)
	}
}

func TestMailboxGauges(t *testing.T) {
	node := otptest.NewNode(t)
	reg := newExporter(t, telemetry.New(), promexport.WithNode(node))
	release := make(chan struct{})
	pid, err := node.Spawn(func(p *process.Proc) error {
		select {
		case <-release:
		case <-p.Context().Done():
		}
		return nil
	}, process.WithName("slow"))
	if err != nil {
		t.Fatal(err)
	}
	defer close(release)
	for range 3 {
		_ = node.Send(pid, "work")
	}
	if got := value(t, reg, "orchard_mailbox_length", map[string]string{"name": "slow"}); got != 3 {
		t.Errorf("orchard_mailbox_length{name=slow} = %v; want 3", got)
	}
	if got := value(t, reg, "orchard_mailbox_messages_max", nil); got != 3 {
		t.Errorf("orchard_mailbox_messages_max = %v; want 3", got)
	}
}

// inbox is a genserver that accepts every plain message.
type inbox struct{}

func (inbox) Init(*genserver.Self) error            { return nil }
func (inbox) HandleInfo(*genserver.Self, any) error { return nil }

// TestSendAndDeadLetterMetrics drives a real send.Sender and dead-letter
// queue: one delivered send, one to a dead process that is retried once
// and then dead-lettered.
func TestSendAndDeadLetterMetrics(t *testing.T) {
	tel := telemetry.New()
	reg := newExporter(t, tel)
	node := otptest.NewNode(t)
	letters, err := deadletter.New(node, deadletter.NewMemoryStore(), deadletter.WithTelemetry(tel))
	if err != nil {
		t.Fatal(err)
	}
	sender, err := send.New(send.WithTelemetry(tel), send.WithDeadLetterSink(letters))
	if err != nil {
		t.Fatal(err)
	}
	live, err := genserver.Start(node, inbox{})
	if err != nil {
		t.Fatal(err)
	}
	dead, err := node.Spawn(func(*process.Proc) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	otptest.Eventually(t, 5*time.Second, func() bool { return !node.IsAlive(dead) })
	ctx := context.Background()
	if err := sender.Send(ctx, live, "hello", send.WithConfirm(send.Handled)); err != nil {
		t.Fatal(err)
	}
	backoff := send.Backoff{Initial: time.Millisecond, Max: time.Millisecond, Multiplier: 1, Jitter: send.NoJitter}
	if err := sender.Send(ctx, dead, "lost", send.WithRetries(1), send.WithBackoff(backoff), send.WithOnError(send.DeadLetter)); !errors.Is(err, send.ErrNoProc) {
		t.Fatalf("Send to a dead process = %v; want ErrNoProc", err)
	}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"orchard_sends_total", map[string]string{"outcome": "delivered"}, 1},
		{"orchard_sends_total", map[string]string{"outcome": "noproc"}, 1},
		{"orchard_send_retries_total", nil, 1},
		{"orchard_dead_letters_total", map[string]string{"action": "added"}, 1},
	} {
		if got := value(t, reg, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v; want %v", c.name, c.labels, got, c.want)
		}
	}
}

// TestDefaultEventNamesExist: the default event lists name events their
// packages really emit.
func TestDefaultEventNamesExist(t *testing.T) {
	emitted := map[string]bool{
		send.EventDelivered: true, send.EventFailed: true, send.EventRetry: true,
		deadletter.EventAdded: true, deadletter.EventRemoved: true,
	}
	for _, ev := range append(append([]string{}, promexport.DefaultSendEvents...), promexport.DefaultDeadLetterEvents...) {
		if !emitted[ev] {
			t.Errorf("default event %q is emitted by no package", ev)
		}
	}
}

func TestConfigurableEventsAndMetrics(t *testing.T) {
	tel := telemetry.New()
	metrics := append(promexport.DefaultMetrics([]string{"myapp.send.ok"}, []string{}),
		promexport.Metric{Name: "myapp_queue_depth", Help: "Queue depth.", Kind: promexport.Gauge,
			Events: []string{"myapp.queue"}, Measurement: "depth", Labels: []promexport.Label{{Name: "queue"}}})
	reg := newExporter(t, tel, promexport.WithMetrics(metrics...))
	tel.Execute("myapp.send.ok", telemetry.Measurements{"count": 1}, nil)
	tel.Execute("myapp.queue", telemetry.Measurements{"depth": 7}, telemetry.Metadata{"queue": "in"})
	tel.Execute("myapp.queue", telemetry.Measurements{"depth": 4}, telemetry.Metadata{"queue": "in"})
	if got := value(t, reg, "orchard_sends_total", map[string]string{"outcome": "ok"}); got != 1 {
		t.Errorf("sends{ok} = %v; want 1", got)
	}
	if got := value(t, reg, "myapp_queue_depth", map[string]string{"queue": "in"}); got != 4 {
		t.Errorf("queue depth = %v; want 4", got)
	}
	if got := exposition(t, reg, "orchard_dead_letters_total"); got != "" {
		t.Errorf("dead letter series = %q; want none (no events configured)", got)
	}
}

func TestInvalidMetrics(t *testing.T) {
	cases := []struct {
		name string
		m    promexport.Metric
	}{
		{"bad name", promexport.Metric{Name: "orchard-x", Events: []string{"e"}}},
		{"no events", promexport.Metric{Name: "orchard_x"}},
		{"empty event", promexport.Metric{Name: "orchard_x", Events: []string{""}}},
		{"bad kind", promexport.Metric{Name: "orchard_x", Events: []string{"e"}, Kind: 9}},
		{"bad label", promexport.Metric{Name: "orchard_x", Events: []string{"e"}, Labels: []promexport.Label{{Name: "a-b"}}}},
		{"pid label", promexport.Metric{Name: "orchard_x", Events: []string{"e"}, Labels: []promexport.Label{{Name: "pid"}}}},
		{"parent label", promexport.Metric{Name: "orchard_x", Events: []string{"e"}, Labels: []promexport.Label{{Name: "p", Key: "parent"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tel := telemetry.New()
			reg := prometheus.NewRegistry()
			ok := promexport.Metric{Name: "orchard_ok_total", Events: []string{"e"}}
			if _, err := promexport.New(tel, reg, promexport.WithMetrics(ok, tc.m)); !errors.Is(err, promexport.ErrInvalidMetric) {
				t.Fatalf("New = %v; want ErrInvalidMetric", err)
			}
			if mfs, _ := reg.Gather(); len(mfs) != 0 || len(tel.Handlers()) != 0 {
				t.Errorf("after a failed New: %d families, %d handlers; want none", len(mfs), len(tel.Handlers()))
			}
		})
	}
}

func TestCloseAndConflicts(t *testing.T) {
	tel := telemetry.New()
	reg := prometheus.NewRegistry()
	e, err := promexport.New(tel, reg)
	if err != nil {
		t.Fatal(err)
	}
	var already prometheus.AlreadyRegisteredError
	if _, err := promexport.New(tel, reg, promexport.WithHandlerID("second")); !errors.As(err, &already) {
		t.Errorf("second exporter on one registry = %v; want AlreadyRegisteredError", err)
	}
	if _, err := promexport.New(tel, prometheus.NewRegistry()); !errors.Is(err, telemetry.ErrAlreadyAttached) {
		t.Errorf("second exporter with the same handler id = %v; want ErrAlreadyAttached", err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); !errors.Is(err, promexport.ErrClosed) {
		t.Errorf("second Close = %v; want ErrClosed", err)
	}
	if mfs, _ := reg.Gather(); len(mfs) != 0 || len(tel.Handlers()) != 0 {
		t.Errorf("after Close: %d families, %d handlers; want none", len(mfs), len(tel.Handlers()))
	}
}

// TestNodeRegistry: an exporter given no registry but a node counts the
// events of the node's registry (process.Config.Telemetry), not those of
// telemetry.Default().
func TestNodeRegistry(t *testing.T) {
	tel := telemetry.New()
	node := otptest.NewNode(t, process.Config{Telemetry: tel})
	metrics := promexport.DefaultMetrics([]string{"myapp.send.ok"}, []string{})
	reg := newExporter(t, nil, promexport.WithNode(node), promexport.WithMetrics(metrics...))
	tel.Execute("myapp.send.ok", telemetry.Measurements{"count": 1}, nil)
	telemetry.Default().Execute("myapp.send.ok", telemetry.Measurements{"count": 1}, nil)
	if got := value(t, reg, "orchard_sends_total", map[string]string{"outcome": "ok"}); got != 1 {
		t.Errorf("sends{ok} = %v; want 1 (the node's registry's event only)", got)
	}
}
