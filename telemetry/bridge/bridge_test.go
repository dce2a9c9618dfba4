package bridge_test

import (
	"context"
	"errors"
	"log/slog"
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
