package restartwin

import (
	"math"
	"time"
)

// Window counts restarts within the period. It keeps at most
// MaxRestarts+1 timestamps in a ring, so each restart costs O(1) however
// long the supervisor has lived (the BEAM's list grows with its history).
// A timestamp is the time since the first restart, in nanoseconds: 8
// bytes without a pointer, where a time.Time is 24 with one (a pointer the
// GC's write barrier and every copy of the ring pay for). The zero Window
// allows no restart; Init sets its bounds.
type Window struct {
	max    int
	period time.Duration
	base   time.Time // the first restart's time; ring holds offsets from it
	ring   []time.Duration
	head   int // index of the oldest
	n      int
}

// Init sets the intensity: at most max restarts within period (OTP's
// intensity and period), and forgets every restart recorded.
func (w *Window) Init(max int, period time.Duration) {
	w.head, w.n, w.base = 0, 0, time.Time{}
	w.max, w.period = max, period
	w.ring = make([]time.Duration, min(w.limit(), 1024))
}

// limit is the most timestamps the ring ever needs: MaxRestarts+1.
func (w *Window) limit() int {
	if w.max >= math.MaxInt-1 {
		return math.MaxInt
	}
	return w.max + 1
}

// Add records a restart at now and reports whether the intensity is
// still respected (OTP's add_restart: more than max restarts within the
// period means give up). A restart exactly period ago still counts.
func (w *Window) Add(now time.Time) bool {
	if len(w.ring) == 0 {
		return false // not initialised: no restart allowed
	}
	if w.base.IsZero() {
		w.base = now
	}
	at := now.Sub(w.base)
	for w.n > 0 && at-w.ring[w.head] > w.period {
		w.dropOldest()
	}
	if w.n == len(w.ring) {
		if len(w.ring) < w.limit() {
			w.grow()
		} else {
			// max+1 restarts in the window already: the answer is no
			// whatever we keep, so keep the ring bounded.
			w.dropOldest()
		}
	}
	w.ring[(w.head+w.n)%len(w.ring)] = at
	w.n++
	return w.n <= w.max
}

func (w *Window) dropOldest() {
	w.head = (w.head + 1) % len(w.ring)
	w.n--
}

// grow doubles the ring, up to limit; only reached when MaxRestarts
// exceeds 1023.
func (w *Window) grow() {
	bigger := make([]time.Duration, min(2*len(w.ring), w.limit()))
	for i := 0; i < w.n; i++ {
		bigger[i] = w.ring[(w.head+i)%len(w.ring)]
	}
	w.ring, w.head = bigger, 0
}
