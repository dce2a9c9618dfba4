package otptest

import (
	"testing"

	"go.uber.org/goleak"
)

// VerifyTestMain runs the package's tests and then fails the binary if
// goroutines are left over, using goleak (which retries with a backoff
// before reporting). opts are passed to goleak unchanged, for example
// goleak.IgnoreTopFunction for a known background goroutine. Use it as the
// whole body of TestMain:
//
//	func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }
//
// It does not return: it calls os.Exit with the tests' exit code.
func VerifyTestMain(m *testing.M, opts ...goleak.Option) {
	goleak.VerifyTestMain(m, opts...)
}

// VerifyNone fails t if goroutines other than the test runner's are
// running, after goleak's retries. Call it at the end of a test, or defer
// it at the start; it does not work with t.Parallel (use node-scoped
// checks, [NewNode], there).
func VerifyNone(t testing.TB, opts ...goleak.Option) {
	t.Helper()
	goleak.VerifyNone(t, opts...)
}
