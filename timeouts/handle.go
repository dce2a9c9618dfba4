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
// A handle on a nil Config reads as the nil Config does ([DefaultTimeout]).
func (c *Config) Handle(key string) *Handle { return &Handle{c: c, key: key} }

// Key returns the handle's key ("" for a nil Handle).
func (h *Handle) Key() string {
	if h == nil {
		return ""
	}
	return h.key
}

// Get returns the key's timeout, as [Config.Get] would now. A nil Handle
// (or the zero Handle) reads as a nil [Config]: [DefaultTimeout].
func (h *Handle) Get() time.Duration {
	if h == nil {
		return emptySnapshot.spec.Default
	}
	snap := h.c.load()
	if r := h.cache.Load(); r != nil && r.snap == snap {
		return r.d
	}
	d := snap.resolve(h.key).Timeout
	h.cache.Store(&cachedResolution{snap: snap, d: d})
	return d
}
