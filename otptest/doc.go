// Package otptest provides the test toolkit every Orchard package uses:
// nodes that check themselves for leaks when the test ends, goroutine leak
// checks, probe processes that hand the messages they receive to the test
// goroutine, a trace recorder with readable diffs, and one bounded polling
// helper.
//
// # OTP mapping
//
//	OTP / common_test                          Orchard
//	-----------------------------------------  -----------------------------------
//	init_per_testcase / end_per_testcase       NewNode (t.Cleanup stops and checks)
//	erlang:processes() empty after a case      NewNode's checks, VerifyTestMain
//	receive Msg -> ... after T -> ct:fail end  Probe.Expect
//	receive _ -> ct:fail after T -> ok end     Probe.ExpectNone
//	a test process with trap_exit / monitor    Probe (TrapExit, Link, Monitor)
//	dbg / erlang:trace into a list             Trace
//	ct_helper / test_server poll loops         Eventually
//
// # Semantics
//
// [NewNode] creates a [process.Node] and registers a t.Cleanup that stops
// it (bounded by [StopTimeout]) and then fails the test with t.Errorf if
// Stop reported a problem, or if processes, zombies or timers are left.
// A test that stops the node itself is still checked: the cleanup's Stop
// returns [process.ErrStopped] and the node's counters are inspected
// anyway. [CheckStopped] runs the same checks on demand.
//
// [VerifyTestMain] and [VerifyNone] wrap goleak: every package's TestMain
// is
//
//	func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }
//
// Node checks are scoped to the node, so tests using NewNode may call
// t.Parallel.
//
// A [Probe] is a real process: it runs in the node like any other, and its
// Link, Monitor, TrapExit and Do calls execute inside it (as control
// messages handled by its receive loop, in mailbox order), so links and
// monitors belong to the probe, not to the test goroutine. Every other
// message it receives is queued for [Probe.Expect]. A probe that traps
// exits stops when its node stops.
//
// [Trace] is safe for concurrent use. Its waiting methods block on a
// signal raised by every Add; they never sleep. [Eventually] is the only
// helper that polls, with a short backoff and a hard deadline; use it for
// conditions no event announces (for example a zombie goroutine having
// returned).
//
// Nothing here sleeps to synchronise. Where time matters (timers,
// timeouts, [Probe.ExpectNone]), run the test inside testing/synctest's
// Test so time is fake: NewNode works inside a bubble, and its cleanup
// runs inside the bubble before it ends.
//
// # Errors
//
// The helpers report bad input (a nil node, a nil function, a nil
// context) through the test they are given, with t.Fatalf or t.Errorf,
// never with a panic (docs/ERRORS.md); the few that return an error
// (Trace.Wait, Probe.Link, Probe.Send) return one matching
// [ErrInvalidArgument]. A nil testing.TB (or *testing.M) has nowhere to
// report to: it is the one argument the helpers require.
//
// # Differences from OTP
//
// common_test runs each case in a fresh process and kills its linked
// processes afterwards; Go tests run in goroutines, so the node plays the
// role of the test case's process group and its Stop is the cleanup.
// Leaked goroutines that belong to no node are found by goleak at the end
// of the package, not per case.
//
// # Example
//
//	func TestWorkerCrash(t *testing.T) {
//		node := otptest.NewNode(t)
//		watcher := otptest.NewProbe(t, node)
//		pid, _ := node.Spawn(func(p *process.Proc) error {
//			if _, err := p.Receive(p.Context()); err != nil { // wait for "go"
//				return err
//			}
//			return errors.New("boom")
//		})
//		ref := watcher.Monitor(pid)
//		_ = node.Send(pid, "go")
//		down := watcher.ExpectDown(t, time.Second)
//		if down.Ref != ref || down.Reason.Error() != "boom" {
//			t.Errorf("Down = %+v; want boom", down)
//		}
//	}
package otptest
