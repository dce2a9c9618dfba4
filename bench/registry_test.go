package bench_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
)

// ---------------------------------------------------------------------------
// W7 registry: lookups over 100,000 names, and register + cleanup on exit.

const (
	w7Names   = 100_000
	w7Holders = 1_000 // processes holding the names, w7Names/w7Holders each
	w7Readers = 2
	w7PerProc = 100 // registrations per process in W7Register
)

// w7Keys returns the names, boxed once so lookups do not allocate keys.
func w7Keys() []any {
	keys := make([]any, w7Names)
	for i := range keys {
		keys[i] = fmt.Sprintf("name-%d", i)
	}
	return keys
}

// spawnHolder spawns a process that waits until it is killed.
func spawnHolder(b *testing.B, n *process.Node) process.PID {
	pid, err := n.Spawn(func(p *process.Proc) error {
		<-p.Done()
		return nil
	})
	if err != nil {
		b.Fatalf("Spawn: %v", err)
	}
	return pid
}

// runReaders runs b.N lookups split among w7Readers goroutines; lookup
// reports whether it found the key.
func runReaders(b *testing.B, keys []any, lookup func(key any) bool) {
	var wg sync.WaitGroup
	var missed sync.Map
	per := b.N / w7Readers
	b.ResetTimer()
	for r := range w7Readers {
		n := per
		if r == 0 {
			n += b.N % w7Readers
		}
		wg.Go(func() {
			j := r * 7919
			for range n {
				if !lookup(keys[j%w7Names]) {
					missed.Store(keys[j%w7Names], true)
				}
				j += 13
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	missed.Range(func(k, _ any) bool {
		b.Fatalf("lookup of %v missed", k)
		return false
	})
	perSecond(b, "lookups/s")
}

// BenchmarkW7Lookup: lookups from 2 goroutines over 100,000 names held by
// 1,000 processes. orchard: Registry.Lookup (allocates the []Entry it
// returns); orchard-whereis: Registry.WhereIs (what a via-name resolves
// with); rawgo: a sync.Map from name to PID.
func BenchmarkW7Lookup(b *testing.B) {
	keys := w7Keys()
	setup := func(b *testing.B) *registry.Registry {
		n := newNode(b)
		reg, err := registry.New(n)
		if err != nil {
			b.Fatalf("registry.New: %v", err)
		}
		b.Cleanup(func() { _ = reg.Close() })
		var pid process.PID
		for i, k := range keys {
			if i%(w7Names/w7Holders) == 0 {
				pid = spawnHolder(b, n)
			}
			if err := reg.Register(pid, k, nil); err != nil {
				b.Fatalf("Register: %v", err)
			}
		}
		return reg
	}
	family(b, func(b *testing.B) {
		reg := setup(b)
		runReaders(b, keys, func(k any) bool { return len(reg.Lookup(k)) == 1 })
	}, func(b *testing.B) {
		var m sync.Map
		n := newNode(b)
		var pid process.PID
		for i, k := range keys {
			if i%(w7Names/w7Holders) == 0 {
				pid = spawnHolder(b, n)
			}
			m.Store(k, pid)
		}
		runReaders(b, keys, func(k any) bool { _, ok := m.Load(k); return ok })
	}, side{"orchard-whereis", func(b *testing.B) {
		reg := setup(b)
		runReaders(b, keys, func(k any) bool { _, ok := reg.WhereIs(k); return ok })
	}})
}

// BenchmarkW7Register: 2 goroutines each spawn a process, register 100
// distinct names for it, and kill it, until b.N names were registered; the
// timer stops once every name is gone. One op is one registration, and
// its share of the spawn, the exit and the cleanup. orchard: Register,
// with cleanup by the registry's exit hook. rawgo: a goroutine per owner,
// a sync.Map from name to owner, and the owner deleting its names when
// told to exit.
func BenchmarkW7Register(b *testing.B) {
	family(b, func(b *testing.B) {
		n := newNode(b)
		reg, err := registry.New(n)
		if err != nil {
			b.Fatalf("registry.New: %v", err)
		}
		b.Cleanup(func() { _ = reg.Close() })
		runRegisterers(b, func(keys []any) {
			pid := spawnHolder(b, n)
			for _, k := range keys {
				if err := reg.Register(pid, k, nil); err != nil {
					b.Errorf("Register: %v", err)
					return
				}
			}
			_ = n.Exit(pid, process.Kill)
		})
		if c := reg.Count(); c != 0 {
			b.Fatalf("Count after exits = %d; want 0", c)
		}
	}, func(b *testing.B) {
		var m sync.Map
		var owners sync.WaitGroup
		runRegisterers(b, func(keys []any) {
			exit := make(chan struct{})
			var mine []any
			owners.Go(func() {
				<-exit
				for _, k := range mine {
					m.Delete(k)
				}
			})
			for _, k := range keys {
				m.Store(k, exit)
				mine = append(mine, k)
			}
			close(exit)
		})
		owners.Wait()
		m.Range(func(k, _ any) bool {
			b.Fatalf("name %v left", k)
			return false
		})
	})
}

// runRegisterers splits b.N registrations among w7Readers goroutines in
// batches of w7PerProc names; batch registers them for one new owner and
// ends it. For orchard the cleanup is inside the timer: Node.Exit with
// Kill ends the process on the calling goroutine, exit hooks included.
func runRegisterers(b *testing.B, batch func(keys []any)) {
	var wg sync.WaitGroup
	b.ResetTimer()
	for w := range w7Readers {
		n := b.N / w7Readers
		if w == 0 {
			n += b.N % w7Readers
		}
		wg.Go(func() {
			keys := make([]any, 0, w7PerProc)
			next := w << 40
			for n > 0 {
				keys = keys[:0]
				for range min(n, w7PerProc) {
					keys = append(keys, next)
					next++
				}
				n -= len(keys)
				batch(keys)
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	perSecond(b, "registrations/s")
}
