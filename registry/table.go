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
// A slot keeps its key's hash next to the record pointer, so a probe
// passes other keys' slots, and a rehash moves every record, without
// reading the records (one cache miss each in a large table). A slot's
// hash is written once, while the slot is still empty and before its
// first record is published, and never changes afterwards: a deleted
// key's slot (a tombstone) is reused only by a key of the same hash (the
// same key registered again, typically), and other tombstones go at the
// next rehash. A reader that loaded a non-nil record may therefore read
// the hash without synchronisation.
type table struct {
	cur atomic.Pointer[slotArray]
}

// slotArray is a power-of-two array of slots. used counts live records and
// tombstones (the writer's load factor), live only the records.
type slotArray struct {
	mask  uint64
	slots []slot
	used  int
	live  int
}

// slot is one entry of a slotArray: a record and its key's hash.
type slot struct {
	hash uint64 // set before rec first becomes non-nil, then fixed
	rec  atomic.Pointer[record]
}

// record is one key's registrations: entry for a unique key; for a
// duplicate key, a *bucket in entry's Value with the zero PID, which no
// registration has (see [record.bucket]), so a record is 48 bytes rather
// than 64. A unique key's record is never changed once published (an
// update publishes a new one), so Lookup can return entry[:] as is.
type record struct {
	key   any
	entry [1]Entry
}

// newBucketRecord returns the record of a duplicate key holding b.
func newBucketRecord(key any, b *bucket) *record {
	return &record{key: key, entry: [1]Entry{{Value: b}}}
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

const minSlots = 8

// maxLoad16 is the highest share of used slots, in sixteenths, before a
// write rehashes. With the hashes in the slots a probe compares 16 bytes,
// mostly in one cache line, so the table can run fuller than one that
// reads a record per probe: at 13/16 an absent key costs about 15 slot
// compares in the worst case, a present one 3, and the table needs a
// fifth fewer slots than at 3/4 (in a young process every new page of
// slots is a page fault, which dominates a registration).
const maxLoad16 = 13

func (t *table) init() { t.cur.Store(newSlotArray(minSlots)) }

func newSlotArray(n int) *slotArray {
	return &slotArray{mask: uint64(n - 1), slots: make([]slot, n)}
}

// load returns key's record, or nil. Safe without the partition's lock.
func (t *table) load(hash uint64, key any) *record {
	a := t.cur.Load()
	for i := hash & a.mask; ; i = (i + 1) & a.mask {
		s := &a.slots[i]
		r := s.rec.Load()
		if r == nil {
			return nil
		}
		if s.hash == hash && r != tombstone && r.key == key {
			return r
		}
	}
}

// each calls fn with every record of a key of hash and its slot, in
// probe order. Safe without the partition's lock; a caller holding it may
// delete the record fn has from its slot (deleteAt), and change nothing
// else.
func (t *table) each(hash uint64, fn func(*slot, *record)) {
	a := t.cur.Load()
	for i := hash & a.mask; ; i = (i + 1) & a.mask {
		s := &a.slots[i]
		r := s.rec.Load()
		if r == nil {
			return
		}
		if s.hash == hash && r != tombstone {
			fn(s, r)
		}
	}
}

// deleteAt removes the record in s, a slot each passed. The caller holds
// the partition's lock.
func (t *table) deleteAt(s *slot) {
	s.rec.Store(tombstone)
	t.cur.Load().live--
}

// find returns the slot of key's record and the record, or, when key is
// absent, the slot a new record for it goes to and nil. It makes room
// first, so the slot returned can be published to at once with put. The
// caller holds the partition's lock and changes nothing else before put.
func (t *table) find(hash uint64, key any) (*slot, *record) {
	a := t.cur.Load()
	if (a.used+1)*16 > len(a.slots)*maxLoad16 {
		a = t.rehash(a)
	}
	var reuse *slot
	for i := hash & a.mask; ; i = (i + 1) & a.mask {
		s := &a.slots[i]
		r := s.rec.Load()
		switch {
		case r == nil:
			if reuse != nil {
				return reuse, nil
			}
			return s, nil
		case s.hash != hash:
		case r == tombstone:
			if reuse == nil {
				reuse = s // a tombstone of the same hash, once key is known absent
			}
		case r.key == key:
			return s, r
		}
	}
}

// put publishes rec in s, which find returned for rec's key with old, the
// record it found there (nil for none). The caller holds the partition's
// lock.
func (t *table) put(s *slot, old, rec *record, hash uint64) {
	if old == nil {
		a := t.cur.Load()
		if s.rec.Load() == nil {
			s.hash = hash
			a.used++
		}
		a.live++
	}
	s.rec.Store(rec)
}

// store publishes rec under key, replacing the key's record if any. The
// caller holds the partition's lock.
func (t *table) store(hash uint64, rec *record) {
	s, old := t.find(hash, rec.key)
	t.put(s, old, rec, hash)
}

// delete removes key's record. The caller holds the partition's lock.
func (t *table) delete(hash uint64, key any) {
	a := t.cur.Load()
	for i := hash & a.mask; ; i = (i + 1) & a.mask {
		s := &a.slots[i]
		r := s.rec.Load()
		if r == nil {
			return
		}
		if s.hash == hash && r != tombstone && r.key == key {
			s.rec.Store(tombstone)
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
	n := len(old.slots)
	if old.live*4 >= n {
		n *= 2
	}
	a := newSlotArray(n)
	// Write to every slot before probing any: memory fresh from the OS is
	// not zeroed by the allocator, and a read before the first write maps
	// the kernel's zero page, so the write that follows takes a second,
	// copy-on-write fault and a TLB shootdown on every core (a fifth of a
	// young registry's registration time went there). The hash words are
	// written, not the pointers: clearing pointers while the GC marks
	// reads them first, which is the read to avoid.
	for i := range a.slots {
		a.slots[i].hash = 0
	}
	for i := range old.slots {
		s := &old.slots[i]
		r := s.rec.Load()
		if r == nil || r == tombstone {
			continue
		}
		j := s.hash & a.mask
		for a.slots[j].rec.Load() != nil {
			j = (j + 1) & a.mask
		}
		a.slots[j].hash = s.hash
		a.slots[j].rec.Store(r)
		a.used++
		a.live++
	}
	t.cur.Store(a)
	return a
}

// reset empties the table. The caller holds the partition's lock.
func (t *table) reset() { t.init() }
