package idmap_test

import (
	"fmt"

	"github.com/seed-fe72f376/orchard/internal/idmap"
)

func ExampleMap() {
	var m idmap.Map[string]
	for id := uint64(1); id <= 3; id++ {
		m.Put(id, fmt.Sprint("process ", id))
	}
	m.Delete(2)
	v, ok := m.Get(3)
	fmt.Println(v, ok, m.Len())
	_, ok = m.Get(2)
	fmt.Println(ok)
	// Output:
	// process 3 true 2
	// false
}

func ExampleSet() {
	var s idmap.Set
	s.Add(10)
	s.Add(11)
	fmt.Println(s.Add(10), s.Has(11), s.Remove(11), s.Has(11), s.Len())
	// Output: false true true false 1
}
