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
//
// A slot keeps a tag, the low 32 bits of its key's hash, next to the
// record pointer, so a probe passes other keys' slots, and a rehash moves
// every record, without reading the records (one cache miss each in a
// large table); the low bits are all a rehash needs to place a key (a
// table has fewer than 2^32 slots). A slot's tag is written once, while
// the slot is still empty and before its first record is published, and
// never changes afterwards: a deleted key's slot (a tombstone) is reused
// only by a key of the same tag (the same key registered again,
// typically), and other tombstones go at the next rehash. A reader that
// loaded a non-nil record may therefore read the tag without
// synchronisation.
//
// Slots come in groups of eight, tags first: 12 bytes a slot rather than
// the 16 of a 64-bit hash beside each pointer. In a young process every
// new page of slots is a page fault, and slot arrays, with those growth
// leaves behind, were two fifths of a registration's bytes.
type table struct {
	cur atomic.Pointer[slotArray]
}

// slotArray is a power-of-two array of slots, in groups. used counts live
// records and tombstones (the writer's load factor), live only the
// records.
type slotArray struct {
	mask   uint64 // the number of slots, minus one
	groups []group
	used   int
	live   int
}

// groupSize is the number of slots in a group.
const groupSize = 8

// group is eight slots: their tags, then their records.
type group struct {
	tag [groupSize]uint32 // each set before its rec first becomes non-nil, then fixed
	rec [groupSize]atomic.Pointer[record]
}

// slot names one slot of a slotArray.
type slot struct {
	g    *group
	lane uint64
}

// at returns slot i of a.
func (a *slotArray) at(i uint64) slot { return slot{&a.groups[i/groupSize], i % groupSize} }

func (s slot) load() *record   { return s.g.rec[s.lane].Load() }
func (s slot) tag() uint32     { return s.g.tag[s.lane] }
func (s slot) store(r *record) { s.g.rec[s.lane].Store(r) }

// tagOf returns the part of hash a slot keeps.
func tagOf(hash uint64) uint32 { return uint32(hash) }

// record is one key's registrations: entry for a unique key; for a
// duplicate key, a *bucket in entry's Value with the zero PID, which no
// registration has (see [record.bucket]). A record and its entry are
// never changed once published (an update publishes a new record), so
// Lookup can return entry[:] as is.
//
// The entry of a registration without a value is its owner's, shared by
// all the process's registrations without one ([owner.bare]): such a
// record is 24 bytes, where one holding its entry was 48, and records
// were half the bytes a registration touches (in a young process every
// new page is a page fault, which dominates a registration). A
// registration with a value has an entry of its own.
type record struct {
	key   any
	entry *[1]Entry
}

// newBucketRecord returns the record of a duplicate key holding b.
func newBucketRecord(key any, b *bucket) *record {
	return &record{key: key, entry: &[1]Entry{{Value: b}}}
}

// bucket returns the bucket of a duplicate key's record, or nil for a
// unique key's.
func (rec *record) bucket() *bucket {
	if !rec.entry[0].PID.IsZero() {
		return nil
	}
	b, _ := rec.entry[0].Value.(*bucket)
	return b
}

// tombstone marks a deleted slot, so probes for other keys go on past it.
var tombstone = &record{}

const minSlots = groupSize

// maxLoad16 is the highest share of used slots, in sixteenths, before a
// write rehashes. With the tags in the slots a probe compares 4 bytes
// before it reads a record, so the table can run fuller than one that
// reads a record per probe: at 13/16 an absent key costs about 15 tag
// compares in the worst case, a present one 3, and the table needs a
// fifth fewer slots than at 3/4 (in a young process every new page of
// slots is a page fault, which dominates a registration).
const maxLoad16 = 13

func (t *table) init() { t.cur.Store(newSlotArray(minSlots)) }

func newSlotArray(n int) *slotArray {
	return &slotArray{mask: uint64(n - 1), groups: make([]group, n/groupSize)}
}

// load returns key's record, or nil. Safe without the partition's lock.
func (t *table) load(hash uint64, key any) *record {
	a, tag := t.cur.Load(), tagOf(hash)
	for i := hash & a.mask; ; i = (i + 1) & a.mask {
		s := a.at(i)
		r := s.load()
		if r == nil {
			return nil
		}
		if s.tag() == tag && r != tombstone && r.key == key {
			return r
		}
	}
}

