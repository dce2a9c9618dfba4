package genserver_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
)

// work is a server whose calls take the fake time they name.
func work() *srv {
	return &srv{call: func(_ *genserver.Self, _ genserver.From, req any) (any, error) {
		if d, ok := req.(time.Duration); ok {
			time.Sleep(d) // the request's cost, on the bubble's fake clock
		}
		return req, nil
	}}
}

// TestAdmissionMaxQueue: with MaxQueue 2, a call arriving while two
// wait is refused at once with an *OverloadError matching ErrOverloaded;
// the queued ones are served, and calls are admitted again after.
func TestAdmissionMaxQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		pid := start(t, node, work(), genserver.WithAdmission(genserver.Admission{MaxQueue: 2}))
		results := make(chan error, 3)
		for _, d := range []time.Duration{time.Second, 0, 0} {
			go func() { _, err := genserver.Call[any](context.Background(), pid, d); results <- err }()
			synctest.Wait() // in order: the first is being handled, two wait
		}
		begin := time.Now()
		_, err := genserver.Call[any](context.Background(), pid, "one too many")
		var oe *genserver.OverloadError
		if !errors.Is(err, genserver.ErrOverloaded) || !errors.As(err, &oe) || oe.MaxQueue != 2 || oe.Queued != 2 || time.Since(begin) != 0 {
			t.Fatalf("Call = %v (%+v); want an immediate OverloadError with 2 queued", err, oe)
		}
		for range 3 {
			if err := <-results; err != nil {
				t.Fatalf("queued call = %v", err)
			}
		}
		if _, err := genserver.Call[any](context.Background(), pid, "again"); err != nil {
			t.Fatalf("Call after the queue drained = %v", err)
		}
	})
}

// TestAdmissionTargetDelay: once the request the server takes has waited
// longer than the target while others still wait, new calls are shed;
// once it catches up (a request taken with the queue then empty), they
// are admitted again.
func TestAdmissionTargetDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		pid := start(t, node, work(), genserver.WithAdmission(genserver.Admission{TargetDelay: 50 * time.Millisecond}))
		results := make(chan error, 3)
		// A 200ms request, then A (100ms) and B (instant) queued behind it.
		for _, d := range []time.Duration{200 * time.Millisecond, 100 * time.Millisecond, 0} {
			go func() { _, err := genserver.Call[any](context.Background(), pid, d); results <- err }()
			synctest.Wait()
		}
		time.Sleep(250 * time.Millisecond) // A was taken at 200ms after waiting 200ms; B waits
		_, err := genserver.Call[any](context.Background(), pid, "shed")
		var oe *genserver.OverloadError
		if !errors.Is(err, genserver.ErrOverloaded) || !errors.As(err, &oe) || oe.Delay != 200*time.Millisecond {
			t.Fatalf("Call while behind = %v (%+v); want an OverloadError after a 200ms wait", err, oe)
		}
		for range 3 {
			if err := <-results; err != nil {
				t.Fatalf("queued call = %v", err)
			}
		}
		if _, err := genserver.Call[any](context.Background(), pid, "caught up"); err != nil {
			t.Fatalf("Call once caught up = %v", err)
		}
	})
}

// TestAdmissionBadInput: a negative bound, or no bound, is bad input.
func TestAdmissionBadInput(t *testing.T) {
	node := otptest.NewNode(t)
	for _, a := range []genserver.Admission{{}, {MaxQueue: -1}, {TargetDelay: -time.Second}} {
		if _, err := genserver.Start(node, work(), genserver.WithAdmission(a)); !errors.Is(err, genserver.ErrInvalidArgument) {
			t.Errorf("WithAdmission(%+v): Start = %v; want ErrInvalidArgument", a, err)
		}
	}
}
