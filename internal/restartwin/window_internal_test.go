package restartwin

import (
	"math"
	"testing"
	"time"
)

// TestRestartWindowBounded: the ring never holds more than MaxRestarts+1
// timestamps, however many restarts the supervisor has seen, so Add is
// O(1) in the supervisor's history.
func TestRestartWindowBounded(t *testing.T) {
	const restarts = 100_000
	for _, m := range []int{0, 1, 3, 1500} {
		var w Window
		w.Init(m, time.Second)
		now := time.Unix(0, 0)
		// Spaced so that exactly m restarts fit in any window: every
		// add is allowed (none is with m 0), and the window is full.
		step := time.Second/time.Duration(max(m, 1)) + time.Nanosecond
		for i := range restarts {
			now = now.Add(step)
			if got := w.Add(now); got != (m > 0) {
				t.Fatalf("max=%d: restart %d allowed = %v; want %v", m, i, got, m > 0)
			}
			if len(w.ring) > m+1 || w.n > m+1 {
				t.Fatalf("max=%d: after %d restarts the ring has %d slots, %d used; want at most %d", m, i+1, len(w.ring), w.n, m+1)
			}
		}
		// A burst at one instant: refused from the (m+1)th on, and the
		// ring stays bounded however long the burst goes on.
		for i := range 3 * (m + 1) {
			ok := w.Add(now)
			if len(w.ring) > m+1 || w.n > m+1 {
				t.Fatalf("max=%d: burst grew the ring to %d slots, %d used", m, len(w.ring), w.n)
			}
			if ok {
				t.Fatalf("max=%d: burst restart %d allowed on a full window", m, i)
			}
		}
	}
}

// TestRestartWindowBoundary is OTP's add_restart: more than max restarts
// within period give up; a restart exactly period ago still counts.
func TestRestartWindowBoundary(t *testing.T) {
	t0 := time.Unix(100, 0)
	tests := []struct {
		name  string
		max   int
		times []time.Duration // offsets from t0
		want  []bool
	}{
		{"zero_intensity", 0, []time.Duration{0}, []bool{false}},
		{"burst", 2, []time.Duration{0, 0, 0}, []bool{true, true, false}},
		{"exactly_period_counts", 1, []time.Duration{0, time.Second}, []bool{true, false}},
		{"past_period_expires", 1, []time.Duration{0, time.Second + 1}, []bool{true, true}},
		{"sliding", 2, []time.Duration{0, 600 * time.Millisecond, 1200 * time.Millisecond, 1500 * time.Millisecond}, []bool{true, true, true, false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var w Window
			w.Init(tc.max, time.Second)
			for i, d := range tc.times {
				if got := w.Add(t0.Add(d)); got != tc.want[i] {
					t.Errorf("add(t0+%v) = %v; want %v", d, got, tc.want[i])
				}
			}
		})
	}
}

// TestRestartWindowHugeIntensity: MaxRestarts near math.MaxInt does not
// overflow the ring's size.
func TestRestartWindowHugeIntensity(t *testing.T) {
	var w Window
	w.Init(math.MaxInt, time.Second)
	for i := range 5000 {
		if !w.Add(time.Unix(0, int64(i))) {
			t.Fatalf("restart %d refused", i)
		}
	}
	if w.n != 5000 || len(w.ring) < 5000 {
		t.Errorf("ring n=%d len=%d; want 5000 kept", w.n, len(w.ring))
	}
}

// TestZeroWindowRefuses: a Window never initialised allows no restart,
// and Init forgets the restarts recorded before.
func TestZeroWindowRefuses(t *testing.T) {
	var w Window
	if w.Add(time.Unix(0, 0)) {
		t.Fatal("the zero Window allowed a restart")
	}
	w.Init(1, time.Second)
	if !w.Add(time.Unix(1, 0)) || w.Add(time.Unix(1, 0)) {
		t.Fatal("Init(1, 1s): want the first restart allowed, the second refused")
	}
	w.Init(1, time.Second)
	if !w.Add(time.Unix(1, 0)) {
		t.Fatal("Init did not forget the restarts recorded before")
	}
}
