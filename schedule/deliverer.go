package schedule

import (
	"context"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
)

// Deliverer delivers a schedule's message when it fires. The scheduler
// calls it in a delivery process of its own (never in the scheduler
// process), with a context cancelled at the delivery timeout or when the
// scheduler stops, and reports a non-nil error as a failed delivery.
//
// An application wires package send's supervised send here (retries
// with backoff, OnError DeadLetter), so that a delivery that exhausts
// its retries is kept as a dead letter and the scheduler reports it;
// Deliver should then return the send's final error.
type Deliverer interface {
	Deliver(ctx context.Context, dest process.Dest, msg any) error
}

// DelivererFunc adapts a function to [Deliverer].
type DelivererFunc func(ctx context.Context, dest process.Dest, msg any) error

// Deliver calls f; a nil f is an error matching [ErrInvalidArgument].
func (f DelivererFunc) Deliver(ctx context.Context, dest process.Dest, msg any) error {
	if f == nil {
		return argerr.Nil("schedule: DelivererFunc.Deliver", "receiver")
	}
	return f(ctx, dest, msg)
}

// SendDeliverer delivers through package send's supervised send: each
// firing is sender.Send(ctx, dest, msg, opts...), so the options decide
// the confirmation, retries, backoff and what happens when they are
// exhausted (OnError DeadLetter keeps the message as a dead letter, and
// the scheduler reports the failure). SendDeliverer has no error result:
// a nil sender makes every delivery fail with send's error for a nil
// Sender (matching [ErrInvalidArgument]), which the scheduler reports.
func SendDeliverer(sender *send.Sender, opts ...send.Option) Deliverer {
	return DelivererFunc(func(ctx context.Context, dest process.Dest, msg any) error {
		return sender.Send(ctx, dest, msg, opts...)
	})
}
