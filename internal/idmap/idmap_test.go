package idmap_test

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"go.uber.org/goleak"

	"github.com/seed-fe72f376/orchard/internal/idmap"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestMapMatchesGoMap runs random puts, gets and deletes on a Map and a Go
// map side by side, over ids mostly handed out in order with some old ids
// kept alive, as processes are.
func TestMapMatchesGoMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var m idmap.Map[int]
	want := map[uint64]int{}
	next := uint64(1)
	for step := range 200_000 {
		var id uint64
		switch r := rng.IntN(10); {
		case r < 5:
			id = next
			next++
		case r < 8 && next > 1:
			id = next - 1 - uint64(rng.IntN(int(min(next-1, 64))))
		default:
			id = uint64(rng.IntN(int(next)))
		}
		switch op := rng.IntN(3); op {
		case 0, 1:
			_, had := want[id]
			if fresh := m.Put(id, step); fresh == had {
				t.Fatalf("step %d: Put(%d) new = %v, want %v", step, id, fresh, !had)
			}
			want[id] = step
		case 2:
			w, had := want[id]
			v, ok := m.Delete(id)
			if ok != had || v != w {
				t.Fatalf("step %d: Delete(%d) = %d, %v; want %d, %v", step, id, v, ok, w, had)
			}
			delete(want, id)
		}
		w, had := want[id]
		if v, ok := m.Get(id); ok != had || v != w {
			t.Fatalf("step %d: Get(%d) = %d, %v; want %d, %v", step, id, v, ok, w, had)
		}
		if m.Len() != len(want) {
			t.Fatalf("step %d: Len = %d, want %d", step, m.Len(), len(want))
		}
	}
	if got := maps.Collect(m.All()); !maps.Equal(got, want) {
		t.Fatalf("All yields %d ids, want %d (or different values)", len(got), len(want))
	}
}

func TestMapZeroValuesAndClear(t *testing.T) {
	var m idmap.Map[*int]
	if _, ok := m.Get(7); ok {
		t.Fatal("Get on the zero Map found an id")
	}
	if _, ok := m.Delete(7); ok {
		t.Fatal("Delete on the zero Map found an id")
	}
	m.Put(0, nil) // a zero value is still present
	if v, ok := m.Get(0); !ok || v != nil {
		t.Fatalf("Get(0) = %v, %v; want nil, true", v, ok)
	}
	for id := range uint64(100) {
		m.Put(id, new(int))
	}
	m.Clear()
	if m.Len() != 0 || len(maps.Collect(m.All())) != 0 {
		t.Fatalf("after Clear: Len %d", m.Len())
	}
	if _, ok := m.Get(5); ok {
		t.Fatal("Get found an id after Clear")
	}
	if !m.Put(5, nil) {
		t.Fatal("Put after Clear: not new")
	}
}

// TestMapAllWithDeletes deletes every other id from inside the loop: the
// deleted ids that come later are not yielded, and the loop sees each
// remaining id once.
func TestMapAllWithDeletes(t *testing.T) {
	var m idmap.Map[uint64]
	for id := range uint64(1000) {
		m.Put(id, id*2)
	}
	seen := map[uint64]bool{}
	for id, v := range m.All() {
		if v != id*2 || seen[id] {
			t.Fatalf("yielded %d -> %d (seen before: %v)", id, v, seen[id])
		}
		seen[id] = true
		m.Delete(id ^ 1)
	}
	if len(seen) != 500 || m.Len() != 500 {
		t.Fatalf("yielded %d ids, %d left; want 500, 500", len(seen), m.Len())
	}
	var stopped int
	for range m.All() {
		stopped++
		break
	}
	if stopped != 1 {
		t.Fatalf("break yielded %d ids, want 1", stopped)
	}
}

func TestSetMatchesGoMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var s idmap.Set
	want := map[uint64]bool{}
	for step := range 200_000 {
		id := uint64(rng.IntN(5000))
		if rng.IntN(2) == 0 {
			if fresh := s.Add(id); fresh == want[id] {
				t.Fatalf("step %d: Add(%d) new = %v", step, id, fresh)
			}
			want[id] = true
		} else {
			if had := s.Remove(id); had != want[id] {
				t.Fatalf("step %d: Remove(%d) = %v", step, id, had)
			}
			delete(want, id)
		}
		if s.Has(id) != want[id] || s.Len() != len(want) {
			t.Fatalf("step %d: Has(%d) = %v, Len %d; want %v, %d", step, id, s.Has(id), s.Len(), want[id], len(want))
		}
	}
	got := slices.Sorted(s.All())
	if !slices.Equal(got, slices.Sorted(maps.Keys(want))) {
		t.Fatalf("All yields %d ids, want %d", len(got), len(want))
	}
	s.Clear()
	if s.Len() != 0 || s.Has(got[0]) {
		t.Fatal("ids left after Clear")
	}
}

func TestSetAllWithRemoves(t *testing.T) {
	var s idmap.Set
	for id := range uint64(1000) {
		s.Add(id)
	}
	n := 0
	for id := range s.All() {
		n++
		s.Remove(id ^ 1)
	}
	if n != 500 || s.Len() != 500 {
		t.Fatalf("yielded %d ids, %d left; want 500, 500", n, s.Len())
	}
}

// TestMapReplacementAllocatesNothing: an id deleted and followed by the
// next id (a process replaced by its restart) reuses the emptied chunk,
// across chunk boundaries too, and the map stays exact.
func TestMapReplacementAllocatesNothing(t *testing.T) {
	var m idmap.Map[*int]
	v := new(int)
	id := uint64(1)
	m.Put(id, v)
	allocs := testing.AllocsPerRun(1000, func() {
		m.Delete(id)
		id++
		m.Put(id, v)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per replacement; want 0", allocs)
	}
	if m.Len() != 1 {
		t.Fatalf("Len = %d; want 1", m.Len())
	}
	if _, ok := m.Get(id - 1); ok {
		t.Fatal("the deleted id is still there")
	}
	if got, ok := m.Get(id); !ok || got != v {
		t.Fatal("the last id is missing")
	}
	n := 0
	for range m.All() {
		n++
	}
	if n != 1 {
		t.Fatalf("All yields %d ids; want 1", n)
	}
}
