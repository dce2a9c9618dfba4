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

// TestDeadlineTimeAndPassed: a registered deadline reports the clock time
// it is due at, and whether it is due, from its own reading of the clock.
func TestDeadlineTimeAndPassed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := otptest.NewNode(t)
		var d rt.Deadline
		want := time.Now().Add(time.Second)
		rt.StartDeadline(n, &d, time.Second, noExpire{})
		defer rt.StopDeadline(n, &d)
		if got := rt.DeadlineTime(n, &d); !got.Equal(want) {
			t.Fatalf("DeadlineTime = %v; want %v", got, want)
		}
		if rt.DeadlinePassed(n, &d) {
			t.Fatal("DeadlinePassed before the deadline")
		}
		time.Sleep(time.Second) // fake time: the deadline is due
		if !rt.DeadlinePassed(n, &d) {
			t.Fatal("DeadlinePassed = false at the deadline")
		}
		if rt.DeadlinePassed(nil, &d) || rt.DeadlinePassed(n, nil) || !rt.DeadlineTime(nil, &d).IsZero() {
			t.Fatal("a nil node or deadline is neither due nor timed")
		}
	})
}
