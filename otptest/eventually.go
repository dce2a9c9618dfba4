package otptest

import (
	"fmt"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// Eventually calls cond until it returns true or timeout has passed, and
// reports whether it did. On timeout it fails the test with t.Errorf, adding
// msgAndArgs (a format string and its arguments) to the message.
//
// It polls: the first retry comes after 1 ms and the wait doubles up to
// 20 ms, never past the deadline. It is the only helper in this package that
// sleeps; prefer waiting on a message, a [Trace] or a channel whenever an
// event announces the condition.
//
// A nil cond fails the test at once (t.Fatalf).
func Eventually(t testing.TB, timeout time.Duration, cond func() bool, msgAndArgs ...any) bool {
	t.Helper()
	if cond == nil {
		t.Fatalf("otptest: Eventually: %v", argerr.Nil("otptest: Eventually", "cond"))
		return false
	}
	deadline := time.Now().Add(timeout)
	wait := time.Millisecond
	for {
		if cond() {
			return true
		}
		left := time.Until(deadline)
		if left <= 0 {
			t.Errorf("otptest: condition not met within %v%s", timeout, formatMsg(msgAndArgs))
			return false
		}
		time.Sleep(min(wait, left))
		wait = min(2*wait, maxPoll)
	}
}

const maxPoll = 20 * time.Millisecond

func formatMsg(msgAndArgs []any) string {
	if len(msgAndArgs) == 0 {
		return ""
	}
	if format, ok := msgAndArgs[0].(string); ok {
		return ": " + fmt.Sprintf(format, msgAndArgs[1:]...)
	}
	return ": " + fmt.Sprint(msgAndArgs...)
}
