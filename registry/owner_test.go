package registry_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
)

// TestOwnerKeysAcrossChunks: a process's keys are kept in chunks; keys
// removed from any chunk, and keys added after removals, are what Keys
// reports, and the exit removes every one left.
func TestOwnerKeysAcrossChunks(t *testing.T) {
	for _, kind := range []registry.Keys{registry.Unique, registry.Duplicate} {
		t.Run(kind.String(), func(t *testing.T) {
			node := otptest.NewNode(t)
			r := newRegistry(t, node, registry.WithKeys(kind))
			owner := otptest.SpawnIdle(t, node)
			want := map[string]bool{}
			for i := range 300 {
				k := fmt.Sprint("k", i)
				if err := r.Register(owner, k, i); err != nil {
					t.Fatal(err)
				}
				want[k] = true
			}
			for i := 0; i < 300; i += 3 { // from every chunk, the first ones too
				k := fmt.Sprint("k", i)
				r.Unregister(owner, k)
				delete(want, k)
			}
			for i := 300; i < 350; i++ {
				k := fmt.Sprint("k", i)
				if err := r.Register(owner, k, i); err != nil {
					t.Fatal(err)
				}
				want[k] = true
			}
			var got []string
			for _, k := range r.Keys(owner) {
				got = append(got, k.(string))
			}
			slices.Sort(got)
			var wantKeys []string
			for k := range want {
				wantKeys = append(wantKeys, k)
			}
			slices.Sort(wantKeys)
			if !slices.Equal(got, wantKeys) {
				t.Fatalf("Keys = %d keys, want %d: %v", len(got), len(wantKeys), got)
			}
			if c := r.Count(); c != len(want) {
				t.Fatalf("Count = %d, want %d", c, len(want))
			}
			kill(t, node, owner, process.Kill)
			if c := r.Count(); c != 0 {
				t.Fatalf("Count after the owner's exit = %d, want 0", c)
			}
		})
	}
}

// TestSharedBareEntry: a process's registrations without a value share
// one entry, which an update of one of them leaves alone.
func TestSharedBareEntry(t *testing.T) {
	node := otptest.NewNode(t)
	r := newRegistry(t, node)
	pid := otptest.SpawnIdle(t, node)
	for _, k := range []string{"a", "b"} {
		if err := r.Register(pid, k, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Register(pid, "c", 2); err != nil {
		t.Fatal(err)
	}
	if err := r.UpdateValue(pid, "a", func(any) any { return 1 }); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"a": 1, "b": nil, "c": 2}
	for k, v := range want {
		got := r.Lookup(k)
		if len(got) != 1 || got[0].PID != pid || got[0].Value != v {
			t.Errorf("Lookup(%q) = %v, want [{%v %v}]", k, got, pid, v)
		}
	}
}
