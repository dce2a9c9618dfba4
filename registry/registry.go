package registry

import (
	"fmt"
	"hash/maphash"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// Entry is one registration: the process and the value (Elixir's
// metadata) it registered with.
type Entry struct {
	PID   process.PID
	Value any
}

// Registry is a local, partitioned key/process table. All its methods are
// safe from any goroutine. Create it with [New]; the zero Registry is not
// usable.
type Registry struct {
	node *process.Node
	keys Keys
	seed maphash.Seed
	// keyParts index the keys: a key's hash picks its partition, whose
	// table a read probes without locking; every change to a key is made
	// under the lock of the key's partition.
	keyParts  []keyPartition
	pidParts  []pidPartition
	listeners []func(Event)
	exited    func(process.PID, error) // r.onExit, bound once
	closed    atomic.Bool
}

// keyPartition holds the keys hashing to it and serialises their writers.
// Readers never take its lock.
//
// With listeners, a change queues its events in pending under mu, so they
// are queued in the order of the changes, and one goroutine at a time
// delivers them (see [Registry.flush]).
type keyPartition struct {
	mu    sync.Mutex   // serialises changes to index, and protects the fields below
	index table        // key -> *record
	count atomic.Int64 // registrations under these keys
	// pending holds the events not yet delivered, in change order.
	pending []Event
	// spare is the slice the last batch was delivered from, emptied, to
	// become pending again: the queue allocates only to grow.
	spare []Event
	// delivering is set while a goroutine delivers pending's events.
	delivering bool
	_          [64]byte
}

// bucket holds the registrations of one duplicate key.
type bucket struct {
	mu      sync.RWMutex // protects entries; written under the partition's mu too
	entries []Entry
}

// pidPartition indexes registrations by process.
type pidPartition struct {
	mu sync.Mutex // protects owners and last
	// owners is keyed by the PID's ID, a uint64 the map hashes on its
	// fast path (a PID key goes through the generic hash); only local
	// processes register, and [pidPartition.get] checks the whole PID.
	owners map[uint64]*owner
	// last is the owner found or added last: a process registering many
	// keys in a row costs one map lookup, not one per key.
	last *owner
	_    [64]byte
}

// New creates a registry on node. It starts no process and no goroutine:
// registrations are removed by runtime exit hooks (callbacks run as a process
// dies), one per registered process. Close releases it.
//
// A nil node, a nil or invalid option is an error matching
// [ErrInvalidArgument]; a stopped node is process.ErrNodeStopped. No
// registry is made then.
func New(node *process.Node, opts ...Option) (*Registry, error) {
	if node == nil {
		return nil, &optionError{"New: nil node"}
	}
	var cfg config
	for i, o := range opts {
		if o == nil {
			return nil, &optionError{fmt.Sprintf("New: opts[%d] is nil", i)}
		}
		if err := o.apply(&cfg); err != nil {
			return nil, err
		}
	}
	if node.Stopped() {
		return nil, process.ErrNodeStopped
	}
	cfg.withDefaults()
	r := &Registry{
		node:      node,
		keys:      cfg.keys,
		seed:      maphash.MakeSeed(),
		keyParts:  make([]keyPartition, cfg.partitions),
		pidParts:  make([]pidPartition, cfg.partitions),
		listeners: cfg.listeners,
	}
	for i := range r.pidParts {
		r.pidParts[i].owners = make(map[uint64]*owner)
	}
	for i := range r.keyParts {
		r.keyParts[i].index.init()
	}
	r.exited = r.onExit
	return r, nil
}

type optionError struct{ msg string }

func (e *optionError) Error() string { return "registry: invalid option: " + e.msg }
func (e *optionError) Is(target error) bool {
	return target == ErrInvalidOption || target == ErrInvalidArgument
}

// usable reports whether r was made by New: false for a nil or zero
// Registry, whose methods refuse or do nothing (docs/ERRORS.md).
func (r *Registry) usable() bool { return r != nil && r.node != nil }

// errUnusable is the error of op on a nil or zero registry.
func (r *Registry) errUnusable(op string) error {
	if r == nil {
		return argerr.Nil("registry: "+op, "receiver")
	}
	return argerr.New("registry: "+op, "receiver", "is the zero Registry (use New)")
}

// Kind returns the kind of keys r holds ([Unique] for a nil Registry).
func (r *Registry) Kind() Keys {
	if r == nil {
		return Unique
	}
	return r.keys
}

// Close removes every registration and exit hook. It does not call the
// listeners. Later calls, and every other operation afterwards, return
// [ErrClosed] (Lookup and friends return nothing). Close on a nil or zero
// Registry is an error matching [ErrInvalidArgument].
func (r *Registry) Close() error {
	if !r.usable() {
		return r.errUnusable("Registry.Close")
	}
	if r.closed.Swap(true) {
		return ErrClosed
	}
	for i := range r.keyParts {
		kp := &r.keyParts[i]
		kp.mu.Lock()
		kp.index.reset()
		kp.count.Store(0)
		kp.mu.Unlock()
	}
	for i := range r.pidParts {
		pp := &r.pidParts[i]
		pp.mu.Lock()
		for _, o := range pp.owners {
			o.hook.Cancel()
		}
		clear(pp.owners)
		pp.last = nil
		pp.mu.Unlock()
	}
	return nil
}

// locate hashes key and picks its partition. ok is false for a key that
// is not comparable: it cannot be registered.
func (r *Registry) locate(key any) (hash uint64, part int, ok bool) {
	hash, ok = hashKey(r.seed, key)
	return hash, r.partOf(tagOf(hash)), ok
}

// partOf returns the partition of the keys of slot tag t, from the tag's
// high bits (the table's slots use the low bits): an owner, which keeps
// its keys' tags, finds their partitions again. A partition's keys share
// those few high bits of their tags, which the slot index reaches only in
// a table of more than 2^32 / partitions slots.
func (r *Registry) partOf(t uint32) int { return int(uint64(t) * uint64(len(r.keyParts)) >> 32) }

// load returns key's record, or nil, without locking.
func (r *Registry) load(key any) *record {
	hash, part, ok := r.locate(key)
	if !ok {
		return nil
	}
	return r.keyParts[part].index.load(hash, key)
}

func (r *Registry) pidPart(pid process.PID) *pidPartition {
	return &r.pidParts[pid.ID()%uint64(len(r.pidParts))]
}

// hashKey hashes common key types without reflection; other keys go
// through maphash.Comparable once [validKey] has said they are comparable.
func hashKey(seed maphash.Seed, key any) (uint64, bool) {
	switch k := key.(type) {
	case string:
		return maphash.String(seed, k), true
	case int:
		return mix(uint64(k)), true
	case int64:
		return mix(uint64(k)), true
	case uint64:
		return mix(k), true
	case process.PID:
		return mix(k.ID() ^ uint64(k.Node())<<48), true
	}
	if !validKey(key) || key != key { // not comparable, or NaN (never equal to itself)
		return 0, false
	}
	return maphash.Comparable(seed, key), true
}

func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	return x
}

