package send_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/timeouts"
)

// TestSendUsesTheNodesEnvironment: a Sender given no timeouts and no
// logger (here the package-level Send's) takes the send timeout and the
// logger of the destination's node, not the package defaults.
func TestSendUsesTheNodesEnvironment(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, err := timeouts.New(timeouts.Spec{Operations: map[string]time.Duration{send.TimeoutKey: 300 * time.Millisecond}},
			timeouts.WithFactor(1))
		if err != nil {
			t.Fatal(err)
		}
		var logs bytes.Buffer
		node := otptest.NewNode(t, process.Config{Timeouts: cfg, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		release := make(chan struct{})
		defer close(release)
		pid, err := genserver.Start(node, &blocker{release: release})
		if err != nil {
			t.Fatal(err)
		}
		begin := time.Now()
		err = send.Send(context.Background(), pid, "x", send.WithConfirm(send.Handled), send.WithOnError(send.Log))
		if !errors.Is(err, send.ErrTimeout) || time.Since(begin) != 300*time.Millisecond {
			t.Errorf("Send = %v after %v; want ErrTimeout after the node's 300ms", err, time.Since(begin))
		}
		if !strings.Contains(logs.String(), "send failed") {
			t.Errorf("node's log = %q; want the failure logged there", logs.String())
		}
	})
}

// events records the events of one registry whose "dest" is one of
// dests (telemetry.Default() is shared by the whole test binary).
type events struct {
	mu    sync.Mutex
	dests map[string]bool
	got   []string
}

func recordEvents(t *testing.T, r *telemetry.Registry, dests ...process.PID) *events {
	t.Helper()
	e := &events{dests: map[string]bool{}}
	for _, d := range dests {
		e.dests[d.String()] = true
	}
	id := "send-env-" + t.Name()
	names := []string{send.EventDelivered, send.EventFailed, send.EventBroadcast}
	if err := r.Attach(id, names, func(event string, _ telemetry.Measurements, md telemetry.Metadata) {
		if d, ok := md["dest"].(string); ok && !e.dests[d] {
			return
		}
		e.mu.Lock()
		e.got = append(e.got, event)
		e.mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Detach(id) })
	return e
}

func (e *events) list() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.got)
}

// TestSendPublishesOnTheNodesRegistry: a Sender given no registry (here
// the package-level Send's) publishes the outcome of a send on the
// registry of the node it runs on (process.Config.Telemetry), not on
// telemetry.Default(): from outside any process to a live destination,
// with a timeout of its own (the node is then looked up for the registry
// only), from a process to a dead destination, and a broadcast.
func TestSendPublishesOnTheNodesRegistry(t *testing.T) {
	reg := telemetry.New()
	node := otptest.NewNode(t, process.Config{Telemetry: reg})
	live := startInbox(t, node, &inbox{})
	dead := deadPID(t, node)
	onNode := recordEvents(t, reg, live, dead)
	onDefault := recordEvents(t, telemetry.Default(), live, dead)

	ctx := context.Background()
	if err := send.Send(ctx, live, "a"); err != nil {
		t.Fatal(err)
	}
	if err := send.Send(ctx, live, "b", send.WithTimeout(time.Second)); err != nil {
		t.Fatal(err)
	}
	probe := otptest.NewProbe(t, node)
	var err error
	probe.Do(func(p *process.Proc) { err = send.Send(p.Context(), dead, "c") })
	if !errors.Is(err, send.ErrNoProc) {
		t.Fatalf("Send to a dead PID from a process = %v; want ErrNoProc", err)
	}
	if _, err := send.Broadcast(ctx, []process.Dest{live}, "d", send.BestEffort); err != nil {
		t.Fatal(err)
	}
	want := []string{send.EventDelivered, send.EventDelivered, send.EventFailed, send.EventDelivered, send.EventBroadcast}
	if got := onNode.list(); !slices.Equal(got, want) {
		t.Errorf("the node's registry got %v; want %v", got, want)
	}
	if got := onDefault.list(); len(got) != 0 {
		t.Errorf("telemetry.Default() got %v; want nothing from a node with its own registry", got)
	}
}

// TestSendWithoutNodeRegistryUsesDefault: on a node given no registry,
// and with a Sender given one, the node's registry is not used.
func TestSendWithoutNodeRegistryUsesDefault(t *testing.T) {
	node := otptest.NewNode(t)
	live := startInbox(t, node, &inbox{})
	onDefault := recordEvents(t, telemetry.Default(), live)
	if err := send.Send(context.Background(), live, "a"); err != nil {
		t.Fatal(err)
	}
	if got, want := onDefault.list(), []string{send.EventDelivered}; !slices.Equal(got, want) {
		t.Errorf("telemetry.Default() got %v; want %v", got, want)
	}

	reg, own := telemetry.New(), telemetry.New()
	other := otptest.NewNode(t, process.Config{Telemetry: reg})
	dest := startInbox(t, other, &inbox{})
	onNode := recordEvents(t, reg, dest)
	onOwn := recordEvents(t, own, dest)
	s := newSender(t, send.WithTelemetry(own))
	// newSender gives a registry first; the later WithTelemetry wins.
	if err := s.Send(context.Background(), dest, "b"); err != nil {
		t.Fatal(err)
	}
	if got := onNode.list(); len(got) != 0 {
		t.Errorf("the node's registry got %v; want nothing when the Sender has its own", got)
	}
	if got, want := onOwn.list(), []string{send.EventDelivered}; !slices.Equal(got, want) {
		t.Errorf("the Sender's registry got %v; want %v", got, want)
	}
}

// TestFailedSendFromOutsideReportsOnTheDestinationsNode: a send from
// outside any process that fails (a dead PID, an unregistered name) has
// no live process to find its node by; it still publishes on the
// destination node's registry, not on telemetry.Default().
func TestFailedSendFromOutsideReportsOnTheDestinationsNode(t *testing.T) {
	reg := telemetry.New()
	node := otptest.NewNode(t, process.Config{Telemetry: reg})
	dead := deadPID(t, node)
	onNode := recordEvents(t, reg, dead)
	onNode.dests["ghost"] = true
	onDefault := recordEvents(t, telemetry.Default(), dead)
	onDefault.dests["ghost"] = true

	ctx := context.Background()
	if err := send.Send(ctx, dead, "a"); !errors.Is(err, send.ErrNoProc) {
		t.Fatalf("Send to a dead PID = %v; want ErrNoProc", err)
	}
	if err := send.Send(ctx, node.Name("ghost"), "b"); !errors.Is(err, send.ErrNoProc) {
		t.Fatalf("Send to an unregistered name = %v; want ErrNoProc", err)
	}
	if got, want := onNode.list(), []string{send.EventFailed, send.EventFailed}; !slices.Equal(got, want) {
		t.Errorf("the node's registry got %v; want %v", got, want)
	}
	if got := onDefault.list(); len(got) != 0 {
		t.Errorf("telemetry.Default() got %v; want nothing from a node with its own registry", got)
	}
}
