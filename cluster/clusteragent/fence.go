package clusteragent

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/task"
)

// FencedStore is an agent.Store that writes an agent's snapshot only
// while this node's hosting of the agent is the latest: each Save of a
// hosted agent first passes the hosting's fencing token to
// cluster.Node.Fence (resource GlobalName(id)), so that once another
// node woke the agent with a higher token, a copy left on a node that
// was declared down but lived on (frozen, cut off) has its writes
// refused (cluster.ErrStaleToken) and steps down. Give it to
// agent.WithStore and to Config.Fenced; agents the System does not host
// are saved as the inner store does.
type FencedStore struct {
	inner agent.Store
	cs    atomic.Pointer[System]
}

var _ agent.Store = (*FencedStore)(nil)

// Fenced returns inner fenced (nil for a nil inner).
func Fenced(inner agent.Store) *FencedStore {
	if inner == nil {
		return nil
	}
	return &FencedStore{inner: inner}
}

// Save fences, then writes snap through the inner store.
func (f *FencedStore) Save(ctx context.Context, id string, snap agent.Snapshot) error {
	if cs := f.cs.Load(); cs != nil && ctx != nil && id != "" {
		if h := cs.local(id); h != nil && h.token != 0 {
			if err := cs.n.Fence(ctx, GlobalName(id), h.token); err != nil {
				if errors.Is(err, cluster.ErrStaleToken) {
					cs.stepDown(h)
				}
				return err
			}
		}
	}
	return f.inner.Save(ctx, id, snap)
}

// Load reads through the inner store.
func (f *FencedStore) Load(ctx context.Context, id string) (agent.Snapshot, error) {
	return f.inner.Load(ctx, id)
}

// Delete deletes through the inner store.
func (f *FencedStore) Delete(ctx context.Context, id string) error {
	return f.inner.Delete(ctx, id)
}

// stepDown lets go of h, a hosting another node took over: its local
// copy stops (its last save, fenced, is refused) and leaves the local
// system, in a task; the global name is the other node's, so it is
// left alone.
func (cs *System) stepDown(h *hosted) {
	if h.moving.Swap(true) {
		return
	}
	cs.mu.Lock()
	if cs.hosted[h.id] == h {
		delete(cs.hosted, h.id)
	}
	cs.mu.Unlock()
	_, _ = task.Start(cs.tasks, func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, kvTimeout)
		defer cancel()
		if err := cs.sys.Unregister(ctx, h.id); err != nil && !errors.Is(err, agent.ErrUnknownAgent) {
			nodeenv.Logger(cs.n.Process()).Warn("clusteragent: stepping down a stale agent failed", "agent", h.id, "err", err)
		}
		_ = genserver.Stop(h.holder, nil, 5*time.Second)
		return nil
	})
}

// checkEvery is how often the watcher compares the hosted agents with
// the global registry.
const checkEvery = 500 * time.Millisecond

// watch is the System's watcher process: a hosted agent whose global
// name this node no longer holds (the cluster declared the node down
// and removed its names, perhaps woke the agent elsewhere) steps down.
func (cs *System) watch(p *process.Proc) error {
	t := time.NewTicker(checkEvery)
	defer t.Stop()
	for {
		select {
		case <-p.Context().Done():
			return nil
		case <-t.C:
		}
		cs.mu.Lock()
		hs := make([]*hosted, 0, len(cs.hosted))
		for _, h := range cs.hosted {
			hs = append(hs, h)
		}
		cs.mu.Unlock()
		for _, h := range hs {
			select {
			case <-h.ready:
			default:
				continue
			}
			if h.err != nil || h.moving.Load() {
				continue
			}
			if pid, _, ok := cs.n.WhereIsGlobal(GlobalName(h.id)); !ok || pid != h.holder {
				cs.stepDown(h)
			}
		}
	}
}