// maxSpareEvents bounds the capacity of the emptied queue a partition
// keeps for reuse.
const maxSpareEvents = 256

// queueLocked appends e to the events kp's listeners have yet to see.
// The caller holds kp.mu and has made the change e reports.
func (kp *keyPartition) queueLocked(e Event) { kp.pending = append(kp.pending, e) }

// flush delivers kp's queued events to the listeners, in queue order, on
// the calling goroutine, unless another goroutine is delivering them: that
// one delivers what was queued meanwhile too, since it checks the queue
// under kp.mu before giving up the role. The caller holds no registry
// lock. A listener that changes the registry, even under a key of kp,
// only queues its events: they follow those being delivered.
func (r *Registry) flush(kp *keyPartition) {
	kp.mu.Lock()
	if kp.delivering {
		kp.mu.Unlock()
		return
	}
	kp.delivering = true
	for len(kp.pending) > 0 {
		batch := kp.pending
		kp.pending = kp.spare
		kp.spare = nil
		kp.mu.Unlock()
		r.deliver(kp, batch)
		kp.mu.Lock()
		if cap(batch) <= maxSpareEvents { // a burst's queue is not kept
			clear(batch) // drop the keys and values it references
			kp.spare = batch[:0]
		}
	}
	kp.delivering = false
	kp.mu.Unlock()
}

