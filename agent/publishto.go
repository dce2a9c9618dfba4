package agent

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// PublishTo routes sig to agent id alone, as Publish does for every
// agent: to each of its routes whose pattern matches the signal's type,
// by supervised send, buffered while it hibernates (waking it) or
// restarts, to the dead letters when that fails. It returns how many
// routes matched (0 when none does) and the joined delivery errors; an
// id that is not registered is an *UnknownAgentError. Package
// cluster/clusteragent delivers a cluster's signals through it on the
// node hosting the agent.
func (sys *System) PublishTo(ctx context.Context, id string, sig Signal) (int, error) {
	const op = "agent: PublishTo"
	switch {
	case sys == nil:
		return 0, argerr.Nil(op, "sys")
	case ctx == nil:
		return 0, argerr.Nil(op, "ctx")
	case id == "":
		return 0, argerr.Empty(op, "id")
	case sig.Type == "":
		return 0, argerr.Empty(op, "sig.Type")
	}
	if sys.stopped.Load() {
		return 0, ErrStopped
	}
	e := sys.lookup(id)
	if e == nil {
		return 0, &UnknownAgentError{ID: id}
	}
	if sig.ID == "" {
		sig.ID = "sig-" + strconv.FormatUint(signalSeq.Add(1), 10)
	}
	if sig.Time.IsZero() {
		sig.Time = time.Now()
	}
	n := 0
	var errs []error
	for _, r := range e.kind.cfg.Routes {
		if !Match(r.Pattern, sig.Type) {
			continue
		}
		n++
		if err := sys.deliver(ctx, id, &runMsg{action: r.Action, in: []byte(sig.Data), source: sig.Source}); err != nil {
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
}

// KindRoutes returns the signal routes of kind k (nil for a nil k): what
// a node that does not host an agent of k reads to know whether a
// signal is for it.
func KindRoutes(k Kind) []Route {
	if k == nil {
		return nil
	}
	return slices.Clone(k.base().cfg.Routes)
}
