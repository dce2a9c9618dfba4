package metricmap

// NamesMinSweep is namesMinSweep, for tests.
const NamesMinSweep = namesMinSweep

// Len returns the number of entries of n's table (paths and cached
// names), for tests.
func (n *Names) Len() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.parents) + len(n.cache)
}