// deliver calls every listener with each event of batch in turn. A
// listener that panics stops the delivery, as a plain call would: the
// panic goes on to the caller, the listeners after it miss that event,
// and the events after it go back to the head of kp's queue for the next
// flush of kp, which the panicking goroutine no longer blocks.
func (r *Registry) deliver(kp *keyPartition, batch []Event) {
	i := 0
	defer func() {
		if i == len(batch) {
			return
		}
		kp.mu.Lock()
		kp.pending = slices.Concat(batch[i+1:], kp.pending)
		kp.delivering = false
		kp.mu.Unlock()
	}()
	for ; i < len(batch); i++ {
		for _, l := range r.listeners {
			l(batch[i])
		}
	}
}

// Register registers pid under key with value (Elixir's metadata). With
// unique keys it fails with an *[AlreadyRegisteredError] when a live
// process holds key. It fails with an error matching process.NoProc when
// pid is dead, and [ErrClosed] after Close. The registration is removed
// when pid dies, before pid's Done channel is closed. Register does not
// wait for anything but the registry's locks.
//
// A nil or zero Registry and the zero PID are errors matching
// [ErrInvalidArgument], as is a key that is not comparable
// ([ErrInvalidKey]).
func (r *Registry) Register(pid process.PID, key, value any) error {
	if !r.usable() {
		return r.errUnusable("Registry.Register")
	}
	if pid.IsZero() {
		return argerr.New("registry: Registry.Register", "pid", "is the zero PID")
	}
	hash, part, ok := r.locate(key)
	if !ok {
		return ErrInvalidKey
	}
	kp := &r.keyParts[part]
	kp.mu.Lock()
	if r.closed.Load() {
		kp.mu.Unlock()
		return ErrClosed
	}
	slot, rec := kp.index.find(hash, key)
	var stale *Entry
	if rec != nil && r.keys == Unique {
		e := &rec.entry[0]
		if e.PID == pid || r.node.IsAlive(e.PID) {
			kp.mu.Unlock()
			return &AlreadyRegisteredError{Key: key, PID: e.PID}
		}
		// Its owner is dead and its exit hook has yet to remove it.
		stale = e
	}
	bare, err := r.addOwnerKey(pid, tagOf(hash))
	if err != nil {
		kp.mu.Unlock()
		return err
	}
	e := Entry{PID: pid, Value: value}
	switch {
	case r.keys == Duplicate && rec != nil:
		b := rec.bucket()
		b.mu.Lock()
		b.entries = append(b.entries, e)
		b.mu.Unlock()
	case r.keys == Duplicate:
		kp.index.put(slot, nil, newBucketRecord(key, &bucket{entries: []Entry{e}}), hash)
	case value == nil:
		kp.index.put(slot, rec, &record{key: key, entry: bare}, hash)
	default:
		kp.index.put(slot, rec, &record{key: key, entry: &[1]Entry{e}}, hash)
	}
	if stale == nil {
		kp.count.Add(1)
	}
	if stale != nil {
		r.dropOwnerKey(stale.PID, tagOf(hash), 1)
	}
	if r.listeners != nil {
		if stale != nil {
			// Its exit hook will find the key taken over and say nothing.
			kp.queueLocked(Event{Op: Unregistered, Key: key, Entry: *stale})
		}
		kp.queueLocked(Event{Op: Registered, Key: key, Entry: e})
	}
	kp.mu.Unlock()
	if r.listeners != nil {
		r.flush(kp)
	}
	return nil
}

// validKey reports whether key can be used as a map key; checked before
// any lock is taken, since a bad key would panic inside the map.
func validKey(key any) bool {
	if key == nil {
		return true
	}
	return reflect.TypeOf(key).Comparable()
}

