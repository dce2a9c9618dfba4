package registry

import (
	"slices"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// owner is what the registry knows about one registered process: one exit
// hook, whatever the number of keys, and the slot tag of the key of each
// registration.
//
// An owner keeps the tags, not the keys: 4 bytes a registration instead
// of 16, in chunks without pointers, which the garbage collector does not
// scan (in a young process every new page is a page fault, which
// dominates a registration). A tag leads to its keys: it picks the key's
// partition ([Registry.partOf]) and the slots to look at, and the records
// in such slots that hold an entry of the owner's process are those of its
// keys of that tag (see [Registry.removeOwnedLocked] and
// [Registry.appendOwned]). Two keys of one process with the same tag are
// both found from either.
//
// The tags are kept in chunks, the newest in tags and the earlier ones in
// older: adding one appends to the newest chunk, or starts a new one twice
// as large (up to maxTagChunk) when it is full, so no tag is copied as the
// list grows.
type owner struct {
	pid  process.PID
	hook rt.ExitHook
	// bare is the entry of the process's registrations without a value,
	// which their records share (see [record]).
	bare  *[1]Entry
	tags  []uint32  // the newest chunk
	older *tagChunk // the earlier chunks, newest first; any may have room left after removals
}

// tagChunk is one earlier chunk of an owner's tags.
type tagChunk struct {
	tags []uint32
	next *tagChunk
}

// firstTagChunk and maxTagChunk bound the capacity of a new chunk (a full
// chunk of 64 tags is 256 bytes).
const (
	firstTagChunk = 2
	maxTagChunk   = 64
)

// add records a registration under a key of tag t. The caller holds the
// owner's pid partition lock.
func (o *owner) add(t uint32) {
	if len(o.tags) == cap(o.tags) {
		c := min(max(2*cap(o.tags), firstTagChunk), maxTagChunk)
		if len(o.tags) > 0 {
			o.older = &tagChunk{tags: o.tags, next: o.older}
		}
		o.tags = make([]uint32, 0, c)
	}
	o.tags = append(o.tags, t)
}

// drop forgets n registrations under keys of tag t and reports whether
// the owner holds no registration any more. The caller holds the pid
// partition lock.
func (o *owner) drop(t uint32, n int) (empty bool) {
	match := func(x uint32) bool {
		if x != t || n == 0 {
			return false
		}
		n--
		return true
	}
	o.tags = slices.DeleteFunc(o.tags, match)
	empty = len(o.tags) == 0
	for at := &o.older; *at != nil; {
		c := *at
		c.tags = slices.DeleteFunc(c.tags, match)
		if len(c.tags) == 0 {
			*at = c.next // an emptied chunk goes
			continue
		}
		empty = false
		at = &c.next
	}
	return empty
}

// all returns the tags of the owner's keys, one per registration, in a
// new slice the caller may reorder.
func (o *owner) all() []uint32 {
	n := len(o.tags)
	for c := o.older; c != nil; c = c.next {
		n += len(c.tags)
	}
	out := append(make([]uint32, 0, n), o.tags...)
	for c := o.older; c != nil; c = c.next {
		out = append(out, c.tags...)
	}
	return out
}

// distinct returns the tags of the owner's keys, each once, in a new
// sorted slice.
func (o *owner) distinct() []uint32 {
	out := o.all()
	slices.Sort(out)
	return slices.Compact(out)
}
