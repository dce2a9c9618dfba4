package process

import "github.com/seed-fe72f376/orchard/internal/idmap"

// pidSet is a set of PIDs sized for how links are used: its first member
// lives inline (most processes have exactly one link, to their
// supervisor, so linking allocates nothing), a few more live in a small
// slice, and a large set (a supervisor linked to 100,000 children) becomes
// a bit set of PID numbers (idmap.Set: children started one after
// another share bit words), so every case costs O(1). The set's members
// share the node of the PID that made it big; a member of another node,
// if ever, goes to a map of its own.
type pidSet struct {
	first PID // zero when the set is empty; unused once big is set
	small []PID
	big   *bigPidSet
}

// bigPidSet is a pidSet's large form (kept apart so a pidSet stays 48
// bytes in every Proc).
type bigPidSet struct {
	ids    idmap.Set // PIDs of node
	node   uint32
	remote map[PID]struct{} // PIDs of other nodes
}

const pidSetSmall = 16

func (s *pidSet) add(pid PID) {
	switch {
	case s.big != nil:
		s.addBig(pid)
	case s.first == pid || s.contains(pid):
	case s.first.IsZero():
		s.first = pid
	case len(s.small) < pidSetSmall:
		s.small = append(s.small, pid)
	default:
		s.toBig()
		s.addBig(pid)
	}
}

func (s *pidSet) addBig(pid PID) {
	b := s.big
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
	for _, p := range s.small {
		if p == pid {
			return true
		}
	}
	return false
}

func (s *pidSet) toBig() {
	s.big = &bigPidSet{node: s.first.node}
	s.addBig(s.first)
	for _, p := range s.small {
		s.addBig(p)
	}
	s.first, s.small = PID{}, nil
}

// remove deletes pid and reports whether it was present.
func (s *pidSet) remove(pid PID) bool {
	if b := s.big; b != nil {
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
	last := len(s.small) - 1
	if s.first == pid {
		s.first = PID{}
		if last >= 0 {
			s.first, s.small = s.small[last], s.small[:last]
		}
		return true
	}
	for i, p := range s.small {
		if p == pid {
			s.small[i] = s.small[last]
			s.small = s.small[:last]
			return true
		}
	}
	return false
}

func (s *pidSet) each(fn func(PID)) {
	if b := s.big; b != nil {
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
	for _, p := range s.small {
		fn(p)
	}
}
