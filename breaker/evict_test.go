package breaker_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/breaker"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
)

var evictSettings = breaker.Settings{FailureThreshold: 1, OpenTimeout: time.Hour, HalfOpenMaxRequests: 1}

// TestStateDoesNotCreate: State and Lookup read without growing the set.
func TestStateDoesNotCreate(t *testing.T) {
	set, _ := breaker.NewSet(evictSettings)
	if st, ok := set.State("pid:<1.42>"); ok || st != breaker.Closed {
		t.Errorf("State(unknown) = %v, %v; want closed, false", st, ok)
	}
	if _, ok := set.Lookup("pid:<1.42>"); ok || set.Len() != 0 {
		t.Errorf("Lookup(unknown) found one, or Len = %d; want none", set.Len())
	}
	_ = set.Get("a").Execute(fail)
	if st, ok := set.State("a"); !ok || st != breaker.Open {
		t.Errorf("State(a) = %v, %v; want open, true", st, ok)
	}
}

// TestSweepEvictsIdleClosedOnly: Sweep forgets closed breakers idle long
// enough, never open ones, nor ones with a request in flight.
func TestSweepEvictsIdleClosedOnly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tel := telemetry.New()
		var counts []float64
		if err := tel.Attach("t", []string{breaker.EventEvicted}, func(_ string, m telemetry.Measurements, _ telemetry.Metadata) {
			counts = append(counts, m["count"])
		}); err != nil {
			t.Fatal(err)
		}
		set, _ := breaker.NewSet(evictSettings, breaker.WithTelemetry(tel))
		_ = set.Get("idle").Execute(ok)
		_ = set.Get("open").Execute(fail)
		done, err := set.Get("busy").Allow()
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute)
		_ = set.Get("recent").Execute(ok)
		if n := set.Sweep(30 * time.Second); n != 1 {
			t.Errorf("Sweep = %d; want 1", n)
		}
		if got := fmt.Sprint(set.Keys()); got != "[busy open recent]" {
			t.Errorf("Keys after Sweep = %s; want [busy open recent]", got)
		}
		done(breaker.Success)
		time.Sleep(time.Minute)
		if n := set.Sweep(30 * time.Second); n != 2 {
			t.Errorf("second Sweep = %d; want 2 (busy, recent)", n)
		}
		if fmt.Sprint(counts) != "[1 2]" {
			t.Errorf("evicted counts = %v; want [1 2]", counts)
		}
	})
}

// TestMaxSizeBoundsManyPIDKeys: one breaker per new PID key no longer
// grows the set without bound; a tripped breaker survives the eviction.
func TestMaxSizeBoundsManyPIDKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		set, err := breaker.NewSet(evictSettings, breaker.WithMaxSize(100))
		if err != nil {
			t.Fatal(err)
		}
		_ = set.Get("tripped").Execute(fail)
		for i := range 10_000 {
			time.Sleep(time.Millisecond)
			_ = set.Get(fmt.Sprintf("pid:<1.%d>", i)).Execute(ok)
			if set.Len() > 100 {
				t.Fatalf("Len = %d after %d keys; want at most 100", set.Len(), i+1)
			}
		}
		if st, ok := set.State("tripped"); !ok || st != breaker.Open {
			t.Errorf("State(tripped) = %v, %v; want open, kept", st, ok)
		}
		if _, ok := set.Lookup("pid:<1.9999>"); !ok {
			t.Error("the newest key was evicted")
		}
	})
}

func TestWithMaxSizeRejectsNonPositive(t *testing.T) {
	if _, err := breaker.NewSet(evictSettings, breaker.WithMaxSize(0)); !errors.Is(err, breaker.ErrInvalidSettings) {
		t.Errorf("WithMaxSize(0) = %v; want ErrInvalidSettings", err)
	}
}

// TestJanitorSweeps: the janitor process sweeps idle breakers every
// interval and stops with its node.
func TestJanitorSweeps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		set, _ := breaker.NewSet(evictSettings)
		if _, err := set.Start(node, breaker.Janitor{Every: time.Second}); !errors.Is(err, breaker.ErrInvalidSettings) {
			t.Errorf("Start(no IdleFor) = %v; want ErrInvalidSettings", err)
		}
		if _, err := set.Start(node, breaker.Janitor{Every: time.Second, IdleFor: 5 * time.Second}); err != nil {
			t.Fatal(err)
		}
		_ = set.Get("a").Execute(ok)
		time.Sleep(4 * time.Second)
		synctest.Wait()
		if set.Len() != 1 {
			t.Fatalf("Len after 4s = %d; want 1 (not idle for 5s yet)", set.Len())
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if set.Len() != 0 {
			t.Errorf("Len after 6s = %d; want 0 (swept)", set.Len())
		}
	})
}

// TestJanitorSupervised: ChildSpec runs the janitor under a supervisor,
// which restarts it after a crash; the restarted janitor sweeps the same
// set.
func TestJanitorSupervised(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		set, _ := breaker.NewSet(evictSettings)
		sup, err := supervisor.Start(node, supervisor.Spec{Flags: supervisor.DefaultFlags(),
			Children: []supervisor.ChildSpec{set.ChildSpec("janitor", breaker.Janitor{Every: time.Second, IdleFor: 5 * time.Second})}},
			supervisor.WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		children, err := supervisor.WhichChildren(context.Background(), sup)
		if err != nil || len(children) != 1 {
			t.Fatalf("WhichChildren = %v, %v; want the janitor", children, err)
		}
		_ = node.Exit(children[0].PID, errors.New("crash"))
		synctest.Wait()
		_ = set.Get("a").Execute(ok)
		time.Sleep(6 * time.Second)
		synctest.Wait()
		if set.Len() != 0 {
			t.Errorf("Len after 6s = %d; want 0 (swept by the restarted janitor)", set.Len())
		}
		after, err := supervisor.WhichChildren(context.Background(), sup)
		if err != nil || len(after) != 1 || after[0].PID == children[0].PID || !node.IsAlive(after[0].PID) {
			t.Fatalf("children after the crash = %v, %v; want a restarted janitor", after, err)
		}
	})
}
