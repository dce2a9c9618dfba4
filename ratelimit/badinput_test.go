package ratelimit_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/ratelimit"
)

// TestBadInput walks the exported API with nil, zero, empty and invalid
// inputs: every call returns an error matching ErrInvalidArgument (and
// its more precise error where one is documented), and nothing panics
// (docs/ERRORS.md).
func TestBadInput(t *testing.T) {
	node := otptest.NewNode(t)
	l, err := ratelimit.New(ratelimit.Limit{Rate: 1, Burst: 1})
	if err != nil {
		t.Fatal(err)
	}
	var nilL *ratelimit.Limiter
	var zeroL ratelimit.Limiter
	var nilOpt ratelimit.Option
	var nilCtx context.Context
	ctx := context.Background()
	newL := func(def ratelimit.Limit, opts ...ratelimit.Option) func() error {
		return func() error { _, err := ratelimit.New(def, opts...); return err }
	}
	ok := ratelimit.Limit{Rate: 1, Burst: 1}
	pidErr := func(f func() (process.PID, error)) func() error {
		return func() error { _, err := f(); return err }
	}
	cases := []struct {
		name    string
		call    func() error
		precise error
	}{
		{"New/negative rate", newL(ratelimit.Limit{Rate: -1, Burst: 1}), ratelimit.ErrInvalidLimit},
		{"New/NaN rate", newL(ratelimit.Limit{Rate: rate.Limit(math.NaN()), Burst: 1}), ratelimit.ErrInvalidLimit},
		{"New/negative burst", newL(ratelimit.Limit{Rate: 1, Burst: -1}), ratelimit.ErrInvalidLimit},
		{"New/zero burst", newL(ratelimit.Limit{Rate: 1}), ratelimit.ErrInvalidLimit},
		{"New/nil option", newL(ok, nilOpt), ratelimit.ErrInvalidOption},
		{"New/empty WithLimit key", newL(ok, ratelimit.WithLimit("", ok)), ratelimit.ErrInvalidOption},
		{"New/bad WithLimit", newL(ok, ratelimit.WithLimit("k", ratelimit.Limit{Rate: -1})), ratelimit.ErrInvalidLimit},
		{"New/zero idle", newL(ok, ratelimit.WithIdleTimeout(0)), ratelimit.ErrInvalidOption},
		{"New/negative sweep", newL(ok, ratelimit.WithSweepInterval(-time.Second)), ratelimit.ErrInvalidOption},
		{"New/zero shards", newL(ok, ratelimit.WithShards(0)), ratelimit.ErrInvalidOption},
		{"SetLimit/nil receiver", func() error { return nilL.SetLimit("k", ok) }, nil},
		{"SetLimit/zero receiver", func() error { return zeroL.SetLimit("k", ok) }, nil},
		{"SetLimit/empty key", func() error { return l.SetLimit("", ok) }, nil},
		{"SetLimit/bad limit", func() error { return l.SetLimit("k", ratelimit.Limit{Burst: -1}) }, ratelimit.ErrInvalidLimit},
		{"Wait/nil receiver", func() error { return nilL.Wait(ctx, "k") }, ratelimit.ErrInvalidOption},
		{"Wait/zero receiver", func() error { return zeroL.Wait(ctx, "k") }, ratelimit.ErrInvalidOption},
		{"Wait/nil ctx", func() error { return l.Wait(nilCtx, "k") }, ratelimit.ErrInvalidOption},
		{"Wait/empty key", func() error { return l.Wait(ctx, "") }, ratelimit.ErrInvalidOption},
		{"Start/nil receiver", pidErr(func() (process.PID, error) { return nilL.Start(node) }), ratelimit.ErrInvalidOption},
		{"Start/nil node", pidErr(func() (process.PID, error) { return l.Start(nil) }), ratelimit.ErrInvalidOption},
		{"StartLink/nil parent", pidErr(func() (process.PID, error) { return l.StartLink(nil) }), ratelimit.ErrInvalidOption},
		{"StartLink/nil receiver", pidErr(func() (process.PID, error) { return nilL.StartLink(nil) }), ratelimit.ErrInvalidOption},
		{"ChildSpec/nil receiver", pidErr(func() (process.PID, error) { return nilL.ChildSpec("j").Start(nil) }), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, ratelimit.ErrInvalidArgument) {
				t.Fatalf("%s = %v; want an error matching ErrInvalidArgument", tc.name, err)
			}
			if tc.precise != nil && !errors.Is(err, tc.precise) {
				t.Fatalf("%s = %v; want an error matching %v too", tc.name, err, tc.precise)
			}
		})
	}

	stopped, err := process.NewNode()
	if err != nil {
		t.Fatal(err)
	}
	if err := stopped.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Start(stopped); !errors.Is(err, process.ErrNodeStopped) {
		t.Fatalf("Start(stopped node) = %v; want ErrNodeStopped", err)
	}
	if !l.Janitor().IsZero() {
		t.Fatal("Start on a stopped node left a janitor")
	}

	// Refused queries and getters on nil, zero and empty input.
	for _, lim := range []*ratelimit.Limiter{nilL, &zeroL} {
		if lim.Allow("k") || lim.Reserve("k").OK() || lim.LimitOf("k") != (ratelimit.Limit{}) ||
			lim.Stats() != (ratelimit.Stats{}) || lim.Sweep() != 0 || !lim.Janitor().IsZero() {
			t.Fatal("a nil or zero Limiter allows events or reads as non-zero")
		}
	}
	before := l.Stats()
	if l.Allow("") || l.Reserve("").OK() {
		t.Fatal("an empty key was allowed")
	}
	if after := l.Stats(); after != before {
		t.Fatalf("refusing an empty key changed Stats from %+v to %+v", before, after)
	}
}
