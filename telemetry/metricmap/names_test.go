package metricmap_test

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/bridge"
	"github.com/seed-fe72f376/orchard/telemetry/metricmap"
)

// seriesSet records the label sets a Router's record function saw, per
// metric.
type seriesSet struct {
	mu  sync.Mutex
	set map[string]bool
}

func (s *seriesSet) record(inst string, _ float64, labels []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set[inst+"{"+strings.Join(labels, ",")+"}"] = true
}

// supervisorKeys returns the series of the supervisor metrics, the ones
// labelled by a process.
func (s *seriesSet) supervisorKeys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, k := range slices.Sorted(maps.Keys(s.set)) {
		if strings.HasPrefix(k, "orchard_supervisor_") {
			out = append(out, k)
		}
	}
	return out
}

// crashWorker is a child that crashes on any message, registered as name
// unless name is empty.
func crashWorker(name string) func(*process.Proc) (process.PID, error) {
	return func(p *process.Proc) (process.PID, error) {
		opts := []process.SpawnOption{process.Linked()}
		if name != "" {
			opts = append(opts, process.WithName(name))
		}
		return p.Spawn(func(p *process.Proc) error {
			if _, err := p.Receive(p.Context()); err != nil {
				return err
			}
			return errors.New("crash")
		}, opts...)
	}
}

// childPID returns the PID of sup's only child.
func childPID(t *testing.T, sup process.Dest) process.PID {
	t.Helper()
	cs, err := supervisor.WhichChildren(context.Background(), sup)
	if err != nil || len(cs) != 1 {
		t.Fatalf("WhichChildren = %v, %v; want one child", cs, err)
	}
	return cs[0].PID
}

// restartAndWait kills pid and waits until its supervisor sup (reached
// through WhichChildren, handled after the restart) has restarted it.
func restartAndWait(t *testing.T, node *process.Node, probe *otptest.Probe, pid process.PID, sup process.Dest) {
	t.Helper()
	probe.Monitor(pid)
	if err := node.Exit(pid, process.Kill); err != nil { // supervisors trap exits: kill
		t.Fatal(err)
	}
	probe.ExpectDown(t, time.Second)
	if _, err := supervisor.WhichChildren(context.Background(), sup); err != nil {
		t.Fatal(err)
	}
}