// each calls fn with every record in a slot of tag, and the slot, in
// probe order: the records of the keys whose hashes have that tag. Safe
// without the partition's lock; a caller holding it may delete the record
// fn has from its slot (deleteAt), and change nothing else.
func (t *table) each(tag uint32, fn func(slot, *record)) {
	a := t.cur.Load()
	for i := uint64(tag) & a.mask; ; i = (i + 1) & a.mask {
		s := a.at(i)
		r := s.load()
		if r == nil {
			return
		}
		if s.tag() == tag && r != tombstone {
			fn(s, r)
		}
	}
}

// deleteAt removes the record in s, a slot each passed. The caller holds
// the partition's lock.
func (t *table) deleteAt(s slot) {
	s.store(tombstone)
	t.cur.Load().live--
}

// find returns the slot of key's record and the record, or, when key is
// absent, the slot a new record for it goes to and nil. It makes room
// first, so the slot returned can be published to at once with put. The
// caller holds the partition's lock and changes nothing else before put.
func (t *table) find(hash uint64, key any) (slot, *record) {
	a := t.cur.Load()
	if (a.used+1)*16 > int(a.mask+1)*maxLoad16 {
		a = t.rehash(a)
	}
	tag := tagOf(hash)
	var reuse slot
	for i := hash & a.mask; ; i = (i + 1) & a.mask {
		s := a.at(i)
		r := s.load()
		switch {
		case r == nil:
			if reuse.g != nil {
				return reuse, nil
			}
			return s, nil
		case s.tag() != tag:
		case r == tombstone:
			if reuse.g == nil {
				reuse = s // a tombstone of the same tag, once key is known absent
			}
		case r.key == key:
			return s, r
		}
	}
}

// put publishes rec in s, which find returned for rec's key with old, the
// record it found there (nil for none). The caller holds the partition's
// lock.
func (t *table) put(s slot, old, rec *record, hash uint64) {
	if old == nil {
		a := t.cur.Load()
		if s.load() == nil {
			s.g.tag[s.lane] = tagOf(hash)
			a.used++
		}
		a.live++
	}
	s.store(rec)
}

// store publishes rec under key, replacing the key's record if any. The
// caller holds the partition's lock.
func (t *table) store(hash uint64, rec *record) {
	s, old := t.find(hash, rec.key)
	t.put(s, old, rec, hash)
}

// delete removes key's record. The caller holds the partition's lock.
func (t *table) delete(hash uint64, key any) {
	a, tag := t.cur.Load(), tagOf(hash)
	for i := hash & a.mask; ; i = (i + 1) & a.mask {
		s := a.at(i)
		r := s.load()
		if r == nil {
			return
		}
		if s.tag() == tag && r != tombstone && r.key == key {
			s.store(tombstone)
			a.live--
			return
		}
	}
}

// rehash publishes a new array without tombstones, twice as large when
// more than a quarter of the old one is live: amortised O(1) per write
// however many keys come and go (after a rehash at the same size at most
// a quarter is used, so at least half the slots are written before the
// next).
func (t *table) rehash(old *slotArray) *slotArray {
	n := int(old.mask + 1)
	if old.live*4 >= n {
		n *= 2
	}
	a := newSlotArray(n)
	// Write to every group before probing any: memory fresh from the OS
	// is not zeroed by the allocator, and a read before the first write
	// maps the kernel's zero page, so the write that follows takes a
	// second, copy-on-write fault and a TLB shootdown on every core (a
	// fifth of a young registry's registration time went there). The
	// tags are written, not the pointers: clearing pointers while the GC
	// marks reads them first, which is the read to avoid.
	for i := range a.groups {
		a.groups[i].tag = [groupSize]uint32{}
	}
	for i := range old.mask + 1 {
		s := old.at(i)
		r := s.load()
		if r == nil || r == tombstone {
			continue
		}
		j := uint64(s.tag()) & a.mask
		for a.at(j).load() != nil {
			j = (j + 1) & a.mask
		}
		d := a.at(j)
		d.g.tag[d.lane] = s.tag()
		d.store(r)
		a.used++
		a.live++
	}
	t.cur.Store(a)
	return a
}

// reset empties the table. The caller holds the partition's lock.
func (t *table) reset() { t.init() }
