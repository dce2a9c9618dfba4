package process

import (
	"math/rand/v2"
	"testing"
)

// TestPidSetMatchesAMap drives a pidSet and a map with the same random
// adds and removes, across the inline, slice and large forms, with PIDs of
// two nodes.
func TestPidSetMatchesAMap(t *testing.T) {
	for _, span := range []uint64{2, 10, 40} {
		var s pidSet
		want := map[PID]bool{}
		rng := rand.New(rand.NewPCG(span, 7))
		for step := range 5000 {
			// Mostly node 1, sometimes node 2: a big set keys its own node's
			// PIDs by number and keeps the others apart.
			pid := PID{node: 1 + uint32(rng.IntN(4)/3), id: 1 + rng.Uint64N(span)}
			if rng.IntN(2) == 0 {
				s.add(pid)
				want[pid] = true
			} else if got := s.remove(pid); got != want[pid] {
				t.Fatalf("span %d step %d: remove(%v) = %t, want %t", span, step, pid, got, want[pid])
			} else {
				delete(want, pid)
			}
			seen := map[PID]int{}
			s.each(func(p PID) { seen[p]++ })
			if len(seen) != len(want) {
				t.Fatalf("span %d step %d: each saw %v, want %v", span, step, seen, want)
			}
			for p, n := range seen {
				if n != 1 || !want[p] {
					t.Fatalf("span %d step %d: each saw %v %d times, want %v", span, step, p, n, want)
				}
			}
		}
	}
}
