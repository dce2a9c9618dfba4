package registry

import (
	"hash/maphash"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"

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
	// entries maps key -> *unique (Unique keys) or *bucket (Duplicate).
	// It is one map, so a read is one lock-free sync.Map load; every
	// change to a key is made under the lock of the key's partition.
	entries   sync.Map
	keyParts  []keyPartition
	pidParts  []pidPartition
	listeners []func(Event)
	exited    func(process.PID, error) // r.onExit, bound once
	closed    atomic.Bool
}

// keyPartition serialises the writers of the keys hashing to it. Readers
// never take its lock.
type keyPartition struct {
	mu    sync.Mutex   // serialises changes to r.entries for these keys
	count atomic.Int64 // registrations under these keys
	_     [64]byte
}

// unique is the immutable registration of a unique key. es is returned by
// Lookup as is, so a lookup allocates nothing.
type unique struct {
	es [1]Entry
}

func newUnique(e Entry) *unique { return &unique{es: [1]Entry{e}} }

// bucket holds the registrations of one duplicate key.
type bucket struct {
	mu      sync.RWMutex // protects entries; written under the partition's mu too
	entries []Entry
}

// pidPartition indexes registrations by process.
type pidPartition struct {
	mu     sync.Mutex // protects owners
	owners map[process.PID]*owner
	_      [64]byte
}

// owner is what the registry knows about one registered process: one exit
// hook, whatever the number of keys, and one key per registration.
type owner struct {
	hook *process.ExitHook
	keys []ownedKey
}

// ownedKey is a key with the index of its partition, so the exit hook can
// take each partition's lock once for all the keys it holds.
type ownedKey struct {
	key  any
	part int
}

// New creates a registry on node. It starts no process and no goroutine:
// registrations are removed by exit hooks ([process.Node.OnExit]), one per
// registered process. Close releases it.
func New(node *process.Node, opts ...Option) (*Registry, error) {
	if node == nil {
		return nil, &optionError{"New: nil node"}
	}
	var cfg config
	for _, o := range opts {
		if o == nil {
			return nil, &optionError{"New: nil option"}
		}
		if err := o.apply(&cfg); err != nil {
			return nil, err
		}
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
		r.pidParts[i].owners = make(map[process.PID]*owner)
	}
	r.exited = r.onExit
	return r, nil
}

type optionError struct{ msg string }

func (e *optionError) Error() string        { return "registry: invalid option: " + e.msg }
func (e *optionError) Is(target error) bool { return target == ErrInvalidOption }

// Kind returns the kind of keys r holds.
func (r *Registry) Kind() Keys { return r.keys }

// Close removes every registration and exit hook. It does not call the
// listeners. Later calls, and every other operation afterwards, return
// [ErrClosed] (Lookup and friends return nothing).
func (r *Registry) Close() error {
	if r.closed.Swap(true) {
		return ErrClosed
	}
	for i := range r.keyParts {
		r.keyParts[i].mu.Lock()
	}
	r.entries.Clear()
	for i := range r.keyParts {
		r.keyParts[i].count.Store(0)
		r.keyParts[i].mu.Unlock()
	}
	for i := range r.pidParts {
		pp := &r.pidParts[i]
		pp.mu.Lock()
		for _, o := range pp.owners {
			o.hook.Cancel()
		}
		clear(pp.owners)
		pp.mu.Unlock()
	}
	return nil
}

func (r *Registry) keyPart(key any) *keyPartition { return &r.keyParts[r.keyPartIndex(key)] }

func (r *Registry) keyPartIndex(key any) int {
	if len(r.keyParts) == 1 {
		return 0
	}
	return int(hashKey(r.seed, key) % uint64(len(r.keyParts)))
}

func (r *Registry) pidPart(pid process.PID) *pidPartition {
	return &r.pidParts[pid.ID()%uint64(len(r.pidParts))]
}

// hashKey hashes common key types without reflection; other comparable
// keys go through maphash.Comparable. A key that is not comparable panics,
// as it would as a map key.
func hashKey(seed maphash.Seed, key any) uint64 {
	switch k := key.(type) {
	case string:
		return maphash.String(seed, k)
	case int:
		return mix(uint64(k))
	case int64:
		return mix(uint64(k))
	case uint64:
		return mix(k)
	case process.PID:
		return mix(k.ID() ^ uint64(k.Node())<<48)
	}
	return maphash.Comparable(seed, key)
}

func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	return x
}

func (r *Registry) notify(e Event) {
	for _, l := range r.listeners {
		l(e)
	}
}

