package supervisor

import (
	"testing"
	"time"
)

// TestBackoffDelay: the first restart in a row is immediate, then the
// delay doubles from Initial up to Max; jitter spreads it by up to Jitter
// of itself either way; a zero Initial is no backoff.
func TestBackoffDelay(t *testing.T) {
	b := Backoff{Initial: 100 * time.Millisecond, Max: time.Second}
	for _, tc := range []struct {
		b        Backoff
		failures int
		spread   float64
		want     time.Duration
	}{
		{b, 1, 0, 0},
		{b, 2, 0, 100 * time.Millisecond},
		{b, 3, 0, 200 * time.Millisecond},
		{b, 5, 0, 800 * time.Millisecond},
		{b, 6, 0, time.Second},
		{b, 1000, 0, time.Second},
		{Backoff{Initial: 100 * time.Millisecond, Max: time.Second, Jitter: 0.5}, 2, 1, 150 * time.Millisecond},
		{Backoff{Initial: 100 * time.Millisecond, Max: time.Second, Jitter: 0.5}, 2, -1, 50 * time.Millisecond},
		{Backoff{}, 5, 0, 0},
	} {
		if got := backoffDelay(tc.b, tc.failures, tc.spread); got != tc.want {
			t.Errorf("backoffDelay(%+v, %d, %v) = %v; want %v", tc.b, tc.failures, tc.spread, got, tc.want)
		}
	}
	if d := (Backoff{Initial: time.Second}).withDefaults(); d.Max != 32*time.Second || d.Reset != 64*time.Second {
		t.Errorf("defaults = %+v; want Max 32s and Reset 64s", d)
	}
}

// TestBackoffValidate: bad backoffs are spec errors.
func TestBackoffValidate(t *testing.T) {
	for _, b := range []Backoff{
		{Initial: -1},
		{Initial: time.Second, Max: time.Millisecond},
		{Initial: time.Second, Jitter: 1.5},
		{Initial: time.Second, Jitter: -0.1},
		{Initial: time.Second, Reset: -1},
	} {
		if b.validate("c", "Backoff") == nil {
			t.Errorf("validate(%+v) = nil; want a SpecError", b)
		}
	}
	if err := (Backoff{Initial: time.Second, Max: time.Minute, Jitter: 0.2}).validate("c", "Backoff"); err != nil {
		t.Errorf("validate(good) = %v", err)
	}
}
