package natsengine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
)

// TestLeaderGet checks that LeaderGet answers as a KV Get does (value,
// revision, not found after a delete or a purge), and that it asks the
// stream's leader (STREAM.MSG.GET), never a direct get, which any
// replica answers.
func TestLeaderGet(t *testing.T) {
	e := startEngine(t, natsengine.Config{Dir: t.TempDir()})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	kv, err := natsengine.OpenKV(ctx, e.JetStream(), "lg", "leader get test")
	if err != nil {
		t.Fatal(err)
	}
	gets, err := natsengine.CountGets(e.Conn(), "lg")
	if err != nil {
		t.Fatal(err)
	}
	defer gets.Stop()

	if _, err := natsengine.LeaderGet(ctx, e.JetStream(), "lg", "k"); !errors.Is(err, jetstream.ErrKeyNotFound) {
		t.Fatalf("LeaderGet of a key never written = %v, want ErrKeyNotFound", err)
	}
	for i, v := range []string{"one", "two"} {
		rev, err := kv.Put(ctx, "k", []byte(v))
		if err != nil {
			t.Fatal(err)
		}
		got, err := natsengine.LeaderGet(ctx, e.JetStream(), "lg", "k")
		if err != nil {
			t.Fatalf("LeaderGet after put %d: %v", i, err)
		}
		if string(got.Value()) != v || got.Revision() != rev || got.Key() != "k" || got.Bucket() != "lg" ||
			got.Operation() != jetstream.KeyValuePut || got.Created().IsZero() {
			t.Fatalf("LeaderGet = %q rev %d key %q bucket %q op %v created %v; want %q rev %d",
				got.Value(), got.Revision(), got.Key(), got.Bucket(), got.Operation(), got.Created(), v, rev)
		}
	}
	if err := kv.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := natsengine.LeaderGet(ctx, e.JetStream(), "lg", "k"); !errors.Is(err, jetstream.ErrKeyNotFound) {
		t.Fatalf("LeaderGet of a deleted key = %v, want ErrKeyNotFound", err)
	}
	if _, err := kv.Put(ctx, "p", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := kv.Purge(ctx, "p"); err != nil {
		t.Fatal(err)
	}
	if _, err := natsengine.LeaderGet(ctx, e.JetStream(), "lg", "p"); !errors.Is(err, jetstream.ErrKeyNotFound) {
		t.Fatalf("LeaderGet of a purged key = %v, want ErrKeyNotFound", err)
	}
	if direct, leader := gets.Counts(); leader != 5 || direct != 0 {
		t.Errorf("%d STREAM.MSG.GET and %d direct get requests, want one leader get per LeaderGet (5) and no direct get", leader, direct)
	}
	if _, err := kv.Get(ctx, "p"); !errors.Is(err, jetstream.ErrKeyNotFound) {
		t.Fatal(err)
	}
	if direct, _ := gets.Counts(); direct != 1 {
		t.Errorf("a KV Get counted as %d direct gets, want 1 (the counter sees direct gets)", direct)
	}

	for _, k := range []string{"", "*", "k.>", ".k", "k..k", "k k"} {
		if _, err := natsengine.LeaderGet(ctx, e.JetStream(), "lg", k); !errors.Is(err, jetstream.ErrInvalidKey) {
			t.Errorf("LeaderGet(%q) = %v, want ErrInvalidKey", k, err)
		}
	}
	//lint:ignore SA1012 a nil context is the bad input under test
	if _, err := natsengine.LeaderGet(nil, e.JetStream(), "lg", "k"); !errors.Is(err, argerr.ErrInvalidArgument) {
		t.Errorf("LeaderGet(nil ctx) = %v, want ErrInvalidArgument", err)
	}
	if _, err := natsengine.LeaderGet(ctx, nil, "lg", "k"); !errors.Is(err, argerr.ErrInvalidArgument) {
		t.Errorf("LeaderGet(nil js) = %v, want ErrInvalidArgument", err)
	}
}
