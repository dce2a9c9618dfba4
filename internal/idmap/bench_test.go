package idmap_test

import (
	"testing"

	"github.com/seed-fe72f376/orchard/internal/idmap"
)

// The benchmarks fill a table with 100,000 ids handed out in order (a
// supervisor's children) and empty it again, against a Go map.

const benchIDs = 100_000

func BenchmarkMapFill(b *testing.B) {
	v := new(int)
	b.Run("idmap", func(b *testing.B) {
		for range b.N {
			var m idmap.Map[*int]
			for id := range uint64(benchIDs) {
				m.Put(id+1, v)
			}
			for id := range uint64(benchIDs) {
				m.Delete(id + 1)
			}
		}
	})
	b.Run("gomap", func(b *testing.B) {
		for range b.N {
			m := map[uint64]*int{}
			for id := range uint64(benchIDs) {
				m[id+1] = v
			}
			for id := range uint64(benchIDs) {
				delete(m, id+1)
			}
		}
	})
}

func BenchmarkSetFill(b *testing.B) {
	b.Run("idmap", func(b *testing.B) {
		for range b.N {
			var s idmap.Set
			for id := range uint64(benchIDs) {
				s.Add(id + 1)
			}
			for id := range uint64(benchIDs) {
				s.Remove(id + 1)
			}
		}
	})
	b.Run("gomap", func(b *testing.B) {
		for range b.N {
			m := map[uint64]struct{}{}
			for id := range uint64(benchIDs) {
				m[id+1] = struct{}{}
			}
			for id := range uint64(benchIDs) {
				delete(m, id+1)
			}
		}
	})
}
