package registry

import (
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// The read methods below have no error result: on a nil or zero Registry,
// and for a key that is not comparable, they find nothing (nil, zero,
// false), as for a key nobody registered (docs/ERRORS.md §3).

// Lookup returns the registrations under key: at most one with unique
// keys. It takes no lock shared with other readers, so lookups from many
// goroutines do not serialise. An entry whose process has just died may
// still be returned until its exit hook has run.
//
// With unique keys the returned slice is the registry's own immutable
// entry, shared by every lookup of the same registration (and, for a
// registration without a value, of the process's others without one), so
// that a lookup allocates nothing: read it, append to it (that copies),
// but do not assign to its elements. With duplicate keys it is a fresh
// copy.
func (r *Registry) Lookup(key any) []Entry {
	if !r.usable() {
		return nil
	}
	rec := r.load(key)
	if rec == nil {
		return nil
	}
	b := rec.bucket()
	if b == nil {
		return rec.entry[:]
	}
	return b.snapshot()
}

// WhereIs returns the process registered under key in a registry with
// unique keys (Elixir's whereis_name). It allocates nothing.
func (r *Registry) WhereIs(key any) (process.PID, bool) {
	if !r.usable() || r.keys != Unique {
		return process.PID{}, false
	}
	rec := r.load(key)
	if rec == nil {
		return process.PID{}, false
	}
	return rec.entry[0].PID, true
}

func (b *bucket) snapshot() []Entry {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if len(b.entries) == 0 {
		return nil
	}
	return append([]Entry(nil), b.entries...)
}

// Keys returns the keys pid is registered under, in no particular order;
// with duplicate keys a key appears once per registration.
func (r *Registry) Keys(pid process.PID) []any {
	if !r.usable() {
		return nil
	}
	pp := r.pidPart(pid)
	pp.mu.Lock()
	o := pp.get(pid)
	if o == nil {
		pp.mu.Unlock()
		return nil
	}
	tags := o.distinct()
	pp.mu.Unlock()
	keys := make([]any, 0, len(tags))
	for _, t := range tags {
		keys = r.appendOwned(keys, t, pid)
	}
	return keys
}

// Values returns the values pid registered under key.
func (r *Registry) Values(key any, pid process.PID) []any {
	var out []any
	for _, e := range r.Lookup(key) {
		if e.PID == pid {
			out = append(out, e.Value)
		}
	}
	return out
}

// Match returns the registrations under key whose value satisfies match
// (Elixir's match/3 with a guard written as a Go func). match runs
// outside the registry's locks. A nil match matches nothing.
func (r *Registry) Match(key any, match func(value any) bool) []Entry {
	if match == nil {
		return nil
	}
	var out []Entry
	for _, e := range r.Lookup(key) {
		if match(e.Value) {
			out = append(out, e)
		}
	}
	return out
}

// Count returns the number of registrations.
func (r *Registry) Count() int {
	if !r.usable() {
		return 0
	}
	n := int64(0)
	for i := range r.keyParts {
		n += r.keyParts[i].count.Load()
	}
	return int(n)
}

// CountKey returns the number of registrations under key.
func (r *Registry) CountKey(key any) int {
	if !r.usable() {
		return 0
	}
	rec := r.load(key)
	if rec == nil {
		return 0
	}
	b := rec.bucket()
	if b == nil {
		return 1
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.entries)
}

// Dispatch calls fn once with every registration under key, for local
// pub/sub (Elixir's dispatch/3). fn is not called when there is none. It
// runs on the calling goroutine, outside the registry's locks, on a
// snapshot of the entries (as returned by [Registry.Lookup]; do not assign
// to its elements), so it may send, register or kill. A nil fn is never
// called: Dispatch then does nothing.
func (r *Registry) Dispatch(key any, fn func([]Entry)) {
	if fn == nil {
		return
	}
	if entries := r.Lookup(key); len(entries) > 0 {
		fn(entries)
	}
}

// UpdateValue replaces the value pid registered under key with
// update(old), in a registry with unique keys. It fails with
// [ErrNotRegistered] when pid does not hold key, [ErrNotUnique] with
// duplicate keys and [ErrClosed] after Close. update runs under the key's
// partition lock: it must not call r. A nil or zero Registry, the zero
// PID and a nil update are errors matching [ErrInvalidArgument].
func (r *Registry) UpdateValue(pid process.PID, key any, update func(old any) any) error {
	const op = "registry: Registry.UpdateValue"
	switch {
	case !r.usable():
		return r.errUnusable("Registry.UpdateValue")
	case pid.IsZero():
		return argerr.New(op, "pid", "is the zero PID")
	case update == nil:
		return argerr.Nil(op, "update")
	}
	if r.keys != Unique {
		return ErrNotUnique
	}
	hash, part, ok := r.locate(key)
	if !ok {
		return ErrInvalidKey
	}
	kp := &r.keyParts[part]
	kp.mu.Lock()
	defer kp.mu.Unlock()
	if r.closed.Load() {
		return ErrClosed
	}
	slot, rec := kp.index.find(hash, key)
	if rec == nil || rec.entry[0].PID != pid {
		return ErrNotRegistered
	}
	value := update(rec.entry[0].Value)
	kp.index.put(slot, rec, &record{key: key, entry: &[1]Entry{{PID: pid, Value: value}}}, hash)
	return nil
}
