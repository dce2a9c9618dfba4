package transport_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/transport"
)

// TestBadInput walks the exported API with nil, zero, empty and invalid
// inputs: every call returns an error matching ErrInvalidArgument and
// nothing panics (docs/ERRORS.md).
func TestBadInput(t *testing.T) {
	node := otptest.NewNode(t)
	var nilL *transport.Listener
	var zeroL transport.Listener
	var nilCtx context.Context
	h := func(context.Context, *transport.Conn) error { return nil }
	cases := []struct {
		name string
		call func() error
	}{
		{"New empty addr", func() error { _, err := transport.New(transport.Config{Handler: h}); return err }},
		{"New nil handler", func() error { _, err := transport.New(transport.Config{Addr: "127.0.0.1:0"}); return err }},
		{"New negative max", func() error {
			_, err := transport.New(transport.Config{Addr: "127.0.0.1:0", Handler: h, MaxConnections: -1})
			return err
		}},
		{"Listen nil node", func() error {
			_, err := transport.Listen(nil, transport.Config{Addr: "127.0.0.1:0", Handler: h})
			return err
		}},
		{"nil Start", func() error { _, err := nilL.Start(node); return err }},
		{"zero Start", func() error { _, err := zeroL.Start(node); return err }},
		{"nil StartLink", func() error { _, err := nilL.StartLink(nil); return err }},
		{"nil Stop", func() error { return nilL.Stop(time.Second) }},
		{"nil Connections", func() error { _, err := nilL.Connections(context.Background()); return err }},
		{"nil ctx Connections", func() error {
			l, err := transport.New(transport.Config{Addr: "127.0.0.1:0", Handler: h})
			if err != nil {
				return err
			}
			defer l.Stop(time.Second)
			_, err = l.Connections(nilCtx)
			return err
		}},
		{"nil ChildSpec start", func() error { _, err := nilL.ChildSpec("x").Start(nil); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := otptest.NoPanic(tc.call)
			if !errors.Is(err, transport.ErrInvalidArgument) {
				t.Fatalf("%s = %v; want ErrInvalidArgument", tc.name, err)
			}
		})
	}
	if nilL.Addr() != nil || nilL.PID() != (zeroL.PID()) {
		t.Fatal("nil listener accessors")
	}
}
