package otptest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// nilCtx is a nil context, passed on purpose: it is bad input.
var nilCtx context.Context

// TestBadInput calls each helper with bad input, with a fake test that
// records failures: the helper must fail that test (want "fail"), return
// an error matching ErrInvalidArgument (want "error"), or do nothing
// (want "none"), and never panic.
func TestBadInput(t *testing.T) {
	node := otptest.NewNode(t)
	var nilProbe *otptest.Probe
	zeroProbe := new(otptest.Probe)
	var nilTrace *otptest.Trace

	cases := []struct {
		name string
		call func(tb *fakeTB) error
		want string
	}{
		{"CheckStopped(nil)", func(tb *fakeTB) error { otptest.CheckStopped(tb, nil); return nil }, "fail"},
		{"SpawnIdle(nil)", func(tb *fakeTB) error { otptest.SpawnIdle(tb, nil); return nil }, "fail"},
		{"NewNode(nil option)", func(tb *fakeTB) error { otptest.NewNode(tb, nil); return nil }, "fail"},
		{"NewProbe(nil node)", func(tb *fakeTB) error { otptest.NewProbe(tb, nil); return nil }, "fail"},
		{"NewProbe(zero option)", func(tb *fakeTB) error { otptest.NewProbe(tb, node, process.SpawnOption{}); return nil }, "fail"},
		{"Probe.Do(nil)", func(tb *fakeTB) error { otptest.NewProbe(tb, node).Do(nil); return nil }, "fail"},
		{"Eventually(nil cond)", func(tb *fakeTB) error { otptest.Eventually(tb, time.Second, nil); return nil }, "fail"},

		{"nil Probe.Expect", func(tb *fakeTB) error { nilProbe.Expect(tb, time.Millisecond); return nil }, "fail"},
		{"nil Probe.ExpectExit", func(tb *fakeTB) error { nilProbe.ExpectExit(tb, time.Millisecond); return nil }, "fail"},
		{"nil Probe.ExpectDown", func(tb *fakeTB) error { nilProbe.ExpectDown(tb, time.Millisecond); return nil }, "fail"},
		{"nil Probe.ExpectNone", func(tb *fakeTB) error { nilProbe.ExpectNone(tb, time.Millisecond); return nil }, "fail"},
		{"nil Probe.Link", func(*fakeTB) error { return nilProbe.Link(process.PID{}) }, "error"},
		{"nil Probe.Send", func(*fakeTB) error { return nilProbe.Send(process.PID{}, "x") }, "error"},
		{"zero Probe.Link", func(*fakeTB) error { return zeroProbe.Link(process.PID{}) }, "error"},
		{"nil Probe, no result", func(*fakeTB) error {
			nilProbe.Do(func(*process.Proc) {})
			nilProbe.Sync()
			nilProbe.Unlink(process.PID{})
			if nilProbe.Monitor(process.PID{}) != (process.Ref{}) || nilProbe.Demonitor(process.Ref{}, true) ||
				nilProbe.TrapExit(true) || nilProbe.Len() != 0 || !nilProbe.PID().IsZero() {
				return errors.New("a nil probe returned a value")
			}
			select {
			case <-nilProbe.Done():
			default:
				return errors.New("a nil probe's Done is open")
			}
			return nil
		}, "none"},

		{"nil Trace.Wait", func(*fakeTB) error { _, err := nilTrace.Wait(context.Background(), 1); return err }, "error"},
		{"Trace.Wait(nil ctx)", func(*fakeTB) error { _, err := new(otptest.Trace).Wait(nilCtx, 1); return err }, "error"},
		{"nil Trace.WaitN", func(tb *fakeTB) error { nilTrace.WaitN(tb, 1, time.Millisecond); return nil }, "fail"},
		{"nil Trace.WaitFor", func(tb *fakeTB) error { nilTrace.WaitFor(tb, "x", time.Millisecond); return nil }, "fail"},
		{"nil Trace, no result", func(tb *fakeTB) error {
			nilTrace.Add("x")
			nilTrace.Addf("%d", 1)
			nilTrace.Reset()
			if nilTrace.Len() != 0 || nilTrace.Lines() != nil || !nilTrace.Equal(tb, nil) {
				return errors.New("a nil trace is not empty")
			}
			return nil
		}, "none"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tb := &fakeTB{}
			var err, panicked error
			tb.run(func() {
				defer func() {
					if v := recover(); v != nil {
						panicked = fmt.Errorf("panic: %v", v)
					}
				}()
				err = tc.call(tb)
			})
			tb.finish()
			if panicked != nil {
				t.Fatalf("%s: %v", tc.name, panicked)
			}
			failed := tb.failures() != ""
			switch tc.want {
			case "fail":
				if !failed {
					t.Fatalf("%s did not fail the test (err %v)", tc.name, err)
				}
			case "error":
				if !errors.Is(err, otptest.ErrInvalidArgument) || failed {
					t.Fatalf("%s = %v (failures %q); want an error matching ErrInvalidArgument", tc.name, err, tb.failures())
				}
			case "none":
				if err != nil || failed {
					t.Fatalf("%s = %v (failures %q); want nothing", tc.name, err, tb.failures())
				}
			}
		})
	}
}

func TestNoPanic(t *testing.T) {
	if err := otptest.NoPanic(func() error { panic("boom") }); err == nil || err.Error() != "panic: boom" {
		t.Errorf("NoPanic(panicking f) = %v; want panic: boom", err)
	}
	want := errors.New("refused")
	if err := otptest.NoPanic(func() error { return want }); err != want {
		t.Errorf("NoPanic(f) = %v; want f's error", err)
	}
	if err := otptest.NoPanic(nil); err != nil {
		t.Errorf("NoPanic(nil) = %v; want nil", err)
	}
}
