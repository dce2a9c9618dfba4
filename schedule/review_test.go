package schedule_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/schedule"
)

// TestDefaultDeliveryToDeadPIDFails: with no Deliverer, an After to a
// process that has died is a reported failure matching process.NoProc,
// not a silent drop.
func TestDefaultDeliveryToDeadPIDFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		rec := newRecorder(t)
		f := newFailures()
		s := start(t, node, rec, f.option())
		dead, err := node.Spawn(func(*process.Proc) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait() // the process has ended
		id, err := s.After(ctx, time.Second, dead, "lost", schedule.WithoutOwner())
		if err != nil {
			t.Fatal(err)
		}
		<-f.note
		fs := f.get()
		if len(fs) != 1 || fs[0].ID != id || !fs[0].Last || !errors.Is(fs[0].Reason, process.NoProc) {
			t.Fatalf("failures = %+v; want one last failure matching NoProc", fs)
		}
		if ev := rec.of(schedule.EventDeliveryFailed); len(ev) != 1 {
			t.Errorf("delivery_failed events = %d; want 1", len(ev))
		}
	})
}

// TestDefaultDeliveryToLivePIDArrives: the liveness check does not get
// in the way of a normal delivery.
func TestDefaultDeliveryToLivePIDArrives(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		f := newFailures()
		s := start(t, node, nil, f.option())
		sk := newSink(t, node)
		if _, err := s.After(ctx, time.Second, sk.pid, "hi"); err != nil {
			t.Fatal(err)
		}
		sk.wait(t, 1, time.Minute)
		if fs := f.get(); len(fs) != 0 {
			t.Errorf("failures = %+v; want none", fs)
		}
	})
}

// blockingStore is a MemoryStore whose Put waits for release.
type blockingStore struct {
	*schedule.MemoryStore
	release chan struct{}
}

func (b *blockingStore) Put(ctx context.Context, r schedule.Record) error {
	select {
	case <-b.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return b.MemoryStore.Put(ctx, r)
}

// TestTimedOutAddReturnsItsID: an Add whose call times out still returns
// the id the scheduler then holds, so the caller can cancel it, and a
// retry under that id is refused rather than duplicated.
func TestTimedOutAddReturnsItsID(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		store := &blockingStore{MemoryStore: schedule.NewMemoryStore(), release: make(chan struct{})}
		s := start(t, node, nil, schedule.WithStore(store), schedule.WithStoreTimeout(time.Minute), schedule.WithCodec(codec(t)))
		newSink(t, node, process.WithName("target"))
		short, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		id, err := s.Every(short, time.Hour, node.Name("target"), "tick", schedule.Durable())
		if err == nil || id == "" {
			t.Fatalf("Every = %q, %v; want an id and a timeout", id, err)
		}
		close(store.release)
		if infos := list(t, s); len(infos) != 1 || infos[0].ID != id {
			t.Fatalf("List = %+v; want the schedule %q", infos, id)
		}
		if _, err := s.Every(ctx, time.Hour, node.Name("target"), "tick", schedule.Durable(), schedule.WithID(id)); !errors.Is(err, schedule.ErrDuplicateID) {
			t.Errorf("retry = %v; want ErrDuplicateID", err)
		}
		if err := s.Cancel(ctx, id); err != nil {
			t.Errorf("Cancel(%q) = %v", id, err)
		}
	})
}

// TestGeneratedIDsAreDistinct: ids chosen by the client are unique.
func TestGeneratedIDsAreDistinct(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		s := start(t, node, nil)
		sk := newSink(t, node)
		seen := map[schedule.ID]bool{}
		for range 50 {
			id, err := s.Every(ctx, time.Hour, sk.pid, "x")
			if err != nil || seen[id] || len(id) != 16 {
				t.Fatalf("Every = %q, %v; want a new 16-digit id", id, err)
			}
			seen[id] = true
		}
	})
}
