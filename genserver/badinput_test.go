package genserver_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// TestBadInput walks the exported API with nil, zero, empty and invalid
// inputs: each call returns an *ArgumentError matching ErrInvalidArgument
// (and, under its older name, ErrInvalidOption), never panics, and starts
// or reaches no process (docs/ERRORS.md). The functions without an error
// result do nothing.
func TestBadInput(t *testing.T) {
	node := otptest.NewNode(t)
	ctx := context.Background()
	pid := start(t, node, &srv{})
	probe := otptest.NewProbe(t, node)
	var nilCtx context.Context
	var nilSrv genserver.Server
	pidOnly := func(_ process.PID, err error) error { return err }
	call := func(ctx context.Context, dest process.Dest, opts ...genserver.CallOption) error {
		_, err := genserver.Call[int](ctx, dest, "x", opts...)
		return err
	}
	startWith := func(opts ...genserver.StartOption) error { return pidOnly(genserver.Start(node, initOnly{}, opts...)) }

	tests := []struct {
		name string
		call func() error
	}{
		{"Start nil node", func() error { return pidOnly(genserver.Start(nil, initOnly{})) }},
		{"Start nil server", func() error { return pidOnly(genserver.Start(node, nilSrv)) }},
		{"Start nil option", func() error { return startWith(nil) }},
		{"WithName empty", func() error { return startWith(genserver.WithName("")) }},
		{"WithVia nil", func() error { return startWith(genserver.WithVia(nil)) }},
		{"WithInitTimeout zero", func() error { return startWith(genserver.WithInitTimeout(0)) }},
		{"WithInitTimeout negative", func() error { return startWith(genserver.WithInitTimeout(-time.Second)) }},
		{"WithContext nil", func() error { return startWith(genserver.WithContext(nilCtx)) }},
		{"WithLogger nil", func() error { return startWith(genserver.WithLogger(nil)) }},
		{"StartLink nil parent", func() error { return pidOnly(genserver.StartLink(nil, initOnly{})) }},
		{"StartLink nil server", func() error {
			var err error
			probe.Do(func(p *process.Proc) { err = pidOnly(genserver.StartLink(p, nilSrv)) })
			return err
		}},
		{"Call nil ctx", func() error { return call(nilCtx, pid) }},
		{"Call nil dest", func() error { return call(ctx, nil) }},
		{"Call zero PID", func() error { return call(ctx, process.PID{}) }},
		{"Call empty name", func() error { return call(ctx, node.Name("")) }},
		{"Call nil option", func() error { return call(ctx, pid, nil) }},
		{"WithTimeout zero", func() error { return call(ctx, pid, genserver.WithTimeout(0)) }},
		{"WithTimeout negative", func() error { return call(ctx, pid, genserver.WithTimeout(-time.Second)) }},
		{"Ask nil ctx", func() error { _, err := genserver.Ask(nilCtx, pid, balance{}); return err }},
		{"Ask zero PID", func() error { _, err := genserver.Ask(ctx, process.PID{}, balance{}); return err }},
		{"Ask nil request", func() error { _, err := genserver.Ask[int](ctx, pid, nil); return err }},
		{"Cast nil dest", func() error { return genserver.Cast(nil, "x") }},
		{"Cast zero PID", func() error { return genserver.Cast(process.PID{}, "x") }},
		{"Cast empty name", func() error { return genserver.Cast(node.Name(""), "x") }},
		{"Stop nil dest", func() error { return genserver.Stop(nil, nil, time.Second) }},
		{"Stop zero PID", func() error { return genserver.Stop(process.PID{}, nil, time.Second) }},
		{"Stop zero timeout", func() error { return genserver.Stop(pid, nil, 0) }},
		{"Deliver nil ctx", func() error { return genserver.Deliver(nilCtx, pid, "x", 0) }},
		{"Deliver nil dest", func() error { return genserver.Deliver(ctx, nil, "x", 0) }},
		{"Deliver zero PID", func() error { return genserver.Deliver(ctx, process.PID{}, "x", 0) }},
		{"Deliver negative timeout", func() error { return genserver.Deliver(ctx, pid, "x", -time.Second) }},
	}
	before := node.Stats().Processes
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ae *genserver.ArgumentError
			if !errors.Is(err, genserver.ErrInvalidArgument) || !errors.Is(err, genserver.ErrInvalidOption) || !errors.As(err, &ae) {
				t.Fatalf("%s = %v; want an *ArgumentError matching ErrInvalidArgument", tc.name, err)
			}
		})
	}
	if n := node.Stats().Processes; n != before {
		t.Errorf("%d processes after the bad calls; want %d (nothing started)", n, before)
	}

	// No error result: these do nothing on bad input.
	genserver.Reply(genserver.From{}, 1)
	genserver.ReplyError(genserver.From{}, errors.New("x"))
	if c := (genserver.From{}).Caller(); !c.IsZero() {
		t.Errorf("From{}.Caller() = %v; want the zero PID", c)
	}
	genserver.OnCallTimeout(nil, func(genserver.CallTimedOut) {})
	genserver.OnCallTimeout(node, nil)
	var self *genserver.Self
	self.Continue(1)
	self.NoReply()
	self.Stop(nil)
	self.SetTimeout(time.Second)

	// The server still runs. It echoes a request back, which is not the
	// int a balance declares: a run-time *BadReplyError.
	var bad *genserver.BadReplyError
	if n, err := genserver.Ask(ctx, pid, balance{}); !errors.As(err, &bad) || n != 0 {
		t.Errorf("Ask(echo server) = %v, %v; want a *BadReplyError", n, err)
	}
	if !node.IsAlive(pid) {
		t.Error("the server died")
	}
}
