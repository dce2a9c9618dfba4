package osproc_test

import (
	"context"
	"errors"
	"testing"

	"github.com/seed-fe72f376/orchard/osproc"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// TestBadInput walks the exported API with nil, zero, empty and invalid
// inputs: every call returns an error matching ErrInvalidArgument, and
// nothing panics nor starts (docs/ERRORS.md).
func TestBadInput(t *testing.T) {
	node := otptest.NewNode(t)
	ctx := context.Background()
	var nilCtx context.Context
	ok := osproc.Command{Path: "true"}
	with := func(f func(*osproc.Command)) osproc.Command {
		c := ok
		f(&c)
		return c
	}
	bad := map[string]osproc.Command{
		"empty Path":         {},
		"NUL in Path":        {Path: "tr\x00ue"},
		"NUL in Args":        with(func(c *osproc.Command) { c.Args = []string{"a", "b\x00"} }),
		"Env without =":      with(func(c *osproc.Command) { c.Env = []string{"KEY"} }),
		"Env with empty key": with(func(c *osproc.Command) { c.Env = []string{"=v"} }),
		"Mode":               with(func(c *osproc.Command) { c.Mode = 7 }),
		"Overflow":           with(func(c *osproc.Command) { c.Overflow = -1 }),
		"negative MaxLine":   with(func(c *osproc.Command) { c.MaxLine = -1 }),
		"negative MaxPend":   with(func(c *osproc.Command) { c.MaxPending = -1 }),
		"negative Timeout":   with(func(c *osproc.Command) { c.Timeout = -1 }),
		"negative KillGrace": with(func(c *osproc.Command) { c.KillGrace = -1 }),
		"negative CPU":       with(func(c *osproc.Command) { c.Limits.CPU = -1 }),
	}
	type tc struct {
		name string
		call func() error
	}
	pidErr := func(f func() (process.PID, error)) func() error {
		return func() error { _, err := f(); return err }
	}
	cases := []tc{
		{"Start/nil node", pidErr(func() (process.PID, error) { return osproc.Start(nil, ok) })},
		{"StartLink/nil parent", pidErr(func() (process.PID, error) { return osproc.StartLink(nil, ok) })},
		{"Child/nil parent", pidErr(func() (process.PID, error) { return osproc.Child("c", ok).Start(nil) })},
		{"Write/nil ctx", func() error { return osproc.Write(nilCtx, otptest.SpawnIdle(t, node), nil) }},
		{"Write/zero pid", func() error { return osproc.Write(ctx, process.PID{}, nil) }},
		{"CloseStdin/nil ctx", func() error { return osproc.CloseStdin(nilCtx, otptest.SpawnIdle(t, node)) }},
		{"CloseStdin/zero pid", func() error { return osproc.CloseStdin(ctx, process.PID{}) }},
		{"OSPID/nil ctx", func() error { _, err := osproc.OSPID(nilCtx, otptest.SpawnIdle(t, node)); return err }},
		{"OSPID/zero pid", func() error { _, err := osproc.OSPID(ctx, process.PID{}); return err }},
	}
	for name, c := range bad {
		cases = append(cases, tc{"Start/" + name, pidErr(func() (process.PID, error) { return osproc.Start(node, c) })})
	}
	before := len(node.Processes())
	for _, c := range cases {
		err := otptest.NoPanic(c.call)
		if !errors.Is(err, osproc.ErrInvalidArgument) {
			t.Errorf("%s: %v; want an error matching ErrInvalidArgument", c.name, err)
		}
		var ae *osproc.ArgumentError
		if err != nil && !errors.As(err, &ae) && !errors.Is(err, process.ErrInvalidPID) {
			t.Errorf("%s: %T is not an *ArgumentError", c.name, err)
		}
	}
	if after := len(node.Processes()); after != before+3 {
		t.Errorf("%d processes after the bad calls; want %d (the three idle ones)", after, before+3)
	}
	// A child spec with a bad command fails every start the same way.
	p := otptest.NewProbe(t, node)
	var err error
	p.Do(func(proc *process.Proc) { _, err = osproc.Child("c", osproc.Command{}).Start(proc) })
	if !errors.Is(err, osproc.ErrInvalidArgument) {
		t.Errorf("Child start of an empty command: %v; want ErrInvalidArgument", err)
	}
}
