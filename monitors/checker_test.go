package monitors_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/monitors"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// TestSupervisedCheckerIsRestarted: with WithoutChecker and ChildSpec, a
// leak-check process that crashes is restarted by its supervisor, and
// leak checks go on.
func TestSupervisedCheckerIsRestarted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		reg, rec := record(t, monitors.EventLeakCheck)
		m := newManager(t, node, monitors.WithoutChecker(), monitors.WithCheckInterval(time.Second), monitors.WithTelemetry(reg))
		if pid := m.Checker(); !pid.IsZero() {
			t.Fatalf("Checker() = %v with WithoutChecker; want zero", pid)
		}
		spec := supervisor.Spec{
			Flags:    supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 3, Period: time.Minute},
			Children: []supervisor.ChildSpec{m.ChildSpec("leak_check")},
		}
		sup, err := supervisor.Start(node, spec, supervisor.WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = supervisor.Stop(sup, process.Shutdown, time.Second) }()
		first := m.Checker()
		errc := make(chan error, 1)
		if _, err := node.Spawn(func(p *process.Proc) error {
			_, err := m.StartLink(p)
			errc <- err
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if err := <-errc; !errors.As(err, new(*monitors.AlreadyStartedError)) {
			t.Errorf("second StartLink = %v; want AlreadyStartedError", err)
		}
		kill(t, node, first)
		synctest.Wait()
		second := m.Checker()
		if second.IsZero() || second == first || !node.IsAlive(second) {
			t.Fatalf("Checker() after a crash = %v (first %v); want a new live process", second, first)
		}
		before := len(rec.get(monitors.EventLeakCheck))
		time.Sleep(time.Second + time.Millisecond) // fake time: one check interval
		synctest.Wait()
		if after := len(rec.get(monitors.EventLeakCheck)); after <= before {
			t.Errorf("leak checks after restart = %d; want more than %d", after, before)
		}
	})
}

// TestCloseContextBoundsTheWait: CloseContext with a context already
// done still closes the manager; a checker that is already dead is no
// error.
func TestCloseContextBoundsTheWait(t *testing.T) {
	node := otptest.NewNode(t)
	m := newManager(t, node)
	kill(t, node, m.Checker())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := m.CloseContext(ctx); err != nil {
		t.Errorf("CloseContext with a dead checker = %v; want nil", err)
	}
	if _, err := m.Start(node); !errors.Is(err, monitors.ErrClosed) {
		t.Errorf("Start after Close = %v; want ErrClosed", err)
	}
}
