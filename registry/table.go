package registry

import "sync/atomic"

// table is one partition's key index: an open-addressing hash table
// (linear probing) whose reads take no lock. Every slot holds an immutable
// *record; writers, serialised by the partition's mutex, publish a new
// record (or a tombstone) with an atomic store, and grow by building a new
// slot array and publishing it. A reader probes whichever array it loaded:
// at worst it misses a change made while it was reading. Compared with a
// sync.Map (a hash trie), a lookup touches one slot array and one record
// instead of a chain of trie nodes: about twice the lookups per second.
type table struct {
	cur atomic.Pointer[slotArray]
}

// slotArray is a power-of-two array of slots. used counts live records and
// tombstones (the writer's load factor), live only the records.
type slotArray struct {
	mask  uint64
	slots []atomic.Pointer[record]
	used  int
	live  int
}

// record is one key's registrations: entry for a unique key, bucket for a
// duplicate key. A unique key's record is never changed once published (an
// update publishes a new one), so Lookup can return entry[:] as is.
type record struct {
	hash   uint64
	key    any
	entry  [1]Entry
	bucket *bucket
}

// tombstone marks a deleted slot, so probes for other keys go on past it.
var tombstone = &record{}

const minSlots = 8

func (t *table) init() { t.cur.Store(newSlotArray(minSlots)) }

func newSlotArray(n int) *slotArray {
	return &slotArray{mask: uint64(n - 1), slots: make([]atomic.Pointer[record], n)}
}

// load returns key's record, or nil. Safe without the partition's lock.
func (t *table) load(hash uint64, key any) *record {
	a := t.cur.Load()
	for i := hash & a.mask; ; i = (i + 1) & a.mask {
		r := a.slots[i].Load()
		if r == nil {
			return nil
		}
		if r.hash == hash && r != tombstone && r.key == key {
			return r
		}
	}
}

// store publishes rec under rec.key, replacing the key's record if any.
// The caller holds the partition's lock.
func (t *table) store(rec *record) {
	a := t.cur.Load()
	if (a.used+1)*4 > len(a.slots)*3 {
		a = t.rehash(a)
	}
	free := -1
	for i := rec.hash & a.mask; ; i = (i + 1) & a.mask {
		r := a.slots[i].Load()
		switch {
		case r == nil:
			if free < 0 {
				free = int(i)
				a.used++
			}
			a.slots[free].Store(rec)
			a.live++
			return
		case r == tombstone:
			if free < 0 {
				free = int(i) // reuse it, but only once the key is known absent
			}
		case r.hash == rec.hash && r.key == rec.key:
			a.slots[i].Store(rec)
			return
		}
	}
}

// delete removes key's record. The caller holds the partition's lock.
func (t *table) delete(hash uint64, key any) {
	a := t.cur.Load()
	for i := hash & a.mask; ; i = (i + 1) & a.mask {
		r := a.slots[i].Load()
		if r == nil {
			return
		}
		if r != tombstone && r.hash == hash && r.key == key {
			a.slots[i].Store(tombstone)
			a.live--
			return
		}
	}
}

// rehash publishes a new array without tombstones, twice as large when
// more than a quarter of the old one is live: amortised O(1) per write
// however many keys come and go.
func (t *table) rehash(old *slotArray) *slotArray {
	n := len(old.slots)
	if old.live*4 >= n {
		n *= 2
	}
	a := newSlotArray(n)
	for i := range old.slots {
		r := old.slots[i].Load()
		if r == nil || r == tombstone {
			continue
		}
		j := r.hash & a.mask
		for a.slots[j].Load() != nil {
			j = (j + 1) & a.mask
		}
		a.slots[j].Store(r)
		a.used++
		a.live++
	}
	t.cur.Store(a)
	return a
}

// reset empties the table. The caller holds the partition's lock.
func (t *table) reset() { t.init() }
