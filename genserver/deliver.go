package genserver

import (
	"context"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// Deliver sends msg to the server dest as a plain message and waits until
// the server has handled it: HandleInfo(msg) returned nil. It is the
// "handled" confirmation of supervised send (package send) and costs
// about a [Call]: the same pooled record, deadline and monitor.
//
// It returns nil once HandleInfo returned nil (the server may stop right
// after, through [Self.Stop]). When HandleInfo returns an error or
// panics, the server stops and Deliver returns a *[CallError] whose
// Reason is that crash reason; a server that is not running, or dies
// before handling msg, gives a *[CallError] with its exit reason
// (process.NoProc when there was no server); no acknowledgement in time
// gives one matching [ErrTimeout]. A server without HandleInfo drops the
// message and Deliver returns [ErrNotImplemented], the server running on.
//
// timeout is Call's [WithTimeout] given as a plain argument (so a
// delivery allocates no option): a positive duration or [Infinity], with
// the context's deadline also applying; zero means Call's default (the
// context's deadline, else the configured [CallTimeoutKey] timeout). A
// negative timeout other than Infinity is an [ErrInvalidOption] error.
//
// A server of a node in another program (package cluster) gets the
// message through the cluster, which answers once Deliver returned
// there; a lost node is a *[CallError] whose Reason is the cluster's
// noconnection.
//
// dest must be a GenServer: any other process receives an internal value
// it cannot use, and Deliver times out. After a timeout the message may
// still be handled later.
func Deliver(ctx context.Context, dest process.Dest, msg any, timeout time.Duration) error {
	if timeout < 0 && timeout != Infinity {
		return argerr.New("genserver: Deliver", "timeout", "must be positive, zero or Infinity, got "+timeout.String())
	}
	_, err := call(ctx, dest, msg, callConfig{timeout: timeout}, true)
	return err
}

// handleDelivery runs HandleInfo for a [Deliver] and acknowledges it.
func (g *server) handleDelivery(m *callReq, fresh bool) error {
	if g.dropAbandoned {
		if why := g.verdict(m, fresh); why != keep {
			return g.dropCall(m, why)
		}
	}
	from := fromOf(m) // taken once: the record is reused after the ack
	if _, ok := g.srv.(InfoHandler); !ok {
		g.timing = false
		send(from, nil, ErrNotImplemented)
		return g.after()
	}
	g.beginRequest(m)
	err := g.handleInfo(m.req)
	g.endRequest(true)
	if err != nil {
		return g.terminate(err) // the caller sees the reason via Done
	}
	if !g.self.Alive() {
		return nil // killed while handling: a dead process sends nothing
	}
	if g.dropAbandoned {
		g.lap()
	}
	send(from, nil, nil)
	return g.after()
}
