package process

// pidSet is a set of PIDs sized for how links are used: its first member
// lives inline (most processes have exactly one link, to their
// supervisor, so linking allocates nothing), a few more live in a small
// slice, and a large set (a supervisor linked to 100,000 children) becomes
// a map, so every case costs O(1).
type pidSet struct {
	first PID // zero when the set is empty; unused once big is set
	small []PID
	big   map[PID]struct{}
}

const pidSetSmall = 16

func (s *pidSet) add(pid PID) {
	switch {
	case s.big != nil:
		s.big[pid] = struct{}{}
	case s.first == pid || s.contains(pid):
	case s.first.IsZero():
		s.first = pid
	case len(s.small) < pidSetSmall:
		s.small = append(s.small, pid)
	default:
		s.toMap()
		s.big[pid] = struct{}{}
	}
}

func (s *pidSet) contains(pid PID) bool {
	for _, p := range s.small {
		if p == pid {
			return true
		}
	}
	return false
}

func (s *pidSet) toMap() {
	s.big = make(map[PID]struct{}, 4*pidSetSmall)
	s.big[s.first] = struct{}{}
	for _, p := range s.small {
		s.big[p] = struct{}{}
	}
	s.first, s.small = PID{}, nil
}

// remove deletes pid and reports whether it was present.
func (s *pidSet) remove(pid PID) bool {
	if s.big != nil {
		_, ok := s.big[pid]
		delete(s.big, pid)
		return ok
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
	if s.big != nil {
		for p := range s.big {
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
