package registry

import (
	"slices"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// owner is what the registry knows about one registered process: one exit
// hook, whatever the number of keys, and the hash of the key of each
// registration.
//
// An owner keeps the hashes, not the keys: 8 bytes a registration instead
// of 16, in chunks without pointers, which the garbage collector does not
// scan (in a young process every new page is a page fault, and these
// were a sixth of a registration's bytes). A hash leads to its key: it
// picks the key's partition and the slots to look at, and the record in
// such a slot that holds an entry of the owner's process has the key (see
// [Registry.removeOwnedLocked] and [Registry.appendOwned]). Two keys of one
// process with the same hash are both found from either.
//
// The hashes are kept in chunks, the newest in hashes and the earlier ones
// in older: adding one appends to the newest chunk, or starts a new one
// twice as large (up to maxHashChunk) when it is full, so no hash is
// copied as the list grows.
type owner struct {
	pid  process.PID
	hook rt.ExitHook
	// bare is the entry of the process's registrations without a value,
	// which their records share (see [record]).
	bare   *[1]Entry
	hashes []uint64   // the newest chunk
	older  *hashChunk // the earlier chunks, newest first; any may have room left after removals
}

// hashChunk is one earlier chunk of an owner's hashes.
type hashChunk struct {
	hashes []uint64
	next   *hashChunk
}

// firstHashChunk and maxHashChunk bound the capacity of a new chunk (a
// full chunk of 32 hashes is 256 bytes).
const (
	firstHashChunk = 2
	maxHashChunk   = 32
)

// add records a registration under a key of hash h. The caller holds the
// owner's pid partition lock.
func (o *owner) add(h uint64) {
	if len(o.hashes) == cap(o.hashes) {
		c := min(max(2*cap(o.hashes), firstHashChunk), maxHashChunk)
		if len(o.hashes) > 0 {
			o.older = &hashChunk{hashes: o.hashes, next: o.older}
		}
		o.hashes = make([]uint64, 0, c)
	}
	o.hashes = append(o.hashes, h)
}

// drop forgets n registrations under keys of hash h and reports whether
// the owner holds no registration any more. The caller holds the pid
// partition lock.
func (o *owner) drop(h uint64, n int) (empty bool) {
	match := func(x uint64) bool {
		if x != h || n == 0 {
			return false
		}
		n--
		return true
	}
	o.hashes = slices.DeleteFunc(o.hashes, match)
	empty = len(o.hashes) == 0
	for at := &o.older; *at != nil; {
		c := *at
		c.hashes = slices.DeleteFunc(c.hashes, match)
		if len(c.hashes) == 0 {
			*at = c.next // an emptied chunk goes
			continue
		}
		empty = false
		at = &c.next
	}
	return empty
}

// all returns the hashes of the owner's keys, one per registration, in a
// new slice the caller may reorder.
func (o *owner) all() []uint64 {
	n := len(o.hashes)
	for c := o.older; c != nil; c = c.next {
		n += len(c.hashes)
	}
	out := append(make([]uint64, 0, n), o.hashes...)
	for c := o.older; c != nil; c = c.next {
		out = append(out, c.hashes...)
	}
	return out
}

// distinct returns the hashes of the owner's keys, each once, in a new
// sorted slice.
func (o *owner) distinct() []uint64 {
	out := o.all()
	slices.Sort(out)
	return slices.Compact(out)
}
