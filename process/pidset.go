package process

// pidSet is a set of PIDs that stays a small slice while it is small (a
// process usually has one or two links) and becomes a map when it grows (a
// supervisor linked to 100,000 children), so both cases cost O(1).
type pidSet struct {
	small []PID
	big   map[PID]struct{}
}

const pidSetSmall = 16

func (s *pidSet) add(pid PID) {
	if s.big != nil {
		s.big[pid] = struct{}{}
		return
	}
	for _, p := range s.small {
		if p == pid {
			return
		}
	}
	if len(s.small) < pidSetSmall {
		if s.small == nil {
			s.small = make([]PID, 0, 2)
		}
		s.small = append(s.small, pid)
		return
	}
	s.big = make(map[PID]struct{}, 2*pidSetSmall)
	for _, p := range s.small {
		s.big[p] = struct{}{}
	}
	s.big[pid] = struct{}{}
	s.small = nil
}

// remove deletes pid and reports whether it was present.
func (s *pidSet) remove(pid PID) bool {
	if s.big != nil {
		_, ok := s.big[pid]
		delete(s.big, pid)
		return ok
	}
	for i, p := range s.small {
		if p == pid {
			last := len(s.small) - 1
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
	for _, p := range s.small {
		fn(p)
	}
}
