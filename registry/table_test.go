package registry

import (
	"hash/maphash"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
)

// TestTableMatchesAMap drives a table and a map with the same random
// stores and deletes over a small key space (so tombstones, reuse and
// rehashes all happen) and checks they agree after every step.
func TestTableMatchesAMap(t *testing.T) {
	var tb table
	tb.init()
	seed := maphash.MakeSeed()
	want := map[int]int{}
	rng := rand.New(rand.NewPCG(1, 2))
	for step := range 200_000 {
		k := rng.IntN(500)
		h, _ := hashKey(seed, k)
		if rng.IntN(3) == 0 {
			tb.delete(h, k)
			delete(want, k)
		} else {
			tb.store(h, &record{key: k, entry: [1]Entry{{Value: step}}})
			want[k] = step
		}
		probe := rng.IntN(500)
		ph, _ := hashKey(seed, probe)
		rec := tb.load(ph, probe)
		v, ok := want[probe]
		if (rec != nil) != ok || (ok && rec.entry[0].Value != v) {
			t.Fatalf("step %d: load(%d) = %v, want %v (present %t)", step, probe, rec, v, ok)
		}
	}
	a := tb.cur.Load()
	if a.live != len(want) {
		t.Fatalf("live = %d, want %d", a.live, len(want))
	}
	if len(a.slots) > 4096 {
		t.Fatalf("%d slots for at most 500 keys: tombstones are not reclaimed", len(a.slots))
	}
}

// TestTableReadsDuringWrites: readers never miss a key that stays present
// while a writer adds and removes others and grows the table.
func TestTableReadsDuringWrites(t *testing.T) {
	var tb table
	tb.init()
	seed := maphash.MakeSeed()
	const stable = 100
	for k := range stable {
		h, _ := hashKey(seed, k)
		tb.store(h, &record{key: k})
	}
	var done atomic.Bool
	var wg sync.WaitGroup
	var missed atomic.Int64
	for range 2 {
		wg.Go(func() {
			for i := 0; !done.Load(); i++ {
				k := i % stable
				h, _ := hashKey(seed, k)
				if tb.load(h, k) == nil {
					missed.Add(1)
				}
			}
		})
	}
	for i := range 50_000 {
		k := stable + i
		h, _ := hashKey(seed, k)
		tb.store(h, &record{key: k})
		if i%2 == 0 {
			tb.delete(h, k)
		}
	}
	done.Store(true)
	wg.Wait()
	if n := missed.Load(); n != 0 {
		t.Fatalf("readers missed present keys %d times", n)
	}
}
