package genserver_test

import (
	"context"
	"testing"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
)

// keeper replies to every call and keeps the From of the first one, so a
// test can reply through it again after that call is over.
type keeper struct {
	first *genserver.From
}

func (k *keeper) Init(*genserver.Self) error { return nil }

func (k *keeper) HandleCall(_ *genserver.Self, from genserver.From, req any) (any, error) {
	switch req {
	case "stale":
		genserver.Reply(*k.first, "stale reply")
		return "fresh reply", nil
	}
	if k.first == nil {
		k.first = &from
	}
	return req, nil
}

// TestStaleFromAfterReuse: call records are reused after a call got its
// reply. A server that replies again through a From it kept from an earlier
// call must not answer a later call that reuses the record.
func TestStaleFromAfterReuse(t *testing.T) {
	node := otptest.NewNode(t)
	pid, err := genserver.Start(node, &keeper{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 100 {
		if got, err := genserver.Call[int](ctx, pid, i); err != nil || got != i {
			t.Fatalf("Call(%d) = %v, %v; want %d", i, got, err, i)
		}
		got, err := genserver.Call[string](ctx, pid, "stale")
		if err != nil || got != "fresh reply" {
			t.Fatalf("Call(stale) = %q, %v; want the fresh reply", got, err)
		}
	}
}
