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
