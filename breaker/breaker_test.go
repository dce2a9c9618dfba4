package breaker_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/breaker"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

var errDown = errors.New("down")

func fail() error { return errDown }
func ok() error   { return nil }

// recorder attaches to a fresh registry and records state changes.
func recorder(t *testing.T) (*telemetry.Registry, *[]string) {
	t.Helper()
	tel := telemetry.New()
	var changes []string
	if err := tel.Attach("t", []string{breaker.EventStateChanged}, func(_ string, _ telemetry.Measurements, md telemetry.Metadata) {
		changes = append(changes, md["key"].(string)+":"+md["from"].(string)+"->"+md["to"].(string))
	}); err != nil {
		t.Fatal(err)
	}
	return tel, &changes
}

func TestOpensAndRecovers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tel, changes := recorder(t)
		settings := breaker.Settings{FailureThreshold: 3, OpenTimeout: time.Second, HalfOpenMaxRequests: 2}
		set, err := breaker.NewSet(settings, breaker.WithTelemetry(tel))
		if err != nil {
			t.Fatal(err)
		}
		b := set.Get("svc")
		for i := range 3 {
			if err := b.Execute(fail); !errors.Is(err, errDown) {
				t.Fatalf("attempt %d = %v; want errDown", i, err)
			}
		}
		err = b.Execute(func() error { t.Fatal("ran while open"); return nil })
		var oe *breaker.OpenError
		if !errors.Is(err, breaker.ErrOpen) || !errors.As(err, &oe) || oe.State != breaker.Open || oe.Key != "svc" {
			t.Fatalf("Execute while open = %v; want an *OpenError", err)
		}
		time.Sleep(time.Second + time.Millisecond)
		if b.State() != breaker.HalfOpen {
			t.Fatalf("State = %v; want half-open", b.State())
		}
		done1, err1 := b.Allow()
		done2, err2 := b.Allow()
		_, err3 := b.Allow()
		if err1 != nil || err2 != nil || !errors.As(err3, &oe) || oe.State != breaker.HalfOpen {
			t.Fatalf("half-open Allow = %v, %v, %v; want two trials then refusal", err1, err2, err3)
		}
		done1(breaker.Success)
		done2(breaker.Success)
		if b.State() != breaker.Closed {
			t.Fatalf("State = %v; want closed", b.State())
		}
		want := "svc:closed->open svc:open->half-open svc:half-open->closed"
		if got := strings.Join(*changes, " "); got != want {
			t.Fatalf("changes = %q; want %q", got, want)
		}
	})
}

func TestHalfOpenFailureReopens(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		set, _ := breaker.NewSet(breaker.Settings{FailureThreshold: 1, OpenTimeout: time.Second, HalfOpenMaxRequests: 1})
		b := set.Get("k")
		_ = b.Execute(fail)
		time.Sleep(2 * time.Second)
		_ = b.Execute(fail)
		if b.State() != breaker.Open {
			t.Fatalf("State = %v; want open again", b.State())
		}
	})
}

func TestExcludedFreesTrialSlot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		set, _ := breaker.NewSet(breaker.Settings{FailureThreshold: 1, OpenTimeout: time.Second, HalfOpenMaxRequests: 1})
		b := set.Get("k")
		_ = b.Execute(fail)
		time.Sleep(2 * time.Second)
		if err := b.Execute(func() error { return context.Canceled }); !errors.Is(err, context.Canceled) {
			t.Fatalf("Execute = %v; want context.Canceled", err)
		}
		if b.State() != breaker.HalfOpen {
			t.Fatalf("State = %v; want still half-open", b.State())
		}
		if err := b.Execute(ok); err != nil || b.State() != breaker.Closed {
			t.Fatalf("trial after an excluded one = %v, state %v; want nil, closed", err, b.State())
		}
	})
}

func TestFailureRatio(t *testing.T) {
	set, err := breaker.NewSet(breaker.Settings{FailureRatio: 0.5, MinRequests: 4, OpenTimeout: time.Minute, HalfOpenMaxRequests: 1})
	if err != nil {
		t.Fatal(err)
	}
	b := set.Get("k")
	for _, fn := range []func() error{fail, ok, fail} {
		_ = b.Execute(fn)
	}
	if b.State() != breaker.Closed {
		t.Fatalf("after 3 requests State = %v; want closed (MinRequests 4)", b.State())
	}
	_ = b.Execute(ok) // 2 of 4 failed, but the rule is checked on failure
	_ = b.Execute(fail)
	if b.State() != breaker.Open {
		t.Fatalf("State = %v after 3 of 5 failed; want open", b.State())
	}
}

func TestSetPerKey(t *testing.T) {
	set, _ := breaker.NewSet(breaker.Settings{FailureThreshold: 1, OpenTimeout: time.Minute, HalfOpenMaxRequests: 1})
	_ = set.Get("a").Execute(fail)
	if a1, a2 := set.Get("a"), set.Get("a"); a1 != a2 {
		t.Fatal("Get returned two breakers for one key")
	}
	if err := set.Get("b").Execute(ok); err != nil {
		t.Fatalf("b = %v; want nil (a's breaker is not b's)", err)
	}
	states := set.States()
	if states["a"] != breaker.Open || states["b"] != breaker.Closed || len(set.Keys()) != 2 {
		t.Fatalf("States = %v; want a open, b closed", states)
	}
	if !set.Remove("a") || set.Get("a").State() != breaker.Closed {
		t.Fatal("Remove did not reset a")
	}
}

func TestKey(t *testing.T) {
	node := otptest.NewNode(t)
	probe := otptest.NewProbe(t, node)
	for _, tc := range []struct {
		dest process.Dest
		want string
	}{
		{probe.PID(), "pid:" + probe.PID().String()},
		{node.Name("db"), "name:db"},
		{nil, "nil"},
	} {
		if got := breaker.Key(tc.dest); got != tc.want {
			t.Errorf("Key(%v) = %q; want %q", tc.dest, got, tc.want)
		}
	}
}

func TestInvalidSettings(t *testing.T) {
	good := breaker.DefaultSettings()
	for name, mutate := range map[string]func(*breaker.Settings){
		"no trip rule":     func(s *breaker.Settings) { s.FailureThreshold, s.FailureRatio = 0, 0 },
		"ratio above one":  func(s *breaker.Settings) { s.FailureRatio = 1.5 },
		"ratio no minimum": func(s *breaker.Settings) { s.FailureRatio, s.MinRequests = 0.5, 0 },
		"zero timeout":     func(s *breaker.Settings) { s.OpenTimeout = 0 },
		"no trials":        func(s *breaker.Settings) { s.HalfOpenMaxRequests = 0 },
		"negative window":  func(s *breaker.Settings) { s.Interval = -1 },
	} {
		s := good
		mutate(&s)
		if _, err := breaker.NewSet(s); !errors.Is(err, breaker.ErrInvalidSettings) {
			t.Errorf("%s: NewSet = %v; want ErrInvalidSettings", name, err)
		}
	}
	if _, err := breaker.NewSet(good, breaker.WithTelemetry(nil)); !errors.Is(err, breaker.ErrInvalidSettings) {
		t.Errorf("WithTelemetry(nil): %v; want ErrInvalidSettings", err)
	}
}

func TestStateString(t *testing.T) {
	for s, want := range map[breaker.State]string{breaker.Closed: "closed", breaker.HalfOpen: "half-open", breaker.Open: "open", 9: "State(9)"} {
		if got := s.String(); got != want {
			t.Errorf("%d.String() = %q; want %q", int(s), got, want)
		}
	}
}
