package a

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/task"
)

func TestRestart(t *testing.T) {
	time.Sleep(100 * time.Millisecond) // want `time.Sleep waits in a test: wait for the event with otptest.Eventually`
	if IsAlive() {
		t.Fatal("alive")
	}
	t.Run("sub", func(t *testing.T) {
		time.Sleep(time.Millisecond) // want `time.Sleep waits in a test`
	})
}

func waitFor(tb testing.TB) {
	time.Sleep(time.Millisecond) // want `time.Sleep waits in a test`
}

func TestGood(t *testing.T) {
	otptest.Eventually(t, time.Second, func() bool { return !IsAlive() })
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(time.Hour) // fake time
	})
	var sup *task.Supervisor
	_, _ = task.Start(sup, func(ctx context.Context) error {
		time.Sleep(time.Millisecond) // a task simulating work
		return nil
	})
	//orchardvet:allow testsleep the wall clock must pass for the limiter's idle timeout
	time.Sleep(time.Millisecond)
}

func helper() { time.Sleep(time.Millisecond) } // no *testing.T: not a test's wait

func ExampleX() { time.Sleep(time.Millisecond) }

// inBubbleHelper runs inside a synctest bubble (it calls synctest.Wait):
// its clock is fake.
func inBubbleHelper(t *testing.T) {
	time.Sleep(time.Minute)
	synctest.Wait()
}
