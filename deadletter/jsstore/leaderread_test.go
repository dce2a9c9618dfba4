package jsstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/deadletter/jsstore"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
)

// TestGetReadsLeader checks that Get reads an entry from the bucket
// stream's leader: a direct get may be answered by a replica of a
// replicated bucket that has not applied the latest Put or Delete yet,
// and the queue's re-read before it counts a failed retry would then
// bring back an entry purged meanwhile.
func TestGetReadsLeader(t *testing.T) {
	s := openDir(t, t.TempDir(), jsstore.DirConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	gets, err := natsengine.CountGets(s.JetStream().Conn(), jsstore.DefaultBucket)
	if err != nil {
		t.Fatal(err)
	}
	defer gets.Stop()
	if err := s.Put(ctx, deadletter.Entry{ID: "e1", Attempts: 2}); err != nil {
		t.Fatal(err)
	}
	if e, err := s.Get(ctx, "e1"); err != nil || e.ID != "e1" || e.Attempts != 2 {
		t.Fatalf("Get = %+v, %v", e, err)
	}
	if err := s.Delete(ctx, "e1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "e1"); !errors.Is(err, deadletter.ErrNotFound) {
		t.Fatalf("Get after Delete = %v, want ErrNotFound", err)
	}
	if direct, leader := gets.Counts(); direct != 0 || leader != 2 {
		t.Fatalf("Get made %d direct and %d leader gets, want 0 and 2", direct, leader)
	}
}