// Register registers pid under key with value (Elixir's metadata). With
// unique keys it fails with an *[AlreadyRegisteredError] when a live
// process holds key. It fails with an error matching process.NoProc when
// pid is dead, and [ErrClosed] after Close. The registration is removed
// when pid dies, before pid's Done channel is closed. Register does not
// wait for anything but the registry's locks.
func (r *Registry) Register(pid process.PID, key, value any) error {
	if !validKey(key) {
		return ErrInvalidKey
	}
	part := r.keyPartIndex(key)
	kp := &r.keyParts[part]
	kp.mu.Lock()
	if r.closed.Load() {
		kp.mu.Unlock()
		return ErrClosed
	}
	var stale *Entry
	if r.keys == Unique {
		if v, ok := r.entries.Load(key); ok {
			e := &v.(*unique).es[0]
			if e.PID == pid || r.node.IsAlive(e.PID) {
				kp.mu.Unlock()
				return &AlreadyRegisteredError{Key: key, PID: e.PID}
			}
			// Its owner is dead and its exit hook has yet to remove it.
			stale = e
		}
	}
	if err := r.addOwnerKey(pid, ownedKey{key: key, part: part}); err != nil {
		kp.mu.Unlock()
		return err
	}
	e := Entry{PID: pid, Value: value}
	if r.keys == Unique {
		r.entries.Store(key, newUnique(e))
		if stale == nil {
			kp.count.Add(1)
		}
	} else {
		r.addDuplicateLocked(key, e)
		kp.count.Add(1)
	}
	if stale != nil {
		r.dropOwnerKey(stale.PID, key)
	}
	kp.mu.Unlock()
	if r.listeners != nil {
		if stale != nil {
			// Its exit hook will find the key taken over and say nothing.
			r.notify(Event{Op: Unregistered, Key: key, Entry: *stale})
		}
		r.notify(Event{Op: Registered, Key: key, Entry: e})
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

func (r *Registry) addDuplicateLocked(key any, e Entry) {
	if v, ok := r.entries.Load(key); ok {
		b := v.(*bucket)
		b.mu.Lock()
		b.entries = append(b.entries, e)
		b.mu.Unlock()
		return
	}
	r.entries.Store(key, &bucket{entries: []Entry{e}})
}

// addOwnerKey records key for pid, installing pid's exit hook on its first
// registration in r.
func (r *Registry) addOwnerKey(pid process.PID, key ownedKey) error {
	pp := r.pidPart(pid)
	pp.mu.Lock()
	defer pp.mu.Unlock()
	o := pp.owners[pid]
	if o == nil {
		hook, err := r.node.OnExit(pid, r.exited)
		if err != nil {
			return err
		}
		o = &owner{hook: hook}
		pp.owners[pid] = o
	}
	o.keys = append(o.keys, key)
	return nil
}

// dropOwnerKey forgets every registration of pid under key in the pid
// index, removing pid's exit hook when it was its last key. The caller
// holds the lock of key's partition.
func (r *Registry) dropOwnerKey(pid process.PID, key any) {
	pp := r.pidPart(pid)
	pp.mu.Lock()
	defer pp.mu.Unlock()
	o := pp.owners[pid]
	if o == nil {
		return
	}
	o.keys = slices.DeleteFunc(o.keys, func(k ownedKey) bool { return k.key == key })
	if len(o.keys) == 0 {
		o.hook.Cancel()
		delete(pp.owners, pid)
	}
}

// Unregister removes every registration of pid under key. It does
// nothing when there is none.
func (r *Registry) Unregister(pid process.PID, key any) {
	if !validKey(key) {
		return // never registered
	}
	kp := r.keyPart(key)
	kp.mu.Lock()
	removed := r.removeLocked(kp, pid, key)
	if len(removed) > 0 {
		// Under the key's lock, so a new registration of pid under key
		// cannot slip in between and lose its index entry.
		r.dropOwnerKey(pid, key)
	}
	kp.mu.Unlock()
	for _, e := range removed {
		r.notify(Event{Op: Unregistered, Key: key, Entry: e})
	}
}

// removeLocked removes pid's registrations under key from kp and returns
// them.
func (r *Registry) removeLocked(kp *keyPartition, pid process.PID, key any) []Entry {
	v, ok := r.entries.Load(key)
	if !ok {
		return nil
	}
	if r.keys == Unique {
		u := v.(*unique)
		if u.es[0].PID != pid {
			return nil
		}
		r.entries.Delete(key)
		kp.count.Add(-1)
		return u.es[:]
	}
	b := v.(*bucket)
	var removed []Entry
	b.mu.Lock()
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
	empty := len(kept) == 0
	b.mu.Unlock()
	if empty {
		r.entries.Delete(key)
	}
	kp.count.Add(-int64(len(removed)))
	return removed
}

// onExit is the exit hook: it removes every registration of pid.
func (r *Registry) onExit(pid process.PID, reason error) {
	pp := r.pidPart(pid)
	pp.mu.Lock()
	o := pp.owners[pid]
	delete(pp.owners, pid)
	pp.mu.Unlock()
	if o == nil {
		return
	}
	// One lock per partition, not per key: sort the keys by partition.
	slices.SortFunc(o.keys, func(a, b ownedKey) int { return a.part - b.part })
	var removed []Event
	for i := 0; i < len(o.keys); {
		part := o.keys[i].part
		kp := &r.keyParts[part]
		kp.mu.Lock()
		for ; i < len(o.keys) && o.keys[i].part == part; i++ {
			// A key listed twice (duplicate keys) finds nothing the
			// second time: removeLocked takes every entry of pid.
			key := o.keys[i].key
			for _, e := range r.removeLocked(kp, pid, key) {
				if r.listeners != nil {
					removed = append(removed, Event{Op: Unregistered, Key: key, Entry: e, Reason: reason})
				}
			}
		}
		kp.mu.Unlock()
	}
	for _, e := range removed {
		r.notify(e)
	}
}