// addOwnerKey records a registration of pid under a key of slot tag t,
// installing pid's exit hook on its first registration in r. It returns
// the entry of pid's registrations without a value.
func (r *Registry) addOwnerKey(pid process.PID, t uint32) (bare *[1]Entry, err error) {
	pp := r.pidPart(pid)
	pp.mu.Lock()
	o := pp.last
	if o == nil || o.pid != pid {
		o = pp.get(pid)
	}
	if o == nil {
		hook, err := rt.OnExit(r.node, pid, r.exited)
		if err != nil {
			pp.mu.Unlock()
			return nil, err
		}
		o = &owner{pid: pid, hook: hook, bare: &[1]Entry{{PID: pid}}}
		pp.owners[pid.ID()] = o
	}
	pp.last = o
	o.add(t)
	pp.mu.Unlock() // not deferred: this runs once per registration
	return o.bare, nil
}

// dropOwnerKey forgets n registrations of pid under a key of slot tag t
// in the pid index, removing pid's exit hook when they were its last. The
// caller holds the lock of the key's partition.
func (r *Registry) dropOwnerKey(pid process.PID, t uint32, n int) {
	pp := r.pidPart(pid)
	pp.mu.Lock()
	defer pp.mu.Unlock()
	o := pp.get(pid)
	if o == nil {
		return
	}
	if o.drop(t, n) {
		o.hook.Cancel()
		pp.forget(o)
	}
}

// Unregister removes every registration of pid under key. It does
// nothing when there is none, and on a nil or zero Registry.
func (r *Registry) Unregister(pid process.PID, key any) {
	if !r.usable() {
		return
	}
	hash, part, ok := r.locate(key)
	if !ok {
		return // never registered
	}
	kp := &r.keyParts[part]
	kp.mu.Lock()
	removed := removeLocked(kp, hash, pid, key)
	if len(removed) > 0 {
		// Under the key's lock, so a new registration of pid under key
		// cannot slip in between and lose its index entry.
		r.dropOwnerKey(pid, tagOf(hash), len(removed))
	}
	if r.listeners != nil {
		for _, e := range removed {
			kp.queueLocked(Event{Op: Unregistered, Key: key, Entry: e})
		}
	}
	kp.mu.Unlock()
	if r.listeners != nil && len(removed) > 0 {
		r.flush(kp)
	}
}

// removeLocked removes pid's registrations under key from kp and returns
// them.
func removeLocked(kp *keyPartition, hash uint64, pid process.PID, key any) []Entry {
	rec := kp.index.load(hash, key)
	if rec == nil {
		return nil
	}
	b := rec.bucket()
	if b == nil {
		if rec.entry[0].PID != pid {
			return nil
		}
		kp.index.delete(hash, key)
		kp.count.Add(-1)
		return rec.entry[:]
	}
	removed, empty := b.remove(pid)
	if empty {
		kp.index.delete(hash, key)
	}
	kp.count.Add(-int64(len(removed)))
	return removed
}

// remove removes pid's entries from b and returns them, and whether b is
// empty now. The caller holds the lock of b's partition.
func (b *bucket) remove(pid process.PID) (removed []Entry, empty bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	kept := b.entries[:0]
	for _, e := range b.entries {
		if e.PID == pid {
			removed = append(removed, e)
		} else {
			kept = append(kept, e)
		}
	}
	clear(b.entries[len(kept):])
	b.entries = kept
	return removed, len(kept) == 0
}

// removeOwnedLocked removes every registration of pid under the keys of
// slot tag t from kp, the exit hook's removal: an owner keeps its keys'
// tags, and the records in the slots of a tag that hold an entry of pid
// are those of its keys. With listeners it queues an Unregistered event
// with reason for each. The caller holds kp.mu.
func (r *Registry) removeOwnedLocked(kp *keyPartition, t uint32, pid process.PID, reason error) {
	kp.index.each(t, func(s slot, rec *record) {
		removed, empty := rec.entry[:], true
		if b := rec.bucket(); b != nil {
			removed, empty = b.remove(pid)
		} else if rec.entry[0].PID != pid {
			return
		}
		if empty {
			kp.index.deleteAt(s)
		}
		kp.count.Add(-int64(len(removed)))
		if r.listeners != nil {
			for _, e := range removed {
				kp.queueLocked(Event{Op: Unregistered, Key: rec.key, Entry: e, Reason: reason})
			}
		}
	})
}

