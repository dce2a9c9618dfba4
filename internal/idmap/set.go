package idmap

import (
	"iter"
	"math/bits"
)

// Set is a set of ids: a bit per id, in words of 64 consecutive ids. The
// zero Set is empty and ready to use.
type Set struct {
	words map[uint64]uint64
	n     int
}

// Len returns the number of ids in s.
func (s *Set) Len() int { return s.n }

// Has reports whether id is in s.
func (s *Set) Has(id uint64) bool { return s.words[id>>6]&(1<<(id&63)) != 0 }

// Add puts id in s and reports whether it was new.
func (s *Set) Add(id uint64) bool {
	if s.words == nil {
		s.words = make(map[uint64]uint64)
	}
	key, bit := id>>6, uint64(1)<<(id&63)
	w := s.words[key]
	if w&bit != 0 {
		return false
	}
	s.words[key] = w | bit
	s.n++
	return true
}

// Remove takes id out of s and reports whether it was there.
func (s *Set) Remove(id uint64) bool {
	key, bit := id>>6, uint64(1)<<(id&63)
	w, ok := s.words[key]
	if !ok || w&bit == 0 {
		return false
	}
	if w &^= bit; w == 0 {
		delete(s.words, key)
	} else {
		s.words[key] = w
	}
	s.n--
	return true
}

// All yields every id in s, in no particular order. The loop body may
// remove ids; an id added during the loop may or may not be yielded.
func (s *Set) All() iter.Seq[uint64] {
	return func(yield func(uint64) bool) {
		for key, w := range s.words {
			for ; w != 0; w &= w - 1 {
				id := key<<6 | uint64(bits.TrailingZeros64(w))
				if !s.Has(id) {
					continue // removed by the loop body
				}
				if !yield(id) {
					return
				}
			}
		}
	}
}

// Clear removes every id.
func (s *Set) Clear() {
	clear(s.words)
	s.n = 0
}
