package registry

import (
	"hash/maphash"
	"slices"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// owner is what the registry knows about one registered process: one exit
// hook, whatever the number of keys, and one key per registration.
//
// The keys are kept in chunks, the newest in keys and the earlier ones in
// older: adding a key appends to the newest chunk, or starts a new one
// twice as large (up to maxKeyChunk) when it is full, so no key is copied
// as the list grows. A process holding many keys costs about the bytes of
// its keys, not twice that plus the copies of a doubling slice, which
// matters most in a young process whose every new page is a page fault.
type owner struct {
	pid   process.PID
	hook  rt.ExitHook
	keys  []any     // the newest chunk
	older *keyChunk // the earlier chunks, newest first; any may have room left after removals
}

// keyChunk is one earlier chunk of an owner's keys.
type keyChunk struct {
	keys []any
	next *keyChunk
}

// ownedKey is a key with its hash, which gives its partition, so the exit
// hook can take each partition's lock once for all the keys it holds. An
// owner keeps the keys alone (16 bytes each rather than 24: in a young
// process every page of them is a page fault) and the exit hook hashes
// them again.
type ownedKey struct {
	key  any
	hash uint64
}

// firstKeyChunk and maxKeyChunk bound the capacity of a new chunk. A
// full chunk of 16 keys is 256 bytes: the allocator gives objects of up to
// 512 bytes their pointer bitmap in the span, larger ones a header it
// writes on every allocation (with 64-key chunks that allocation path was
// a tenth of a young registry's registration time).
const (
	firstKeyChunk = 2
	maxKeyChunk   = 16
)

// add records k. The caller holds the owner's pid partition lock.
func (o *owner) add(k any) {
	if len(o.keys) == cap(o.keys) {
		c := min(max(2*cap(o.keys), firstKeyChunk), maxKeyChunk)
		if len(o.keys) > 0 {
			o.older = &keyChunk{keys: o.keys, next: o.older}
		}
		o.keys = make([]any, 0, c)
	}
	o.keys = append(o.keys, k)
}

// drop forgets every registration under key and reports whether the
// owner holds no key any more. The caller holds the pid partition lock.
func (o *owner) drop(key any) (empty bool) {
	match := func(k any) bool { return k == key }
	o.keys = slices.DeleteFunc(o.keys, match)
	empty = len(o.keys) == 0
	for at := &o.older; *at != nil; {
		c := *at
		c.keys = slices.DeleteFunc(c.keys, match)
		if len(c.keys) == 0 {
			*at = c.next // an emptied chunk goes
			continue
		}
		empty = false
		at = &c.next
	}
	return empty
}

// count returns the number of keys held.
func (o *owner) count() int {
	n := len(o.keys)
	for c := o.older; c != nil; c = c.next {
		n += len(c.keys)
	}
	return n
}

// each calls fn with every chunk of keys held.
func (o *owner) each(fn func(keys []any)) {
	fn(o.keys)
	for c := o.older; c != nil; c = c.next {
		fn(c.keys)
	}
}

// all returns every key held with its hash under seed, in a new slice the
// caller may reorder.
func (o *owner) all(seed maphash.Seed) []ownedKey {
	out := make([]ownedKey, 0, o.count())
	o.each(func(keys []any) {
		for _, k := range keys {
			h, _ := hashKey(seed, k) // registered, so hashable
			out = append(out, ownedKey{key: k, hash: h})
		}
	})
	return out
}
