// Package testsleep defines an Analyzer that reports time.Sleep used to
// wait in tests.
//
// # Analyzer testsleep
//
// testsleep: report time.Sleep used to wait in tests
//
// A test that sleeps to let a restart happen or a message arrive is slow
// when the sleep is long and flaky when it is short, and on a loaded CI
// machine it is both. Wait for the event itself: otptest.Eventually polls
// a condition up to a bound, an otptest.Probe receives the message or the
// Down, and testing/synctest runs the test on a fake clock where a sleep
// is exact and instant.
//
// Reported: time.Sleep in a _test.go file of a package that uses Orchard,
// in the body of a function taking *testing.T, *testing.B or testing.TB,
// or of a subtest it starts with Run. Not reported: a sleep under
// testing/synctest (in a function literal given to synctest.Test or
// synctest.Run, or in a function that calls synctest.Wait, which runs only
// inside a bubble: fake time), a sleep in any other function literal (a process's or a task's body simulating work),
// and examples (they have no *testing.T).
//
//	// WRONG
//	node.Exit(child, errors.New("boom"))
//	time.Sleep(100 * time.Millisecond)
//	if got := whereIs(); got == child { t.Fatal("not restarted") }
//
//	// RIGHT
//	node.Exit(child, errors.New("boom"))
//	otptest.Eventually(t, time.Second, func() bool { return whereIs() != child }, "not restarted")
//
// There is no suggested fix: the condition waited for is the author's to
// write.
//
// # OTP map
//
//	OTP / ExUnit                         Orchard rule
//	-----------------------------------  -----------------------------------------
//	Process.sleep/1 in a test            time.Sleep in a test (reported)
//	assert_receive, assert_eventually    otptest.Probe, otptest.Eventually
package testsleep
