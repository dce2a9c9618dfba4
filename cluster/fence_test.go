package cluster_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
)

// TestFenceWritesEveryAcceptance checks Fence's order (a lower token is
// stale, an equal or higher one accepted) and that every acceptance is a
// compare-and-set write the bucket's leader took: on a replicated bucket
// a read may be answered by a replica that has not applied the latest
// acceptance yet, so accepting a token equal to what was read, without
// writing, could accept a token already superseded. The revision, read
// from the leader, moves on each accepted token, an equal one included,
// and never on a stale one. The bucket is replicated on three nodes'
// servers.
func TestFenceWritesEveryAcceptance(t *testing.T) {
	n := startLocal(t, "f-a", cluster.Config{})
	startChild(t, "f-b", []string{n.RouteURL()})
	startChild(t, "f-c", []string{n.RouteURL()})
	awaitUp(t, n, "f-b", "f-c")
	awaitJetStream(t, n, "f-a", "f-b", "f-c") // the bucket has three replicas
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	eng, err := natsengine.ForNode(ctx, n.Process())
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Fence(ctx, "r", 1); err != nil { // opens the bucket
		t.Fatal(err)
	}
	revision := func() uint64 {
		t.Helper()
		e, err := natsengine.LeaderGet(ctx, eng.JetStream(), cluster.FencesBucket, "r")
		if err != nil {
			t.Fatalf("LeaderGet(r): %v", err)
		}
		return e.Revision()
	}
	last := revision()
	for _, c := range []struct {
		token uint64
		stale bool
	}{{5, false}, {5, false}, {4, true}, {7, false}, {5, true}, {7, false}} {
		err := n.Fence(ctx, "r", c.token)
		if c.stale != errors.Is(err, cluster.ErrStaleToken) || !c.stale && err != nil {
			t.Fatalf("Fence(r, %d) = %v, want stale %v", c.token, err, c.stale)
		}
		rev := revision()
		if moved := rev != last; moved == c.stale {
			t.Fatalf("Fence(r, %d): revision %d -> %d; an accepted token must be written, a stale one not", c.token, last, rev)
		}
		last = rev
	}
}
