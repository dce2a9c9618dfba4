package bridge_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/bridge"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// recorder collects the events its handler receives.
type recorder struct {
	mu     sync.Mutex
	events []string
	md     []telemetry.Metadata
	m      []telemetry.Measurements
}

func (r *recorder) handle(event string, m telemetry.Measurements, md telemetry.Metadata) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event)
	r.md = append(r.md, md)
	r.m = append(r.m, m)
}

func (r *recorder) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

func count(xs []string, x string) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

type crasher struct{}

func (crasher) Init(*genserver.Self) error { return nil }
func (crasher) HandleCast(_ *genserver.Self, msg any) error {
	return msg.(error)
}

func TestBridgesPublishRuntimeAndSupervisorEvents(t *testing.T) {
	r := telemetry.New()
	var rec recorder
	if err := r.Attach("rec", []string{
		bridge.EventProcessSpawned, bridge.EventProcessExited,
		supervisor.EventChildStarted, supervisor.EventChildRestarting,
	}, rec.handle); err != nil {
		t.Fatal(err)
	}
	node := otptest.NewNode(t, bridge.NodeEvents(r))
	sup, err := supervisor.Start(node, supervisor.Spec{
		Flags: supervisor.DefaultFlags(),
		Children: []supervisor.ChildSpec{{ID: "w", Start: func(p *process.Proc) (process.PID, error) {
			return genserver.StartLink(p, crasher{})
		}}},
	}, bridge.SupervisorEvents(r), supervisor.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	children, err := supervisor.WhichChildren(context.Background(), sup)
	if err != nil {
		t.Fatal(err)
	}
	if err := genserver.Cast(children[0].PID, errors.New("crash")); err != nil {
		t.Fatal(err)
	}
	otptest.Eventually(t, 5*time.Second, func() bool {
		return count(rec.names(), supervisor.EventChildStarted) == 2
	}, "the restarted child's start event")
	names := rec.names()
	for _, ev := range []string{bridge.EventProcessSpawned, bridge.EventProcessExited, supervisor.EventChildRestarting} {
		if count(names, ev) == 0 {
			t.Errorf("no %s event in %v", ev, names)
		}
	}
}

type mute struct{}

func (mute) Init(*genserver.Self) error { return nil }
func (mute) HandleCall(s *genserver.Self, _ genserver.From, _ any) (any, error) {
	s.NoReply()
	return nil, nil
}

func TestGenServerEventsPublishCallTimeouts(t *testing.T) {
	r := telemetry.New()
	var rec recorder
	if err := r.Attach("rec", []string{genserver.EventCallTimeout}, rec.handle); err != nil {
		t.Fatal(err)
	}
	node := otptest.NewNode(t)
	if err := bridge.GenServerEvents(r, node); err != nil {
		t.Fatal(err)
	}
	pid, err := genserver.Start(node, mute{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := genserver.Call[any](context.Background(), pid, "x", genserver.WithTimeout(time.Millisecond)); err == nil {
		t.Fatal("Call to a server that never replies succeeded")
	}
	if got := rec.names(); len(got) != 1 || rec.md[0]["callee"] != pid || rec.m[0]["timeout"] != time.Millisecond.Seconds() {
		t.Fatalf("events %v, metadata %v, measurements %v; want one timeout of %v", got, rec.md, rec.m, pid)
	}
	_ = node.Exit(pid, process.Kill)
}

// TestBadInput: a nil node is an ArgumentError matching
// ErrInvalidArgument, a stopped node process.ErrNodeStopped.
func TestBadInput(t *testing.T) {
	err := bridge.GenServerEvents(nil, nil)
	var ae *bridge.ArgumentError
	if !errors.Is(err, bridge.ErrInvalidArgument) || !errors.As(err, &ae) {
		t.Fatalf("GenServerEvents(nil node) = %v; want an *ArgumentError matching ErrInvalidArgument", err)
	}
	stopped, err := process.NewNode()
	if err != nil {
		t.Fatal(err)
	}
	if err := stopped.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := bridge.GenServerEvents(nil, stopped); !errors.Is(err, process.ErrNodeStopped) {
		t.Fatalf("GenServerEvents(stopped node) = %v; want ErrNodeStopped", err)
	}
}

// onNode records the events of a registry that concern node (a PID in
// "pid", "supervisor" or "callee" of that node): telemetry.Default() is
// shared by the whole test binary.
func onNode(t *testing.T, r *telemetry.Registry, node *process.Node, events []string) *recorder {
	t.Helper()
	rec := &recorder{}
	id := "on-node-" + t.Name() + "-" + strconv.FormatUint(uint64(node.ID()), 10)
	if err := r.Attach(id, events, func(event string, m telemetry.Measurements, md telemetry.Metadata) {
		for _, k := range []string{"pid", "supervisor", "callee"} {
			if pid, ok := md[k].(process.PID); ok && pid.Node() == node.ID() {
				rec.handle(event, m, md)
				return
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Detach(id) })
	return rec
}

var bridged = []string{bridge.EventProcessSpawned, bridge.EventProcessExited, supervisor.EventChildStarted, genserver.EventCallTimeout}

// runBridged starts, on node, the three bridges given no registry, a
// supervisor with one mute server, a call to it that times out, and a
// process that exits; it returns once the exit was published on want.
func runBridged(t *testing.T, node *process.Node, want *recorder) {
	t.Helper()
	if err := bridge.GenServerEvents(nil, node); err != nil {
		t.Fatal(err)
	}
	sup, err := supervisor.Start(node, supervisor.Spec{
		Flags: supervisor.DefaultFlags(),
		Children: []supervisor.ChildSpec{{ID: "mute", Start: func(p *process.Proc) (process.PID, error) {
			return genserver.StartLink(p, mute{})
		}}},
	}, bridge.SupervisorEvents(nil), supervisor.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	children, err := supervisor.WhichChildren(context.Background(), sup)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := genserver.Call[any](context.Background(), children[0].PID, "x", genserver.WithTimeout(time.Millisecond)); err == nil {
		t.Fatal("Call to a server that never replies succeeded")
	}
	if _, err := node.Spawn(func(*process.Proc) error { return nil }); err != nil {
		t.Fatal(err)
	}
	otptest.Eventually(t, 5*time.Second, func() bool { return count(want.names(), bridge.EventProcessExited) > 0 },
		"the exit of the spawned process")
}

// TestNilRegistryMeansTheNodes: bridges given no registry publish on the
// registry of the node the events come from (process.Config.Telemetry), not
// on telemetry.Default(); a node given none publishes on the default.
func TestNilRegistryMeansTheNodes(t *testing.T) {
	reg := telemetry.New()
	node := otptest.NewNode(t, process.Config{Telemetry: reg}, bridge.NodeEvents(nil))
	got := onNode(t, reg, node, bridged)
	leaked := onNode(t, telemetry.Default(), node, bridged)
	runBridged(t, node, got)
	names := got.names()
	for _, ev := range bridged {
		if count(names, ev) == 0 {
			t.Errorf("the node's registry got no %s event: %v", ev, names)
		}
	}
	if l := leaked.names(); len(l) != 0 {
		t.Errorf("telemetry.Default() got %v; want nothing from a node with its own registry", l)
	}

	plain := otptest.NewNode(t, bridge.NodeEvents(nil))
	def := onNode(t, telemetry.Default(), plain, bridged)
	runBridged(t, plain, def)
	names = def.names()
	for _, ev := range bridged {
		if count(names, ev) == 0 {
			t.Errorf("a node given no registry: telemetry.Default() got no %s event: %v", ev, names)
		}
	}
}

// TestNilRegistryOptionSharedByNodes: one NodeEvents(nil) option given
// to two nodes publishes each node's events on that node's registry.
func TestNilRegistryOptionSharedByNodes(t *testing.T) {
	opt := bridge.NodeEvents(nil)
	regA, regB := telemetry.New(), telemetry.New()
	a := otptest.NewNode(t, process.Config{Telemetry: regA}, opt)
	b := otptest.NewNode(t, process.Config{Telemetry: regB}, opt)
	var recA, recB recorder
	if err := regA.Attach("a", []string{bridge.EventProcessSpawned}, recA.handle); err != nil {
		t.Fatal(err)
	}
	if err := regB.Attach("b", []string{bridge.EventProcessSpawned}, recB.handle); err != nil {
		t.Fatal(err)
	}
	var want = map[*process.Node][]process.PID{}
	for _, n := range []*process.Node{a, b, a, b} {
		want[n] = append(want[n], otptest.SpawnIdle(t, n))
	}
	for _, c := range []struct {
		rec  *recorder
		node *process.Node
	}{{&recA, a}, {&recB, b}} {
		c.rec.mu.Lock()
		var pids []process.PID
		for _, md := range c.rec.md {
			pids = append(pids, md["pid"].(process.PID))
		}
		c.rec.mu.Unlock()
		if !slices.Equal(pids, want[c.node]) {
			t.Errorf("node %d's registry got spawns %v; want %v", c.node.ID(), pids, want[c.node])
		}
	}
}

// gate is a server whose "slow" call waits for release.
type gate struct{ started, release chan struct{} }

func (gate) Init(*genserver.Self) error { return nil }
func (g gate) HandleCall(_ *genserver.Self, _ genserver.From, req any) (any, error) {
	if req == "slow" {
		g.started <- struct{}{}
		<-g.release
	}
	return req, nil
}

// TestGenServerEventsPublishDroppedCalls: a call abandoned while queued
// behind a slow one is dropped and published as EventCallDropped.
func TestGenServerEventsPublishDroppedCalls(t *testing.T) {
	r := telemetry.New()
	var rec recorder
	if err := r.Attach("rec", []string{genserver.EventCallDropped}, rec.handle); err != nil {
		t.Fatal(err)
	}
	node := otptest.NewNode(t)
	if err := bridge.GenServerEvents(r, node); err != nil {
		t.Fatal(err)
	}
	g := gate{started: make(chan struct{}, 1), release: make(chan struct{})}
	pid, err := genserver.Start(node, g)
	if err != nil {
		t.Fatal(err)
	}
	slow := make(chan error, 1)
	go func() { _, err := genserver.Call[any](context.Background(), pid, "slow"); slow <- err }()
	<-g.started
	if _, err := genserver.Call[any](context.Background(), pid, "late", genserver.WithTimeout(time.Millisecond)); err == nil {
		t.Fatal("a call queued behind a blocked one succeeded")
	}
	close(g.release)
	if err := <-slow; err != nil {
		t.Fatal(err)
	}
	if _, err := genserver.Call[any](context.Background(), pid, "sync"); err != nil {
		t.Fatal(err)
	}
	if got := rec.names(); len(got) != 1 || rec.md[0]["callee"] != pid || rec.md[0]["delivery"] != false {
		t.Fatalf("events %v, metadata %v; want one dropped call to %v", got, rec.md, pid)
	}
	_ = node.Exit(pid, process.Kill)
}
