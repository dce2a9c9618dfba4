package send_test

import (
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/send"
)

func TestBackoffDelay(t *testing.T) {
	base := send.Backoff{Initial: 10 * time.Millisecond, Max: 100 * time.Millisecond, Multiplier: 2}
	caps := []time.Duration{10, 20, 40, 80, 100, 100, 100} // ms, for retries 1..7
	for _, tc := range []struct {
		jitter send.Jitter
		low    func(time.Duration) time.Duration
	}{
		{send.NoJitter, func(c time.Duration) time.Duration { return c }},
		{send.EqualJitter, func(c time.Duration) time.Duration { return c / 2 }},
		{send.FullJitter, func(time.Duration) time.Duration { return 0 }},
	} {
		b := base
		b.Jitter = tc.jitter
		for i, c := range caps {
			c *= time.Millisecond
			for range 200 {
				if d := b.Delay(i + 1); d < tc.low(c) || d > c {
					t.Fatalf("jitter %d: Delay(%d) = %v; want in [%v, %v]", tc.jitter, i+1, d, tc.low(c), c)
				}
			}
		}
	}
	huge := send.Backoff{Initial: time.Second, Max: time.Minute, Multiplier: 10, Jitter: send.NoJitter}
	if d := huge.Delay(1000); d != time.Minute {
		t.Fatalf("Delay(1000) = %v; want the cap", d)
	}
}
