package send_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/ratelimit"
	"github.com/seed-fe72f376/orchard/send"
)

// TestSendRateLimited: with a gate of 10 sends per second (burst 1) for
// every destination, a second send waits its turn, and one whose timeout
// ends first fails with RateLimited without reaching the receiver.
func TestSendRateLimited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		b := &inbox{}
		pid := startInbox(t, node, b)
		gate, err := ratelimit.New(ratelimit.Limit{Rate: 10, Burst: 1})
		if err != nil {
			t.Fatal(err)
		}
		s := newSender(t, send.WithRateLimit(gate))
		ctx := context.Background()
		start := time.Now()
		for _, msg := range []string{"first", "second"} {
			if err := s.Send(ctx, pid, msg, send.WithConfirm(send.Handled)); err != nil {
				t.Fatalf("Send(%s) = %v", msg, err)
			}
		}
		if waited := time.Since(start); waited != 100*time.Millisecond {
			t.Errorf("two sends took %v; want 100ms (the second waits for a token)", waited)
		}
		err = s.Send(ctx, pid, "third", send.WithConfirm(send.Handled), send.WithTimeout(50*time.Millisecond))
		var f *send.Error
		if !errors.Is(err, send.ErrRateLimited) || !errors.As(err, &f) || f.Outcome != send.RateLimited {
			t.Fatalf("Send(third) = %v; want a RateLimited *send.Error", err)
		}
		if got := b.messages(); len(got) != 2 {
			t.Errorf("receiver handled %v; want only the first two", got)
		}
		if _, err := send.New(send.WithRateLimit(nil)); !errors.Is(err, send.ErrInvalidOption) {
			t.Errorf("WithRateLimit(nil) = %v; want ErrInvalidOption", err)
		}
	})
}

// slowGate lets a send through after a fixed wait.
type slowGate struct{ wait time.Duration }

func (g slowGate) Wait(ctx context.Context, _ string) error {
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestSendTimeoutCoversTheRateLimitWait: the wait for the gate comes out
// of the send's timeout; the delivery gets only what is left.
func TestSendTimeoutCoversTheRateLimitWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		probe := otptest.NewProbe(t, node) // a process, not a GenServer: Handled never confirms
		s := newSender(t, send.WithRateLimit(slowGate{wait: 80 * time.Millisecond}))
		start := time.Now()
		err := s.Send(context.Background(), probe.PID(), "x", send.WithConfirm(send.Handled), send.WithTimeout(100*time.Millisecond))
		if !errors.Is(err, send.ErrTimeout) {
			t.Fatalf("Send = %v; want a timeout", err)
		}
		if took := time.Since(start); took != 100*time.Millisecond {
			t.Fatalf("Send took %v; want its 100ms timeout, the gate's wait included", took)
		}
	})
}
