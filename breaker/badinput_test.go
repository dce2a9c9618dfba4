package breaker_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/breaker"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// TestBadInput walks the exported API with nil, zero, empty and invalid
// inputs: every call returns an error matching ErrInvalidArgument (and
// its more precise error where one is documented), and nothing panics
// (docs/ERRORS.md).
func TestBadInput(t *testing.T) {
	node := otptest.NewNode(t)
	stopped, err := process.NewNode()
	if err != nil {
		t.Fatal(err)
	}
	if err := stopped.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	set, err := breaker.NewSet(breaker.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	var nilSet *breaker.Set
	var zeroSet breaker.Set
	var nilBreaker *breaker.Breaker
	var nilOpt breaker.Option
	good := breaker.Janitor{Every: time.Second, IdleFor: time.Second}
	with := func(f func(*breaker.Settings)) breaker.Settings {
		s := breaker.DefaultSettings()
		f(&s)
		return s
	}
	newSet := func(s breaker.Settings, opts ...breaker.Option) error {
		_, err := breaker.NewSet(s, opts...)
		return err
	}
	allow := func(f func() (func(breaker.Result), error)) func() error {
		return func() error { _, err := f(); return err }
	}
	pidErr := func(f func() (process.PID, error)) func() error {
		return func() error { _, err := f(); return err }
	}
	cases := []struct {
		name    string
		call    func() error
		precise error
	}{
		{"NewSet/zero settings", func() error { return newSet(breaker.Settings{}) }, breaker.ErrInvalidSettings},
		{"NewSet/NaN ratio", func() error { return newSet(with(func(s *breaker.Settings) { s.FailureRatio = math.NaN() })) }, breaker.ErrInvalidSettings},
		{"NewSet/ratio above 1", func() error { return newSet(with(func(s *breaker.Settings) { s.FailureRatio = 2 })) }, breaker.ErrInvalidSettings},
		{"NewSet/ratio without min", func() error {
			return newSet(with(func(s *breaker.Settings) { s.FailureRatio, s.MinRequests = 0.5, 0 }))
		}, breaker.ErrInvalidSettings},
		{"NewSet/negative interval", func() error { return newSet(with(func(s *breaker.Settings) { s.Interval = -1 })) }, breaker.ErrInvalidSettings},
		{"NewSet/zero open timeout", func() error { return newSet(with(func(s *breaker.Settings) { s.OpenTimeout = 0 })) }, breaker.ErrInvalidSettings},
		{"NewSet/zero half-open", func() error { return newSet(with(func(s *breaker.Settings) { s.HalfOpenMaxRequests = 0 })) }, breaker.ErrInvalidSettings},
		{"NewSet/nil option", func() error { return newSet(breaker.DefaultSettings(), nilOpt) }, breaker.ErrInvalidSettings},
		{"NewSet/nil telemetry", func() error { return newSet(breaker.DefaultSettings(), breaker.WithTelemetry(nil)) }, breaker.ErrInvalidSettings},
		{"NewSet/zero max size", func() error { return newSet(breaker.DefaultSettings(), breaker.WithMaxSize(0)) }, breaker.ErrInvalidSettings},
		{"NewSet/negative max size", func() error { return newSet(breaker.DefaultSettings(), breaker.WithMaxSize(-1)) }, breaker.ErrInvalidSettings},
		{"Set.Allow/nil receiver", allow(func() (func(breaker.Result), error) { return nilSet.Allow("k") }), nil},
		{"Set.Allow/zero receiver", allow(func() (func(breaker.Result), error) { return zeroSet.Allow("k") }), nil},
		{"Set.Allow/empty key", allow(func() (func(breaker.Result), error) { return set.Allow("") }), nil},
		{"Breaker.Allow/nil receiver", allow(nilBreaker.Allow), nil},
		{"Breaker.Allow/zero receiver", allow(new(breaker.Breaker).Allow), nil},
		{"Breaker.Allow/from empty key", allow(set.Get("").Allow), nil},
		{"Breaker.Execute/nil fn", func() error { return set.Get("k").Execute(nil) }, nil},
		{"Breaker.Execute/nil receiver", func() error { return nilBreaker.Execute(func() error { return nil }) }, nil},
		{"Start/nil receiver", pidErr(func() (process.PID, error) { return nilSet.Start(node, good) }), breaker.ErrInvalidSettings},
		{"Start/nil node", pidErr(func() (process.PID, error) { return set.Start(nil, good) }), breaker.ErrInvalidSettings},
		{"Start/zero janitor", pidErr(func() (process.PID, error) { return set.Start(node, breaker.Janitor{}) }), breaker.ErrInvalidSettings},
		{"Start/negative idle", pidErr(func() (process.PID, error) {
			return set.Start(node, breaker.Janitor{Every: time.Second, IdleFor: -1})
		}), breaker.ErrInvalidSettings},
		{"StartLink/nil parent", pidErr(func() (process.PID, error) { return set.StartLink(nil, good) }), breaker.ErrInvalidSettings},
		{"StartLink/nil receiver", pidErr(func() (process.PID, error) { return nilSet.StartLink(nil, good) }), breaker.ErrInvalidSettings},
		{"ChildSpec/nil receiver", pidErr(func() (process.PID, error) { return nilSet.ChildSpec("j", good).Start(nil) }), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, breaker.ErrInvalidArgument) {
				t.Fatalf("%s = %v; want an error matching ErrInvalidArgument", tc.name, err)
			}
			if tc.precise != nil && !errors.Is(err, tc.precise) {
				t.Fatalf("%s = %v; want an error matching %v too", tc.name, err, tc.precise)
			}
			var ae *breaker.ArgumentError
			if !errors.As(err, &ae) {
				t.Fatalf("%s = %v; want an *ArgumentError", tc.name, err)
			}
		})
	}

	if _, err := set.Start(stopped, good); !errors.Is(err, process.ErrNodeStopped) {
		t.Fatalf("Start(stopped node) = %v; want ErrNodeStopped", err)
	}
	if n := len(stopped.Processes()); n != 0 {
		t.Fatalf("Start on a stopped node left %d processes", n)
	}

	// Getters on nil and zero values return zero values.
	for _, s := range []*breaker.Set{nilSet, &zeroSet} {
		if s.Get("k") != nil || s.Len() != 0 || len(s.Keys()) != 0 || len(s.States()) != 0 || s.Remove("k") || s.Sweep(0) != 0 {
			t.Fatalf("%v: a nil or zero Set holds breakers", s)
		}
		if b, ok := s.Lookup("k"); b != nil || ok {
			t.Fatal("Lookup on a nil or zero Set found a breaker")
		}
		if st, ok := s.State("k"); st != breaker.Closed || ok {
			t.Fatal("State on a nil or zero Set found a breaker")
		}
	}
	if nilBreaker.Key() != "" || nilBreaker.State() != breaker.Closed || nilBreaker.Counts() != (breaker.Counts{}) {
		t.Fatal("a nil Breaker reads as non-zero")
	}
	if n := set.Len(); set.Get("") != nil || set.Len() != n {
		t.Fatal("Get(\"\") created a breaker")
	}
	if set.Sweep(-time.Second) != 0 {
		t.Fatal("Sweep(negative) forgot breakers")
	}
}

// TestDoneTwice: a second call of done counts nothing.
func TestDoneTwice(t *testing.T) {
	set, err := breaker.NewSet(breaker.Settings{FailureThreshold: 2, OpenTimeout: time.Minute, HalfOpenMaxRequests: 1})
	if err != nil {
		t.Fatal(err)
	}
	done, err := set.Allow("k")
	if err != nil {
		t.Fatal(err)
	}
	done(breaker.Failure)
	done(breaker.Failure)
	if got := set.Get("k").Counts(); got.TotalFailures != 1 || got.Requests != 1 {
		t.Fatalf("Counts after done twice = %+v; want one request, one failure", got)
	}
	if st := set.Get("k").State(); st != breaker.Closed {
		t.Fatalf("State = %v; want closed (one failure of two)", st)
	}
}
