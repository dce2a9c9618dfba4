package clusteragent

import (
	"context"
	"errors"
	"time"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/task"
)

// holder is the process that holds a hosted agent's global name and
// serves the requests of other nodes for it: each runs in a task, so
// that a long action does not hold up the others, and the reply is sent
// from there.
type holder struct {
	cs *System
	h  *hosted
}

func (hd *holder) Init(*genserver.Self) error { return nil }

// HandleCall serves RunRequest, SignalRequest, HibernateRequest and
// StatusRequest.
func (hd *holder) HandleCall(s *genserver.Self, from genserver.From, req any) (any, error) {
	cs, h := hd.cs, hd.h
	select {
	case <-h.ready:
	default:
		// Registered but not started yet: the caller asks again.
		return Reply{Err: toWire(errMoved)}, nil
	}
	if h.err != nil || h.moving.Load() {
		return Reply{Err: toWire(errMoved)}, nil
	}
	switch r := req.(type) {
	case StatusRequest:
		in, err := cs.sys.Status(h.id)
		return Reply{Status: in.Status, Err: hd.wire(err)}, nil
	case RunRequest:
		return hd.async(s, from, r.Timeout, func(ctx context.Context) Reply {
			res, err := cs.sys.RunJSON(ctx, h.id, r.Action, r.Input)
			return Reply{Result: res, Err: hd.wire(err)}
		})
	case SignalRequest:
		return hd.async(s, from, 0, func(ctx context.Context) Reply {
			n, err := cs.sys.PublishTo(ctx, h.id, r.Sig)
			return Reply{Count: n, Err: hd.wire(err)}
		})
	case HibernateRequest:
		return hd.async(s, from, 0, func(ctx context.Context) Reply {
			err := cs.release(ctx, h, false)
			return Reply{Err: hd.wire(err)}
		})
	}
	return Reply{Err: &WireError{Kind: "other", Msg: "clusteragent: unknown request"}}, nil
}

// async runs fn in a task bounded by timeout (0: 30 s) and replies with
// its result; a hibernation's holder stops once it replied.
func (hd *holder) async(s *genserver.Self, from genserver.From, timeout time.Duration, fn func(context.Context) Reply) (any, error) {
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	cs, h, self := hd.cs, hd.h, s.PID()
	_, err := task.Start(cs.tasks, func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		genserver.Reply(from, fn(ctx))
		if h.moving.Load() && cs.local(h.id) != h {
			// handed over: the reply went first, so the caller gets it
			_ = genserver.Stop(self, nil, 5*time.Second)
		}
		return nil
	})
	if err != nil {
		return Reply{Err: toWire(err)}, nil
	}
	s.NoReply()
	return nil, nil
}

// wire encodes err; an unknown agent while handing it over means that
// it moved.
func (hd *holder) wire(err error) *WireError {
	if errors.Is(err, agent.ErrUnknownAgent) && (hd.h.moving.Load() || hd.cs.local(hd.h.id) != hd.h) {
		return toWire(errMoved)
	}
	return toWire(err)
}