// TestRestartKeepsLabels: restarts of a worker and of a nested supervisor
// (whose PID changes) record on the series that existed before them, and
// no label holds a PID.
func TestRestartKeepsLabels(t *testing.T) {
	tel := telemetry.New()
	node := otptest.NewNode(t, bridge.NodeEvents(tel))
	probe := otptest.NewProbe(t, node)
	quiet := supervisor.WithLogger(slog.New(slog.DiscardHandler))
	opts := []supervisor.Option{bridge.SupervisorEvents(tel), quiet}
	lenient := supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 100, Period: time.Minute}
	pipeline := supervisor.Spec{Flags: lenient, Children: []supervisor.ChildSpec{
		// unnamed: a killed pipeline's worker may still hold a name when
		// the restarted pipeline starts its own
		{ID: "validator", Start: crashWorker("")},
	}}
	root := supervisor.Spec{Flags: lenient,
		Children: []supervisor.ChildSpec{{ID: "pipeline", Type: supervisor.SupervisorChild,
			Start: func(p *process.Proc) (process.PID, error) {
				return supervisor.StartLink(p, pipeline, opts...) // unnamed: labelled by its path
			}}}}

	r := metricmap.NewRouter[string](tel, "test.stable")
	for _, m := range metricmap.DefaultMetrics(nil, nil, "_total") {
		r.Add(m, m.Name)
	}
	series := &seriesSet{set: map[string]bool{}}
	if err := r.Attach(series.record); err != nil {
		t.Fatal(err)
	}
	defer r.Detach()

	rootPID, err := supervisor.Start(node, root, append(opts, supervisor.WithName("root"))...)
	if err != nil {
		t.Fatal(err)
	}
	cycle := func() {
		pipe := childPID(t, rootPID)
		restartAndWait(t, node, probe, childPID(t, pipe), pipe)
		restartAndWait(t, node, probe, pipe, rootPID)
	}
	cycle()
	before := series.supervisorKeys()
	for range 3 {
		cycle()
	}
	after := series.supervisorKeys()
	if !slices.Equal(before, after) {
		t.Errorf("restarts opened new series:\nbefore %q\nafter  %q", before, after)
	}
	for _, want := range []string{"orchard_supervisor_restarts_total{root}", "orchard_supervisor_restarts_total{root/pipeline}"} {
		if !slices.Contains(after, want) {
			t.Errorf("series %q missing from %q", want, after)
		}
	}
	for _, s := range after {
		if strings.Contains(s, "<") {
			t.Errorf("series %q is labelled by a PID", s)
		}
	}
	if err := supervisor.Stop(rootPID, process.Shutdown, time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestNamesPaths: an unnamed child supervisor is named by its path once
// its parent reported it started; registered names win; a dead unknown
// process is UnknownName.
func TestNamesPaths(t *testing.T) {
	tel := telemetry.New()
	node := otptest.NewNode(t, bridge.NodeEvents(tel))
	names := metricmap.NewNames()
	if err := tel.Attach("names", metricmap.TrackedEvents, func(ev string, _ telemetry.Measurements, md telemetry.Metadata) {
		names.Observe(ev, md)
	}); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tel.Detach("names") }()
	opts := []supervisor.Option{bridge.SupervisorEvents(tel), supervisor.WithLogger(slog.New(slog.DiscardHandler))}
	inner := supervisor.Spec{Flags: supervisor.DefaultFlags(), Children: []supervisor.ChildSpec{
		{ID: "validator", Start: crashWorker("validator")},
	}}
	root := supervisor.Spec{Flags: supervisor.DefaultFlags(), Children: []supervisor.ChildSpec{
		{ID: "pipeline", Type: supervisor.SupervisorChild, Start: func(p *process.Proc) (process.PID, error) {
			return supervisor.StartLink(p, inner, opts...)
		}},
	}}
	rootPID, err := supervisor.Start(node, root, append(opts, supervisor.WithName("root"))...)
	if err != nil {
		t.Fatal(err)
	}
	children, err := supervisor.WhichChildren(context.Background(), rootPID)
	if err != nil || len(children) != 1 {
		t.Fatalf("WhichChildren = %v, %v", children, err)
	}
	pipe := children[0].PID
	inside, err := supervisor.WhichChildren(context.Background(), pipe)
	if err != nil || len(inside) != 1 {
		t.Fatalf("WhichChildren(pipeline) = %v, %v", inside, err)
	}
	cases := []struct {
		name string
		pid  process.PID
		role string
		want string
	}{
		{"registered", rootPID, "", "root"},
		{"path", pipe, "supervisor", "root/pipeline"},
		{"registered child", inside[0].PID, "", "validator"},
		{"zero pid", process.PID{}, "supervisor", metricmap.UnknownName},
	}
	for _, tc := range cases {
		if got := names.NameAs(tc.pid, tc.role); got != tc.want {
			t.Errorf("%s: NameAs(%v, %q) = %q; want %q", tc.name, tc.pid, tc.role, got, tc.want)
		}
	}
	var nilNames *metricmap.Names
	if got := nilNames.Name(rootPID); got != "root" {
		t.Errorf("nil Names.Name(root) = %q; want the registered name", got)
	}
	nilNames.Observe(supervisor.EventChildStarted, nil) // a no-op, not a panic
	if err := supervisor.Stop(rootPID, process.Shutdown, time.Second); err != nil {
		t.Fatal(err)
	}
	if got := names.Name(pipe); got != metricmap.UnknownName {
		t.Errorf("Name(dead pipeline) = %q; want %q (forgotten at its exit)", got, metricmap.UnknownName)
	}
}

