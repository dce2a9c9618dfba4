package overload_test

import (
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/bench/peers/overload"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// TestTinyRuns runs W12 briefly on every Go runtime, lightly loaded, and
// checks that each completes with successes and a measured capacity.
func TestTinyRuns(t *testing.T) {
	cfg := overload.Config{Cost: 100 * time.Microsecond, Callers: 4, Timeout: 100 * time.Millisecond,
		Duration: 200 * time.Millisecond, Warmup: 100 * time.Millisecond, Capacity: 10_000, Offered: 200}
	for name, mk := range map[string]func() (overload.Server, error){
		"orchard":           func() (overload.Server, error) { return overload.NewOrchard(cfg, false) },
		"orchard-otp-exact": func() (overload.Server, error) { return overload.NewOrchard(cfg, true) },
		"rawgo":             func() (overload.Server, error) { return overload.NewRawGo(cfg) },
		"protoactor":        func() (overload.Server, error) { return overload.NewProtoActor(cfg) },
	} {
		t.Run(name, func(t *testing.T) {
			s, err := mk()
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			r := overload.Run(name, s, cfg)
			if r.Error != "" || r.Goodput <= 0 || s.Handled() <= 0 || r.Capacity <= 0 || r.Capacity == cfg.Capacity {
				t.Fatalf("Run = %+v; want successes", r)
			}
		})
	}
}

// TestCrashLoopBackoff: with backoff, a 300 ms fault costs a handful of
// starts; the child is healthy again afterwards either way.
func TestCrashLoopBackoff(t *testing.T) {
	r, err := overload.CrashLoop(300*time.Millisecond, &supervisor.Backoff{Initial: 50 * time.Millisecond, Max: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if r.Starts > 10 {
		t.Fatalf("%d starts during a 300ms fault with backoff; want a handful", r.Starts)
	}
	if _, err := overload.CrashLoop(100*time.Millisecond, nil); err != nil {
		t.Fatal(err)
	}
}
