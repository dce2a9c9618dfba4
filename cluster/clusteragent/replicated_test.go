package clusteragent_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/agent/kvstore"
	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/coord"
	"github.com/seed-fe72f376/orchard/coord/kvcoord"
	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/deadletter/jsstore"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
	"github.com/seed-fe72f376/orchard/otptest"
)

// replicasOf returns the replica count of bucket in n's JetStream.
func replicasOf(t *testing.T, n *cluster.Node, bucket string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	eng, err := natsengine.ForNode(ctx, n.Process())
	if err != nil {
		t.Fatal(err)
	}
	kv, err := eng.JetStream().KeyValue(ctx, bucket)
	if err != nil {
		t.Fatalf("bucket %s: %v", bucket, err)
	}
	st, err := kv.Status(ctx)
	if err != nil {
		t.Fatalf("bucket %s: %v", bucket, err)
	}
	return st.(*jetstream.KeyValueBucketStatus).StreamInfo().Config.Replicas
}

// TestCoordinationAcrossNodes runs kvcoord, jsstore and kvstore
// unchanged on a three-node cluster (this process "b", OS processes
// "a" and "c"): their buckets follow the cluster to three replicas; a
// lock held and an election led by a process of a, which is killed
// (SIGKILL), pass to b's waiting holder and candidate after the lease,
// with larger fencing tokens; the dead letters and snapshots stay
// readable and writable without a.
func TestCoordinationAcrossNodes(t *testing.T) {
	b := startLocal(t, "b", 0)
	a := startChild(t, "a", []string{b.RouteURL()})
	startChild(t, "c", []string{b.RouteURL()})
	awaitUp(t, b, "a", "b", "c")
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	if got := b.Replicas(); got != 3 {
		t.Fatalf("Replicas = %d with three nodes up; want 3", got)
	}

	var co *coord.Coordinator
	otptest.Eventually(t, 30*time.Second, func() bool {
		if co == nil {
			sctx, scancel := context.WithTimeout(ctx, 5*time.Second)
			co, _ = startCoord(sctx, b)
			scancel()
		}
		ok, err := ask[bool](b, "a", "coord")
		return co != nil && err == nil && ok
	}, "coordinators started")
	if co == nil {
		t.FailNow()
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = co.Stop(ctx)
	})
	if r := replicasOf(t, b, kvcoord.BucketName(coordLease)); r != 3 {
		t.Errorf("kvcoord bucket has %d replicas; want 3", r)
	}
	letters, err := jsstore.OpenNodeStore(ctx, b.Process(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer letters.Close()
	if r := replicasOf(t, b, jsstore.DefaultBucket); r != 3 {
		t.Errorf("dead letter bucket has %d replicas; want 3", r)
	}
	snaps, err := kvstore.OpenNodeStore(ctx, b.Process(), "")
	if err != nil {
		t.Fatal(err)
	}
	if r := replicasOf(t, b, kvstore.DefaultBucket); r != 3 {
		t.Errorf("snapshot bucket has %d replicas; want 3", r)
	}

	// a bucket made with one replica grows to the cluster's count, and
	// never shrinks
	if _, err := kvstore.OpenNodeStore(ctx, b.Process(), "scaled", kvstore.WithReplicas(1)); err != nil {
		t.Fatal(err)
	}
	if r := replicasOf(t, b, "scaled"); r != 1 {
		t.Errorf("WithReplicas(1): %d replicas", r)
	}
	for _, opts := range [][]kvstore.Option{nil, {kvstore.WithReplicas(1)}} {
		if _, err := kvstore.OpenNodeStore(ctx, b.Process(), "scaled", opts...); err != nil {
			t.Fatal(err)
		}
		if r := replicasOf(t, b, "scaled"); r != 3 {
			t.Errorf("reopened (%d options): %d replicas; want 3", len(opts), r)
		}
	}
	eng, err := natsengine.ForNode(ctx, b.Process())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kvcoord.Open(ctx, eng.JetStream(), "coordscaled", coordLease, kvcoord.WithReplicas(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := kvcoord.Open(ctx, eng.JetStream(), "coordscaled", coordLease, kvcoord.WithReplicas(3)); err != nil {
		t.Fatal(err)
	}
	if r := replicasOf(t, b, "coordscaled"); r != 3 {
		t.Errorf("kvcoord bucket scaled to %d replicas; want 3", r)
	}
	// a bucket the user made keeps its own configuration when a store
	// scales it up
	if _, err := eng.JetStream().CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "userscaled", History: 7, Description: "mine"}); err != nil {
		t.Fatal(err)
	}
	if _, err := kvstore.OpenNodeStore(ctx, b.Process(), "userscaled"); err != nil {
		t.Fatal(err)
	}
	if r := replicasOf(t, b, "userscaled"); r != 3 {
		t.Errorf("user bucket scaled to %d replicas; want 3", r)
	}
	if kv, err := eng.JetStream().KeyValue(ctx, "userscaled"); err != nil {
		t.Fatal(err)
	} else if st, err := kv.Status(ctx); err != nil {
		t.Fatal(err)
	} else if st.History() != 7 || st.(*jetstream.KeyValueBucketStatus).Config().Description != "mine" {
		t.Errorf("user bucket after scaling: history %d, description %q; want 7 and \"mine\" kept", st.History(), st.(*jetstream.KeyValueBucketStatus).Config().Description)
	}

	tokA, err := ask[uint64](b, "a", "lock:L")
	if err != nil || tokA == 0 {
		t.Fatalf("lock on a = %d, %v", tokA, err)
	}
	if _, err := ask[bool](b, "a", "elect:E"); err != nil {
		t.Fatalf("campaign on a: %v", err)
	}
	holder := otptest.NewProbe(t, b.Process())
	if _, err := co.TryLock(ctx, "L", coord.WithHolder(holder.PID()), coord.WithLease(coordLease)); !errors.Is(err, coord.ErrHeld) {
		t.Fatalf("TryLock on b while a holds L = %v; want ErrHeld", err)
	}
	otptest.Eventually(t, 10*time.Second, func() bool {
		l, err := co.Leader(ctx, "E")
		return err == nil && l.Token > 0 && l.Leader.IsZero() // led by a's candidate
	}, "E led from a")
	candidate := otptest.NewProbe(t, b.Process())
	if err := co.Campaign(ctx, "E", coord.WithHolder(candidate.PID()), coord.WithLease(coordLease)); err != nil {
		t.Fatal(err)
	}

	a.kill(t)
	killed := time.Now()
	lctx, lcancel := context.WithTimeout(ctx, 30*time.Second)
	defer lcancel()
	l, err := co.Lock(lctx, "L", coord.WithHolder(holder.PID()), coord.WithLease(coordLease))
	if err != nil {
		t.Fatalf("Lock on b after a was killed: %v", err)
	}
	if l.Token <= tokA {
		t.Errorf("token after takeover %d; want above a's %d", l.Token, tokA)
	}
	t.Logf("lock of a killed node taken over after %v (lease %v)", time.Since(killed).Round(time.Millisecond), coordLease)
	otptest.Eventually(t, 30*time.Second, func() bool {
		ld, err := co.Leader(ctx, "E")
		return err == nil && ld.Leader == candidate.PID()
	}, "b's candidate leads E after a was killed")

	pctx, pcancel := context.WithTimeout(ctx, 30*time.Second)
	defer pcancel()
	if err := retry(pctx, func(ctx context.Context) error {
		return letters.Put(ctx, deadletter.Entry{ID: "e1", Reason: "test"})
	}); err != nil {
		t.Fatalf("dead letter Put without a: %v", err)
	}
	// A read may be served by a replica that has not caught up yet
	// (JetStream's direct get): it sees the entry within a moment.
	otptest.Eventually(t, 10*time.Second, func() bool {
		e, err := letters.Get(pctx, "e1")
		return err == nil && e.Reason == "test"
	}, "dead letter readable without a")
	if err := retry(pctx, func(ctx context.Context) error { return snaps.Delete(ctx, "nobody") }); err != nil {
		t.Errorf("snapshot store without a: %v", err)
	}
}

// retry calls op until it succeeds or ctx ends, each call bounded by
// 2 s: JetStream elects new stream leaders after the loss of a server.
func retry(ctx context.Context, op func(context.Context) error) error {
	for {
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := op(actx)
		cancel()
		if err == nil || ctx.Err() != nil {
			return err
		}
	}
}
