package rt_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/otptest"
)

type noExpire struct{}

func (noExpire) Expire() {}

// TestDeadlineClock: a registered deadline is on the node's deadline
// clock, which converts to and from clock times and tells when it is due.
func TestDeadlineClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := otptest.NewNode(t)
		var d rt.Deadline
		want := time.Now().Add(time.Second)
		rt.StartDeadline(n, &d, time.Second, noExpire{})
		defer rt.StopDeadline(n, &d)
		if got := rt.ClockTime(n, d.At()); !got.Equal(want) {
			t.Fatalf("ClockTime(At) = %v; want %v", got, want)
		}
		if got := rt.ClockOf(n, want); got != d.At() {
			t.Fatalf("ClockOf(%v) = %d; want At = %d", want, got, d.At())
		}
		if rt.Clock(n) >= d.At() {
			t.Fatal("the clock is past the deadline before it")
		}
		time.Sleep(time.Second) // fake time: the deadline is due
		if rt.Clock(n) < d.At() {
			t.Fatal("the clock is before the deadline at the deadline")
		}
		if rt.Clock(nil) < d.At() || !rt.ClockTime(nil, d.At()).IsZero() || rt.ClockOf(nil, want) != 0 {
			t.Fatal("a nil node's clock is not past every deadline, or converts")
		}
	})
}
