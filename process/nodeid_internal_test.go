package process

import (
	"errors"
	"sync"
	"testing"
)

// A node numbered by the cluster (rt.NodeID) and the nodes numbered in
// sequence never share a number: a later NewNode skips the numbers taken.
func TestNodeIDsNeverCollide(t *testing.T) {
	next := nodeSeq.Load() + 1
	var chosen []*Node
	for id := next; id < next+3; id++ {
		n, err := NewNode(bridge{}.NodeID(id))
		if err != nil {
			t.Fatalf("NewNode(NodeID(%d)): %v", id, err)
		}
		chosen = append(chosen, n)
	}
	seen := map[uint32]bool{}
	for _, n := range chosen {
		seen[n.ID()] = true
	}
	for range 5 {
		n, err := NewNode()
		if err != nil {
			t.Fatal(err)
		}
		if seen[n.ID()] {
			t.Fatalf("NewNode gave number %d, already a running node's", n.ID())
		}
		if lookupNode(n.ID()) != n {
			t.Fatalf("node %d does not find itself", n.ID())
		}
		seen[n.ID()] = true
		chosen = append(chosen, n)
	}
	for _, n := range chosen {
		_ = n.Stop(t.Context())
	}
}

// Of several NewNode asking for the same number at once, exactly one gets
// it; the others fail with an error matching ErrInvalidOption.
func TestNodeIDClaimedOnce(t *testing.T) {
	const id = 1<<31 - 12345
	const tries = 8
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		made  []*Node
		fails int
	)
	start := make(chan struct{})
	for range tries {
		wg.Go(func() {
			<-start
			n, err := NewNode(bridge{}.NodeID(id))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				made = append(made, n)
			case errors.Is(err, ErrInvalidOption) && errors.Is(err, ErrInvalidArgument):
				fails++
			default:
				t.Errorf("NewNode: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if len(made) != 1 || fails != tries-1 {
		t.Errorf("%d nodes numbered %d, %d refused; want 1 and %d", len(made), id, fails, tries-1)
	}
	for _, n := range made {
		_ = n.Stop(t.Context())
	}
}
