package send_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
)

// TestBadInput walks the exported API with nil, zero, empty and invalid
// inputs: every call returns an error matching ErrInvalidArgument (and
// ErrInvalidOption), nothing is sent, and nothing panics
// (docs/ERRORS.md).
func TestBadInput(t *testing.T) {
	node := otptest.NewNode(t)
	probe := otptest.NewProbe(t, node)
	to := probe.PID()
	s, err := send.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var nilCtx context.Context
	var nilS *send.Sender
	var zeroS send.Sender
	var nilOpt send.SenderOption
	newS := func(opts ...send.SenderOption) func() error {
		return func() error { _, err := send.New(opts...); return err }
	}
	sendWith := func(opts ...send.Option) func() error {
		return func() error { return s.Send(ctx, to, "m", opts...) }
	}
	bcast := func(f func() ([]send.Result, error)) func() error {
		return func() error { _, err := f(); return err }
	}
	cases := []struct {
		name string
		call func() error
	}{
		{"New/nil option", newS(nilOpt)},
		{"New/nil telemetry", newS(send.WithTelemetry(nil))},
		{"New/nil sink", newS(send.WithDeadLetterSink(nil))},
		{"New/nil breakers", newS(send.WithBreakers(nil))},
		{"New/nil gate", newS(send.WithRateLimit(nil))},
		{"New/nil logger", newS(send.WithLogger(nil))},
		{"New/nil timeouts", newS(send.WithTimeouts(nil))},
		{"New/bad default", newS(send.WithDefaults(send.WithRetries(-1)))},
		{"New/dead letter without sink", newS(send.WithDefaults(send.WithOnError(send.DeadLetter)))},
		{"Send/nil receiver", func() error { return nilS.Send(ctx, to, "m") }},
		{"Send/zero receiver", func() error { return zeroS.Send(ctx, to, "m") }},
		{"Send/nil ctx", func() error { return s.Send(nilCtx, to, "m") }},
		{"Send/nil dest", func() error { return s.Send(ctx, nil, "m") }},
		{"Send/zero PID", func() error { return s.Send(ctx, process.PID{}, "m") }},
		{"Send/nil msg", func() error { return s.Send(ctx, to, nil) }},
		{"Send/package nil ctx", func() error { return send.Send(nilCtx, to, "m") }},
		{"Send/zero Option", sendWith(send.Option{})},
		{"Send/unknown level", sendWith(send.WithConfirm(send.Level(9)))},
		{"Send/zero timeout", sendWith(send.WithTimeout(0))},
		{"Send/negative timeout", sendWith(send.WithTimeout(-time.Second))},
		{"Send/negative retries", sendWith(send.WithRetries(-1))},
		{"Send/zero backoff", sendWith(send.WithBackoff(send.Backoff{}))},
		{"Send/backoff max below initial", sendWith(send.WithBackoff(send.Backoff{Initial: time.Second, Max: time.Millisecond, Multiplier: 2}))},
		{"Send/NaN multiplier", sendWith(send.WithBackoff(send.Backoff{Initial: 1, Max: 2, Multiplier: math.NaN()}))},
		{"Send/unknown jitter", sendWith(send.WithBackoff(send.Backoff{Initial: 1, Max: 2, Multiplier: 2, Jitter: 9}))},
		{"Send/unknown policy", sendWith(send.WithOnError(send.OnError(-1)))},
		{"Send/dead letter without sink", sendWith(send.WithOnError(send.DeadLetter))},
		{"Broadcast/nil receiver", bcast(func() ([]send.Result, error) {
			return nilS.Broadcast(ctx, []process.Dest{to}, "m", send.BestEffort)
		})},
		{"Broadcast/nil ctx", bcast(func() ([]send.Result, error) {
			return s.Broadcast(nilCtx, []process.Dest{to}, "m", send.BestEffort)
		})},
		{"Broadcast/nil recipient", bcast(func() ([]send.Result, error) {
			return s.Broadcast(ctx, []process.Dest{to, nil}, "m", send.BestEffort)
		})},
		{"Broadcast/nil msg", bcast(func() ([]send.Result, error) {
			return s.Broadcast(ctx, []process.Dest{to}, nil, send.BestEffort)
		})},
		{"Broadcast/unknown strategy", bcast(func() ([]send.Result, error) {
			return s.Broadcast(ctx, []process.Dest{to}, "m", send.Strategy(9))
		})},
		{"Broadcast/package bad option", bcast(func() ([]send.Result, error) {
			return send.Broadcast(ctx, []process.Dest{to}, "m", send.AtLeastOne, send.WithRetries(-2))
		})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, send.ErrInvalidArgument) || !errors.Is(err, send.ErrInvalidOption) {
				t.Fatalf("%s = %v; want an error matching ErrInvalidArgument and ErrInvalidOption", tc.name, err)
			}
			var ae *send.ArgumentError
			if !errors.As(err, &ae) {
				t.Fatalf("%s = %v; want an *ArgumentError", tc.name, err)
			}
		})
	}
	if n := probe.Len(); n != 0 {
		t.Fatalf("refused sends delivered %d messages", n)
	}
	if st := s.Stats(); st != (send.Stats{}) {
		t.Fatalf("refused sends counted: %+v", st)
	}
	if nilS.Stats() != (send.Stats{}) {
		t.Fatal("a nil Sender has counters")
	}
	// Functions without an error result do nothing harmful on bad input.
	if got := (&send.DeadLetterError{}).Error(); got == "" {
		t.Fatal("DeadLetterError{}.Error() is empty")
	}
	for _, b := range []send.Backoff{{}, {Initial: -5, Max: -1}, {Initial: 1, Max: time.Duration(math.MaxInt64), Multiplier: math.Inf(1)}, {Initial: 1, Max: 10, Multiplier: math.NaN()}} {
		for _, retry := range []int{-1, 0, 1, 64} {
			if d := b.Delay(retry); d < 0 {
				t.Fatalf("%+v.Delay(%d) = %v; want >= 0", b, retry, d)
			}
		}
	}
}
