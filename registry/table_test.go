package registry

import (
	"hash/maphash"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
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
			tb.store(h, &record{key: k, entry: &[1]Entry{{Value: step}}})
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
	if n := a.mask + 1; n > 4096 {
		t.Fatalf("%d slots for at most 500 keys: tombstones are not reclaimed", n)
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

// TestSameSlotTag: keys whose hashes share the low 32 bits, the slot
// tag, are told apart where an owner's tag leads to its keys: Keys
// reports each key of a process once, also with two keys of the same tag,
// and a process's exit removes its own keys and leaves another process's
// key of the same tag.
func TestSameSlotTag(t *testing.T) {
	// Integer keys are hashed without a seed (mix), so pairs with the
	// same tag can be searched for; about 2^16 keys find one.
	var pairs [][2]int
	seen := map[uint32]int{}
	for k := 0; len(pairs) < 2; k++ {
		tag := tagOf(mix(uint64(k)))
		if j, ok := seen[tag]; ok && mix(uint64(j)) != mix(uint64(k)) {
			pairs = append(pairs, [2]int{j, k})
			delete(seen, tag)
			continue
		}
		seen[tag] = k
	}
	node := otptest.NewNode(t)
	r, err := New(node, WithPartitions(1))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	first, second := otptest.SpawnIdle(t, node), otptest.SpawnIdle(t, node)
	mine := []any{pairs[0][0], pairs[0][1], pairs[1][0]}
	other := pairs[1][1]
	for _, k := range mine {
		if err := r.Register(first, k, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Register(second, other, nil); err != nil {
		t.Fatal(err)
	}
	byValue := func(x, y any) int { return x.(int) - y.(int) }
	keys := r.Keys(first)
	slices.SortFunc(keys, byValue)
	slices.SortFunc(mine, byValue)
	if !slices.Equal(keys, mine) {
		t.Fatalf("Keys(first) = %v, want %v", keys, mine)
	}
	if keys := r.Keys(second); !slices.Equal(keys, []any{other}) {
		t.Fatalf("Keys(second) = %v, want [%d]", keys, other)
	}
	target, err := rt.LookupOn(node, first)
	if err != nil {
		t.Fatal(err)
	}
	if err := node.Exit(first, process.Kill); err != nil {
		t.Fatal(err)
	}
	<-target.Done()
	if pid, ok := r.WhereIs(other); !ok || pid != second {
		t.Fatalf("WhereIs(%d) = %v, %v after the exit of the owner of a key of the same tag; want %v", other, pid, ok, second)
	}
	if n := r.Count(); n != 1 {
		t.Fatalf("Count = %d after the first process's exit, want 1", n)
	}
}
