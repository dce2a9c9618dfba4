package timeouts

import (
	"sync/atomic"
	"time"
)

// Handle is a key bound to a [Config] for hot paths: Get costs two atomic
// loads and a comparison while the configuration is unchanged, and
// resolves the key again (once) after any change. genserver.Call takes
// its default timeout from one.
type Handle struct {
	c     *Config
	key   string
	cache atomic.Pointer[cachedResolution]
}

type cachedResolution struct {
	snap *snapshot
	d    time.Duration
}

// Handle returns a Handle for key. Handles are cheap; keep one per key.
func (c *Config) Handle(key string) *Handle { return &Handle{c: c, key: key} }

// Key returns the handle's key.
func (h *Handle) Key() string { return h.key }

// Get returns the key's timeout, as [Config.Get] would now.
func (h *Handle) Get() time.Duration {
	snap := h.c.snap.Load()
	if r := h.cache.Load(); r != nil && r.snap == snap {
		return r.d
	}
	d := snap.resolve(h.key).Timeout
	h.cache.Store(&cachedResolution{snap: snap, d: d})
	return d
}
