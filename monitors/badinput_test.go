package monitors_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/monitors"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// TestBadInput walks the exported API with nil, zero, empty and invalid
// inputs: every call returns an error matching ErrInvalidArgument (and
// its more precise error where one is documented), and nothing panics
// (docs/ERRORS.md).
func TestBadInput(t *testing.T) {
	node := otptest.NewNode(t)
	m, err := monitors.New(node, monitors.WithoutChecker())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	pid := otptest.SpawnIdle(t, node)
	var nilM *monitors.Manager
	var zeroM monitors.Manager
	var nilOpt monitors.Option
	var nilCtx context.Context
	newM := func(n *process.Node, opts ...monitors.Option) func() error {
		return func() error {
			m, err := monitors.New(n, opts...)
			if m != nil {
				_ = m.Close()
			}
			return err
		}
	}
	pidErr := func(f func() (process.PID, error)) func() error {
		return func() error { _, err := f(); return err }
	}
	monitor := func(mm *monitors.Manager, caller, target process.PID) func() error {
		return func() error { _, err := mm.Monitor(caller, target, "tag"); return err }
	}
	cases := []struct {
		name    string
		call    func() error
		precise error
	}{
		{"New/nil node", newM(nil), monitors.ErrInvalidOption},
		{"New/nil option", newM(node, nilOpt), monitors.ErrInvalidOption},
		{"New/zero threshold", newM(node, monitors.WithLeakThreshold(0)), monitors.ErrInvalidOption},
		{"New/negative interval", newM(node, monitors.WithCheckInterval(-time.Second)), monitors.ErrInvalidOption},
		{"New/zero shards", newM(node, monitors.WithShards(0)), monitors.ErrInvalidOption},
		{"Monitor/nil receiver", monitor(nilM, pid, pid), nil},
		{"Monitor/zero receiver", monitor(&zeroM, pid, pid), nil},
		{"Monitor/zero caller", monitor(m, process.PID{}, pid), process.ErrInvalidPID},
		{"Monitor/zero target", monitor(m, pid, process.PID{}), process.ErrInvalidPID},
		{"Demonitor/nil receiver", func() error { return nilM.Demonitor(monitors.Ref{}) }, nil},
		{"Demonitor/zero Ref", func() error { return m.Demonitor(monitors.Ref{}) }, monitors.ErrNotFound},
		{"Close/nil receiver", nilM.Close, nil},
		{"Close/zero receiver", zeroM.Close, nil},
		{"CloseContext/nil ctx", func() error { return m.CloseContext(nilCtx) }, nil},
		{"Start/nil receiver", pidErr(func() (process.PID, error) { return nilM.Start(node) }), monitors.ErrInvalidOption},
		{"Start/nil node", pidErr(func() (process.PID, error) { return m.Start(nil) }), monitors.ErrInvalidOption},
		{"StartLink/nil parent", pidErr(func() (process.PID, error) { return m.StartLink(nil) }), monitors.ErrInvalidOption},
		{"StartLink/nil receiver", pidErr(func() (process.PID, error) { return nilM.StartLink(nil) }), monitors.ErrInvalidOption},
		{"ChildSpec/nil receiver", pidErr(func() (process.PID, error) { return nilM.ChildSpec("c").Start(nil) }), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, monitors.ErrInvalidArgument) {
				t.Fatalf("%s = %v; want an error matching ErrInvalidArgument", tc.name, err)
			}
			if tc.precise != nil && !errors.Is(err, tc.precise) {
				t.Fatalf("%s = %v; want an error matching %v too", tc.name, err, tc.precise)
			}
		})
	}
	if s := m.Stats(); s.Active != 0 {
		t.Fatalf("refused calls left %d monitors", s.Active)
	}
	if err := m.Demonitor(monitors.Ref{}); err == nil {
		t.Fatal("CloseContext(nil) closed the manager or Demonitor(zero) succeeded")
	} else if errors.Is(err, monitors.ErrClosed) {
		t.Fatal("CloseContext(nil) closed the manager")
	}

	// A stopped node: New and Start refuse it and create nothing.
	stopped, err := process.NewNode()
	if err != nil {
		t.Fatal(err)
	}
	if err := stopped.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, err := monitors.New(stopped); got != nil || !errors.Is(err, process.ErrNodeStopped) {
		t.Fatalf("New(stopped node) = %v, %v; want nil, ErrNodeStopped", got, err)
	}
	if got, err := monitors.New(stopped, monitors.WithoutChecker()); got != nil || !errors.Is(err, process.ErrNodeStopped) {
		t.Fatalf("New(stopped node, WithoutChecker) = %v, %v; want nil, ErrNodeStopped", got, err)
	}
	if _, err := m.Start(stopped); !errors.Is(err, process.ErrNodeStopped) || !m.Checker().IsZero() {
		t.Fatalf("Start(stopped node) = %v, checker %v; want ErrNodeStopped and none", err, m.Checker())
	}

	// Getters on nil and zero managers read as empty.
	for _, mm := range []*monitors.Manager{nilM, &zeroM} {
		if mm.Stats() != (monitors.Stats{}) || mm.List() != nil || mm.FindLeaks(0) != nil || !mm.Checker().IsZero() {
			t.Fatal("a nil or zero Manager reads as non-empty")
		}
	}
	if m.FindLeaks(-time.Second) != nil {
		t.Fatal("FindLeaks(negative) found monitors")
	}
}
