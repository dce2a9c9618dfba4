package coord_test

import (
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/coord"
	"github.com/seed-fe72f376/orchard/coord/kvcoord"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
)

// TestKVHolderReadsLeader checks that the JetStream backend's Holder,
// which tells who holds a lock, reads the key from the bucket stream's
// leader: a direct get may be answered by a replica of a replicated
// bucket that has not applied the latest acquire or release yet.
func TestKVHolderReadsLeader(t *testing.T) {
	js := startEngine(t)
	ctx := bg(t)
	b, err := kvcoord.Open(ctx, js, "", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	gets, err := natsengine.CountGets(js.Conn(), kvcoord.BucketName(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer gets.Stop()
	l, err := b.Acquire(ctx, "k", "me", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	h, err := b.Holder(ctx, "k")
	if err != nil || h.Owner != "me" || h.Token != l.Token || h.Revision != l.Revision {
		t.Fatalf("Holder = %+v, %v; want the lease %+v", h, err, l)
	}
	if err := b.Release(ctx, l); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Holder(ctx, "k"); !errors.Is(err, coord.ErrNotHeld) {
		t.Fatalf("Holder after Release = %v, want ErrNotHeld", err)
	}
	if direct, leader := gets.Counts(); direct != 0 || leader != 2 {
		t.Fatalf("Holder made %d direct and %d leader gets, want 0 and 2", direct, leader)
	}
}
