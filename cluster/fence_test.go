package cluster_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
)

// TestFenceReadsLeader checks Fence's order (a lower token is stale, an
// equal or higher one accepted) and that it reads the highest accepted
// token from the fences bucket stream's leader: on a replicated bucket a
// direct get may be answered by a replica that has not applied the
// latest acceptance yet, and Fence accepts a token equal to what it
// reads without writing, so a stale read would accept a token already
// superseded. The bucket is replicated on three nodes' servers.
func TestFenceReadsLeader(t *testing.T) {
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
	if err := n.Fence(ctx, "warmup", 1); err != nil { // opens the bucket
		t.Fatal(err)
	}
	gets, err := natsengine.CountGets(eng.Conn(), cluster.FencesBucket)
	if err != nil {
		t.Fatal(err)
	}
	defer gets.Stop()
	for _, c := range []struct {
		token uint64
		stale bool
	}{{5, false}, {5, false}, {4, true}, {7, false}, {5, true}, {7, false}} {
		err := n.Fence(ctx, "r", c.token)
		if c.stale != errors.Is(err, cluster.ErrStaleToken) || !c.stale && err != nil {
			t.Fatalf("Fence(r, %d) = %v, want stale %v", c.token, err, c.stale)
		}
	}
	if direct, leader := gets.Counts(); direct != 0 || leader < 6 {
		t.Fatalf("Fence made %d direct and %d leader gets, want none and one per call at least", direct, leader)
	}
}
