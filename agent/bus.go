package agent

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

var signalSeq atomic.Uint64

// Publish routes sig to every agent with a route whose pattern matches
// its type, running the route's action with the signal's data as input.
// Each delivery is a supervised send to the agent's process (confirmed on
// enqueue, or once handled with WithConfirm(send.Handled)), or is buffered while the agent hibernates (waking it) or
// restarts; a full buffer or a failed delivery goes to the dead letters.
// It returns how many agents the signal was routed to, and the joined
// delivery errors. An empty ID or Time is filled in.
func (sys *System) Publish(ctx context.Context, sig Signal) (int, error) {
	const op = "agent: Publish"
	if sys == nil {
		return 0, argerr.Nil(op, "sys")
	}
	switch {
	case ctx == nil:
		return 0, argerr.Nil(op, "ctx")
	case sig.Type == "":
		return 0, argerr.Empty(op, "sig.Type")
	}
	if sys.stopped.Load() {
		return 0, ErrStopped
	}
	if sig.ID == "" {
		sig.ID = "sig-" + strconv.FormatUint(signalSeq.Add(1), 10)
	}
	if sig.Time.IsZero() {
		sig.Time = time.Now()
	}
	type target struct{ id, action string }
	var targets []target
	sys.mu.RLock()
	for pattern, es := range sys.routes {
		if !Match(pattern, sig.Type) {
			continue
		}
		for _, e := range es {
			for _, r := range e.kind.cfg.Routes {
				if r.Pattern == pattern {
					targets = append(targets, target{e.id, r.Action})
				}
			}
		}
	}
	sys.mu.RUnlock()
	var errs []error
	for _, t := range targets {
		if err := sys.deliver(ctx, t.id, &runMsg{action: t.action, in: []byte(sig.Data), source: sig.Source}); err != nil {
			errs = append(errs, err)
		}
	}
	return len(targets), errors.Join(errs...)
}
