package clusteragent

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// routed reports whether an agent of kind k has a route for signals of
// type typ.
func routed(k agent.Kind, typ string) bool {
	for _, r := range agent.KindRoutes(k) {
		if agent.Match(r.Pattern, typ) {
			return true
		}
	}
	return false
}

// Signal routes sig to agent id wherever it lives, as
// agent.System.PublishTo does on its node: to each of its routes whose
// pattern matches the signal's type, by supervised send there (buffered
// while it hibernates or restarts, dead-lettered by its node's system
// when that fails). An agent that no node hosts is woken on this node
// when one of its routes matches (not otherwise). It returns how many
// routes matched. A host lost while the signal was on its way is tried
// again on the agent's next node, so a signal is delivered at least
// once, not exactly once.
func (cs *System) Signal(ctx context.Context, id string, sig agent.Signal) (int, error) {
	const op = "clusteragent: Signal"
	switch {
	case cs == nil:
		return 0, argerr.Nil(op, "cs")
	case ctx == nil:
		return 0, argerr.Nil(op, "ctx")
	case id == "":
		return 0, argerr.Empty(op, "id")
	case sig.Type == "":
		return 0, argerr.Empty(op, "sig.Type")
	}
	rec, err := cs.lookup(ctx, id)
	if err != nil {
		return 0, err
	}
	k := cs.kinds[rec.Kind]
	if k == nil {
		return 0, fmt.Errorf("%w: %q (agent %q)", ErrUnknownKind, rec.Kind, id)
	}
	if !routed(k, sig.Type) {
		return 0, nil
	}
	var lastErr error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		h, holder, err := cs.route(ctx, id, true)
		if err != nil {
			return 0, err
		}
		if h != nil {
			n, err := cs.sys.PublishTo(ctx, id, sig)
			if !errors.Is(err, agent.ErrUnknownAgent) || cs.local(id) == h || ctx.Err() != nil {
				return n, err
			}
			lastErr = err // handed over meanwhile
		} else {
			r, err := cs.call(ctx, holder, SignalRequest{ID: id, Sig: sig})
			if !retryable(ctx, err) {
				return r.Count, err
			}
			lastErr = err
		}
		if err := pause(ctx, attempt); err != nil {
			return 0, err
		}
	}
	return 0, lastErr
}

// Publish routes sig to every agent of the cluster's catalog with a
// route matching its type, through Signal (so a hibernated or orphaned
// one wakes on this node). It reads the whole catalog: for a few hundred
// agents, not for a firehose (signal agents by id with Signal then). It
// returns how many routes matched and the joined delivery errors.
func (cs *System) Publish(ctx context.Context, sig agent.Signal) (int, error) {
	const op = "clusteragent: Publish"
	switch {
	case cs == nil:
		return 0, argerr.Nil(op, "cs")
	case ctx == nil:
		return 0, argerr.Nil(op, "ctx")
	case sig.Type == "":
		return 0, argerr.Empty(op, "sig.Type")
	}
	ids, err := cs.ids(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	var errs []error
	for _, id := range ids {
		n, err := cs.Signal(ctx, id, sig)
		total += n
		if err != nil && !errors.Is(err, agent.ErrUnknownAgent) { // unknown: removed meanwhile
			errs = append(errs, err)
		}
	}
	return total, errors.Join(errs...)
}

// ids returns the ids in the catalog, sorted.
func (cs *System) ids(ctx context.Context) ([]string, error) {
	lister, err := cs.kv.ListKeys(ctx)
	if err != nil {
		if errors.Is(err, jetstream.ErrNoKeysFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("clusteragent: catalog: %w", err)
	}
	defer func() { _ = lister.Stop() }()
	var out []string
	for k := range lister.Keys() {
		if b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(k, "a.")); err == nil {
			out = append(out, string(b))
		}
	}
	slices.Sort(out)
	return out, nil
}

// Dispatch runs action on one of the cluster's agents with capability
// c, wherever it lives, and returns its result and the agent's id: with
// a key, always the same agent for the same key while the set of agents
// does not change (rendezvous hashing); without one, the agent after
// the last one this System picked. No agent with c is an
// *agent.NoAgentError. Errors are then Run's.
func Dispatch[Out any](ctx context.Context, cs *System, c, key, action string, in any) (Out, string, error) {
	const op = "clusteragent: Dispatch"
	var zero Out
	switch {
	case cs == nil:
		return zero, "", argerr.Nil(op, "cs")
	case ctx == nil:
		return zero, "", argerr.Nil(op, "ctx")
	case c == "":
		return zero, "", argerr.Empty(op, "capability")
	}
	found, err := cs.FindByCapability(ctx, c)
	if err != nil {
		return zero, "", err
	}
	if len(found) == 0 {
		return zero, "", &agent.NoAgentError{Capability: c}
	}
	var id string
	if key == "" {
		id = found[int(cs.next.Add(1)-1)%len(found)].ID
	} else {
		var best uint64
		for _, in := range found {
			h := fnv.New64a()
			h.Write([]byte(in.ID))
			h.Write([]byte{0})
			h.Write([]byte(key))
			if s := h.Sum64(); id == "" || s > best {
				id, best = in.ID, s
			}
		}
	}
	out, err := Run[Out](ctx, cs, id, action, in)
	return out, id, err
}
