package process

import "github.com/seed-fe72f376/orchard/internal/idmap"

// pidSet is a set of PIDs sized for how links are used: its first member
// lives inline (most processes have exactly one link, to their
// supervisor, so linking allocates nothing), a few more live in a small
// slice behind a pointer (made at the second link, with the slice), and a large set (a supervisor linked to 100,000 children) becomes
// a bit set of PID numbers (idmap.Set: children started one after
// another share bit words), so every case costs O(1). The set's members
// share the node of the PID that made it big; a member of another node,
// if ever, goes to a map of its own.
type pidSet struct {
	first PID // zero when the set is empty; unused once big is set
	more  *pidSetMore
}

// pidSetMore holds a pidSet's members beyond the first, made at the
// second: kept apart so that a pidSet is 24 bytes in every Proc.
type pidSetMore struct {
	small []PID
	big   *bigPidSet
}

// bigPidSet is a pidSet's large form.
type bigPidSet struct {
	ids    idmap.Set // PIDs of node
	node   uint32
	remote map[PID]struct{} // PIDs of other nodes
}

const pidSetSmall = 16

// small is the set's members after the first (none once big).
func (s *pidSet) small() []PID {
	if s.more == nil {
		return nil
	}
	return s.more.small
}

// big is the set's large form, nil while it is small.
func (s *pidSet) big() *bigPidSet {
	if s.more == nil {
		return nil
	}
	return s.more.big
}

func (s *pidSet) add(pid PID) {
	switch {
	case s.big() != nil:
		s.big().add(pid)
	case s.first == pid || s.contains(pid):
	case s.first.IsZero():
		s.first = pid
	case len(s.small()) < pidSetSmall:
		if s.more == nil {
			s.more = &pidSetMore{}
		}
		s.more.small = append(s.more.small, pid)
	default:
		s.toBig()
		s.big().add(pid)
	}
}

func (b *bigPidSet) add(pid PID) {
	if pid.node == b.node {
		b.ids.Add(pid.id)
		return
	}
	if b.remote == nil {
		b.remote = make(map[PID]struct{})
	}
	b.remote[pid] = struct{}{}
}

func (s *pidSet) contains(pid PID) bool {
	for _, p := range s.small() {
		if p == pid {
			return true
		}
	}
	return false
}

func (s *pidSet) toBig() {
	b := &bigPidSet{node: s.first.node}
	b.add(s.first)
	for _, p := range s.small() {
		b.add(p)
	}
	s.first, s.more = PID{}, &pidSetMore{big: b}
}

// remove deletes pid and reports whether it was present.
func (s *pidSet) remove(pid PID) bool {
	if b := s.big(); b != nil {
		if pid.node != b.node {
			_, ok := b.remote[pid]
			delete(b.remote, pid)
			return ok
		}
		return b.ids.Remove(pid.id)
	}
	if pid.IsZero() {
		return false
	}
	small := s.small()
	last := len(small) - 1
	if s.first == pid {
		s.first = PID{}
		if last >= 0 {
			s.first, s.more.small = small[last], small[:last]
		}
		return true
	}
	for i, p := range small {
		if p == pid {
			small[i] = small[last]
			s.more.small = small[:last]
			return true
		}
	}
	return false
}

func (s *pidSet) each(fn func(PID)) {
	if b := s.big(); b != nil {
		for id := range b.ids.All() {
			fn(PID{node: b.node, id: id})
		}
		for p := range b.remote {
			fn(p)
		}
		return
	}
	if !s.first.IsZero() {
		fn(s.first)
	}
	for _, p := range s.small() {
		fn(p)
	}
}
