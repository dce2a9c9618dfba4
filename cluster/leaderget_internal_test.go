package cluster

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/otptest"
)

// TestLeaderGet: the leader's read of a KV key returns its value and
// revision as the KV's own read does, and a missing or deleted key as
// jetstream.ErrKeyNotFound.
func TestLeaderGet(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := func(name string, routes ...string) *Node {
		n, err := Start(ctx, Config{Name: name, Dir: t.TempDir(), Routes: routes})
		if err != nil {
			t.Fatalf("Start(%s): %v", name, err)
		}
		t.Cleanup(func() {
			sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer scancel()
			_ = n.Stop(sctx)
		})
		return n
	}
	a := start("lg-a")
	start("lg-b", a.RouteURL())
	var kv jetstream.KeyValue
	otptest.Eventually(t, 30*time.Second, func() bool {
		actx, acancel := context.WithTimeout(ctx, 2*time.Second)
		defer acancel()
		var err error
		kv, err = a.fencesKV(actx)
		return err == nil
	}, "the fences bucket opens")
	rev, err := kv.Put(ctx, "lg", []byte("42"))
	if err != nil {
		t.Fatal(err)
	}
	val, got, err := a.leaderGet(ctx, FencesBucket, "lg")
	if err != nil || string(val) != "42" || got != rev {
		t.Fatalf("leaderGet = %q, %d, %v; want %q, %d", val, got, err, "42", rev)
	}
	if _, _, err := a.leaderGet(ctx, FencesBucket, "missing"); !errors.Is(err, jetstream.ErrKeyNotFound) {
		t.Errorf("leaderGet(missing) = %v; want ErrKeyNotFound", err)
	}
	if err := kv.Delete(ctx, "lg"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.leaderGet(ctx, FencesBucket, "lg"); !errors.Is(err, jetstream.ErrKeyNotFound) {
		t.Errorf("leaderGet(deleted) = %v; want ErrKeyNotFound", err)
	}
}
