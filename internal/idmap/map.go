package idmap

import (
	"iter"
	"math/bits"
)

const (
	chunkBits = 4
	chunkSize = 1 << chunkBits
	chunkMask = chunkSize - 1
)

// chunk holds the values of 16 consecutive ids; used has a bit per id.
type chunk[V any] struct {
	vals [chunkSize]V
	used uint16
}

// Map maps ids to values of type V. The zero Map is empty and ready to
// use.
type Map[V any] struct {
	chunks map[uint64]*chunk[V]
	hot    *chunk[V] // the chunk of the last Put
	hotKey uint64
	n      int
}

// Len returns the number of ids in m.
func (m *Map[V]) Len() int { return m.n }

// find returns the chunk for key, or nil. It only reads m, so readers
// holding a shared lock may call it together.
func (m *Map[V]) find(key uint64) *chunk[V] {
	if m.hot != nil && m.hotKey == key {
		return m.hot
	}
	return m.chunks[key]
}

// Get returns id's value and whether id is in m.
func (m *Map[V]) Get(id uint64) (V, bool) {
	c := m.find(id >> chunkBits)
	if c == nil || c.used&(1<<(id&chunkMask)) == 0 {
		var zero V
		return zero, false
	}
	return c.vals[id&chunkMask], true
}

// Put sets id's value to v and reports whether id was new.
func (m *Map[V]) Put(id uint64, v V) bool {
	key := id >> chunkBits
	c := m.find(key)
	if c == nil {
		if m.chunks == nil {
			m.chunks = make(map[uint64]*chunk[V])
		}
		if h := m.hot; h != nil && h.used == 0 {
			// The last Put's chunk was emptied since: move it here
			// rather than allocate another.
			delete(m.chunks, m.hotKey)
			c = h
		} else {
			c = new(chunk[V])
		}
		m.chunks[key] = c
	} else if h := m.hot; h != c && h != nil && h.used == 0 {
		delete(m.chunks, m.hotKey) // the emptied chunk kept for a Put is not wanted
	}
	m.hot, m.hotKey = c, key
	i := id & chunkMask
	c.vals[i] = v
	bit := uint16(1) << i
	if c.used&bit != 0 {
		return false
	}
	c.used |= bit
	m.n++
	return true
}

// Delete removes id and returns the value it had, and whether it was in m.
func (m *Map[V]) Delete(id uint64) (V, bool) {
	var zero V
	key := id >> chunkBits
	c := m.find(key)
	i := id & chunkMask
	bit := uint16(1) << i
	if c == nil || c.used&bit == 0 {
		return zero, false
	}
	v := c.vals[i]
	c.vals[i] = zero // let it be collected
	c.used &^= bit
	m.n--
	if c.used == 0 && c != m.hot {
		delete(m.chunks, key)
	}
	return v, true
}

// All yields every id and its value, in no particular order. As with a
// Go map, the loop body may delete ids; an id put during the loop may or
// may not be yielded.
func (m *Map[V]) All() iter.Seq2[uint64, V] {
	return func(yield func(uint64, V) bool) {
		for key, c := range m.chunks {
			for left := c.used; left != 0; left &= left - 1 {
				i := uint64(bits.TrailingZeros16(left))
				if c.used&(1<<i) == 0 {
					continue // deleted by the loop body
				}
				if !yield(key<<chunkBits|i, c.vals[i]) {
					return
				}
			}
		}
	}
}

// Clear removes every id.
func (m *Map[V]) Clear() {
	clear(m.chunks)
	m.hot, m.n = nil, 0
}