// TestNamesBoundedWithoutNodeEvents: on a node that publishes no process
// events, the children of a supervisor that is killed (and so reports
// nothing) are forgotten by the table's sweeps: after 200 kills of a
// supervisor of 3 children the table holds fewer than NamesMinSweep
// entries (it held 4 per kill before), and still names the live ones.
func TestNamesBoundedWithoutNodeEvents(t *testing.T) {
	tel := telemetry.New()
	node := otptest.NewNode(t) // no bridge.NodeEvents: no process.EventExited
	probe := otptest.NewProbe(t, node)
	names := metricmap.NewNames()
	if err := tel.Attach("names", metricmap.TrackedEvents, func(ev string, _ telemetry.Measurements, md telemetry.Metadata) {
		names.Observe(ev, md)
	}); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tel.Detach("names") }()
	opts := []supervisor.Option{bridge.SupervisorEvents(tel), supervisor.WithLogger(slog.New(slog.DiscardHandler))}
	lenient := supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 1000, Period: time.Minute}
	inner := supervisor.Spec{Flags: lenient, Children: []supervisor.ChildSpec{
		{ID: "w1", Start: crashWorker("")}, {ID: "w2", Start: crashWorker("")}, {ID: "w3", Start: crashWorker("")},
	}}
	root := supervisor.Spec{Flags: lenient, Children: []supervisor.ChildSpec{
		{ID: "s", Type: supervisor.SupervisorChild, Start: func(p *process.Proc) (process.PID, error) {
			return supervisor.StartLink(p, inner, opts...)
		}},
	}}
	rootPID, err := supervisor.Start(node, root, append(opts, supervisor.WithName("root"))...)
	if err != nil {
		t.Fatal(err)
	}
	most := 0
	for range 200 {
		s := childPID(t, rootPID)
		cs, err := supervisor.WhichChildren(context.Background(), s)
		if err != nil || len(cs) != 3 {
			t.Fatalf("WhichChildren(s) = %v, %v; want 3 children", cs, err)
		}
		for _, c := range cs {
			if got, want := names.Name(c.PID), "root/s/"+c.ID; got != want {
				t.Fatalf("Name(%s) = %q; want %q", c.ID, got, want)
			}
		}
		restartAndWait(t, node, probe, s, rootPID)
		most = max(most, names.Len())
	}
	if most >= metricmap.NamesMinSweep {
		t.Errorf("the table reached %d entries; want fewer than %d (it is swept of dead processes)", most, metricmap.NamesMinSweep)
	}
	if err := supervisor.Stop(rootPID, process.Shutdown, time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestNamesAncestorReportedLater: a child supervisor g named while its
// parent s is still starting (g reported, s not yet) is "supervisor/g";
// once s's own supervisor reports s, g is named by its full path, not by
// the name cached before.
func TestNamesAncestorReportedLater(t *testing.T) {
	node := otptest.NewNode(t)
	idle := func(p *process.Proc) error {
		_, err := p.Receive(p.Context())
		return err
	}
	spawn := func(opts ...process.SpawnOption) process.PID {
		t.Helper()
		pid, err := node.Spawn(idle, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return pid
	}
	root, s, g := spawn(process.WithName("root")), spawn(), spawn()
	started := func(pid, sup process.PID, id string) telemetry.Metadata {
		return telemetry.Metadata{"pid": pid, "supervisor": sup, "id": id}
	}
	names := metricmap.NewNames()
	names.Observe(supervisor.EventChildStarted, started(g, s, "g"))
	if got, want := names.NameAs(g, "supervisor"), "supervisor/g"; got != want {
		t.Errorf("NameAs(g) before s is reported = %q; want %q", got, want)
	}
	names.Observe(supervisor.EventChildStarted, started(s, root, "s"))
	if got, want := names.NameAs(g, "supervisor"), "root/s/g"; got != want {
		t.Errorf("NameAs(g) after s is reported = %q; want %q", got, want)
	}
	if got, want := names.NameAs(s, "supervisor"), "root/s"; got != want {
		t.Errorf("NameAs(s) = %q; want %q", got, want)
	}
}