// appendOwned appends to keys, once per registration of pid, the keys of
// slot tag t: how an owner's tag leads to its keys. Safe without the
// partition's lock.
func (r *Registry) appendOwned(keys []any, t uint32, pid process.PID) []any {
	r.keyParts[r.partOf(t)].index.each(t, func(_ slot, rec *record) {
		b := rec.bucket()
		if b == nil {
			if rec.entry[0].PID == pid {
				keys = append(keys, rec.key)
			}
			return
		}
		b.mu.RLock()
		for _, e := range b.entries {
			if e.PID == pid {
				keys = append(keys, rec.key)
			}
		}
		b.mu.RUnlock()
	})
	return keys
}

// onExit is the exit hook: it removes every registration of pid.
func (r *Registry) onExit(pid process.PID, reason error) {
	pp := r.pidPart(pid)
	pp.mu.Lock()
	o := pp.get(pid)
	if o != nil {
		pp.forget(o)
	}
	pp.mu.Unlock()
	if o == nil {
		return
	}
	// Each partition queues its own events: the order that matters is
	// that of each key's changes. All are removed before any listener
	// runs.
	var touched []*keyPartition
	r.byPartition(o.all(), func(kp *keyPartition, tags []uint32) {
		queued := len(kp.pending)
		for _, t := range tags {
			// A tag listed twice (pid registered a key twice, or two of
			// its keys have the same tag) finds nothing the second
			// time: the first took every entry of pid under it.
			r.removeOwnedLocked(kp, t, pid, reason)
		}
		if len(kp.pending) > queued {
			touched = append(touched, kp)
		}
	})
	for _, kp := range touched {
		r.flush(kp)
	}
}

// byPartition calls fn with each partition's key tags under the
// partition's lock, one lock per partition rather than per key. A few
// tags are sorted in place; many are bucketed by a counting sort that
// computes each tag's partition once (a process that registered 100 keys
// exits in O(keys)).
func (r *Registry) byPartition(keys []uint32, fn func(*keyPartition, []uint32)) {
	if len(r.keyParts) == 1 || len(keys) <= 8 {
		slices.SortFunc(keys, func(a, b uint32) int { return r.partOf(a) - r.partOf(b) })
		for i := 0; i < len(keys); {
			part := r.partOf(keys[i])
			j := i + 1
			for j < len(keys) && r.partOf(keys[j]) == part {
				j++
			}
			r.underLock(part, keys[i:j], fn)
			i = j
		}
		return
	}
	parts := make([]int32, len(keys))
	start := make([]int, len(r.keyParts)+1) // start[p]: first key of partition p
	for i, k := range keys {
		parts[i] = int32(r.partOf(k))
		start[parts[i]+1]++
	}
	for p := range r.keyParts {
		start[p+1] += start[p]
	}
	next := slices.Clone(start)
	sorted := make([]uint32, len(keys))
	for i, k := range keys {
		sorted[next[parts[i]]] = k
		next[parts[i]]++
	}
	for p := range r.keyParts {
		if start[p] < start[p+1] {
			r.underLock(p, sorted[start[p]:start[p+1]], fn)
		}
	}
}

func (r *Registry) underLock(part int, keys []uint32, fn func(*keyPartition, []uint32)) {
	kp := &r.keyParts[part]
	kp.mu.Lock()
	defer kp.mu.Unlock()
	fn(kp, keys)
}

// forget removes o from the index. The caller holds pp.mu.
func (pp *pidPartition) forget(o *owner) {
	delete(pp.owners, o.pid.ID())
	if pp.last == o {
		pp.last = nil
	}
}

// get returns pid's owner, or nil. The caller holds pp.mu.
func (pp *pidPartition) get(pid process.PID) *owner {
	if o := pp.owners[pid.ID()]; o != nil && o.pid == pid {
		return o
	}
	return nil
}
