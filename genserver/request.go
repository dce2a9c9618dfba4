package genserver

import (
	"context"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// Req, embedded in a request type, declares the type R of the reply the
// server gives to that request:
//
//	type balance struct {
//		genserver.Req[int] // the reply is an int
//		Account string
//	}
//
// [Ask] then takes R from the request, so the caller's reply type is the
// request's, checked by the compiler. Req has no fields: embedding it
// adds nothing to the request's size.
type Req[R any] struct{}

// replyType is what makes a type embedding Req[R] a [Request] of R. It is
// unexported, so Req[R] is the only way to declare a reply type: no
// other method can claim one by accident.
func (Req[R]) replyType(R) {}

// Reply is the result HandleCall returns for the request: v as the reply
// and a nil error. Its parameter is an R, so a server that answers with
// it cannot send a reply of another type, which the compiler checks as
// it checks [Ask]'s callers:
//
//	case balance:
//		return r.Reply(s.accounts[r.Account])
func (Req[R]) Reply(v R) (any, error) { return v, nil }

// Request is a request that declares its reply type R by embedding
// [Req][R]. It is what [Ask] takes.
type Request[R any] interface {
	replyType(R)
}

// Ask is [Call] for a request that declares its reply type ([Req]): the
// compiler infers R from req, so
//
//	n, err := genserver.Ask(ctx, pid, balance{Account: "alice"}) // n is an int
//
// needs no type argument, and a caller that expects another type does
// not compile: assigning the result to a string is a type mismatch, and
// Ask[string] with a balance fails because balance is not a
// Request[string] (its replyType method takes an int). The server side
// is checked when it answers with [Req.Reply]; a HandleCall that returns
// another value still yields a *[BadReplyError] at run time, as Call
// does. Everything else (timeouts, errors, monitoring) is Call's.
//
// Call stays the form for OTP-style requests that are plain values
// (atoms, tuples) with no declared reply type.
func Ask[R any](ctx context.Context, dest process.Dest, req Request[R], opts ...CallOption) (R, error) {
	if req == nil {
		var zero R
		return zero, argerr.Nil("genserver: Ask", "req")
	}
	return Call[R](ctx, dest, req, opts...)
}
