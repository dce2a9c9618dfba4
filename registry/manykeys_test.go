package registry_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
)

// TestManyKeysOfOneProcessGoAtItsExit: a process holding many keys in
// many partitions (the exit hook buckets them by partition) and a few
// keys (sorted in place) loses every one at its exit, with one
// Unregistered event per registration, and other processes keep theirs.
func TestManyKeysOfOneProcessGoAtItsExit(t *testing.T) {
	for _, kind := range []registry.Keys{registry.Unique, registry.Duplicate} {
		for _, n := range []int{3, 200} {
			t.Run(fmt.Sprintf("%v/%d keys", kind, n), func(t *testing.T) {
				node := otptest.NewNode(t)
				unregistered := 0
				r := newRegistry(t, node, registry.WithKeys(kind), registry.WithPartitions(7),
					registry.WithListener(func(e registry.Event) {
						if e.Op == registry.Unregistered {
							unregistered++
						}
					}))
				owner, bystander := otptest.SpawnIdle(t, node), otptest.SpawnIdle(t, node)
				for i := range n {
					if err := r.Register(owner, fmt.Sprint("k", i), i); err != nil {
						t.Fatal(err)
					}
				}
				if err := r.Register(bystander, "other", nil); err != nil {
					t.Fatal(err)
				}
				kill(t, node, owner, process.Kill)
				if got := r.Count(); got != 1 {
					t.Fatalf("Count after the owner's exit = %d; want 1 (the bystander's)", got)
				}
				for i := range n {
					if es := r.Lookup(fmt.Sprint("k", i)); len(es) != 0 {
						t.Fatalf("k%d still registered: %v", i, es)
					}
				}
				if unregistered != n {
					t.Fatalf("%d Unregistered events; want %d", unregistered, n)
				}
				kill(t, node, bystander, process.Kill)
			})
		}
	}
}

// TestNaNKeyIsRefused: a NaN is never equal to itself, so a registration
// under it could never be found, unregistered or cleaned up.
func TestNaNKeyIsRefused(t *testing.T) {
	node := otptest.NewNode(t)
	r := newRegistry(t, node)
	pid := otptest.SpawnIdle(t, node)
	if err := r.Register(pid, math.NaN(), nil); !errors.Is(err, registry.ErrInvalidKey) {
		t.Fatalf("Register(NaN) = %v; want ErrInvalidKey", err)
	}
	if err := r.Register(pid, 1.5, nil); err != nil {
		t.Fatalf("Register(1.5) = %v; want nil", err)
	}
	if r.Count() != 1 || len(r.Lookup(math.NaN())) != 0 {
		t.Fatalf("Count = %d; want only the 1.5 registration", r.Count())
	}
	kill(t, node, pid, process.Kill)
}
