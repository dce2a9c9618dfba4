package schedule_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/internal/natsengine"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/schedule"
)

// startKV starts the embedded engine on dir (no listener, in-process
// connection: the engine's own start and readiness wait) and returns a
// KV bucket opened as every durable service opens its own; stop shuts
// the engine down.
func startKV(t *testing.T, dir string) (kv jetstream.KeyValue, stop func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	eng, err := natsengine.Start(ctx, natsengine.Config{Dir: dir, ServerName: "schedule-test"})
	if err != nil {
		t.Fatal(err)
	}
	stop = func() { _ = eng.Shutdown(context.Background()) }
	kv, err = natsengine.OpenKV(ctx, eng.JetStream(), "schedules", "schedule tests")
	if err != nil {
		stop()
		t.Fatal(err)
	}
	return kv, stop
}

func TestKVStoreBasics(t *testing.T) {
	kv, stop := startKV(t, t.TempDir())
	defer stop()
	store := schedule.NewKVStore(kv)
	if recs, err := store.List(ctx); err != nil || len(recs) != 0 {
		t.Fatalf("List of an empty bucket = %+v, %v", recs, err)
	}
	r := schedule.Record{ID: "b", Kind: schedule.Cron, Spec: "@hourly", Dest: schedule.DestRecord{Kind: "name", Name: "x"},
		MsgType: "string", Msg: []byte(`"hi"`), Next: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), Jitter: time.Second}
	for _, id := range []schedule.ID{"b", "a", "c"} {
		r.ID = id
		if err := store.Put(ctx, r); err != nil {
			t.Fatalf("Put(%s): %v", id, err)
		}
	}
	if err := store.Delete(ctx, "c"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := store.Delete(ctx, "never-there"); err != nil {
		t.Errorf("Delete(missing) = %v; want nil", err)
	}
	recs, err := store.List(ctx)
	if err != nil || len(recs) != 2 || recs[0].ID != "a" || recs[1].ID != "b" {
		t.Fatalf("List = %+v, %v; want a, b", recs, err)
	}
	got := recs[1]
	if got.Kind != r.Kind || got.Spec != r.Spec || got.Dest != r.Dest || string(got.Msg) != `"hi"` ||
		!got.Next.Equal(r.Next) || got.Jitter != r.Jitter {
		t.Errorf("record = %+v; want %+v", got, r)
	}
}

// TestDurableReloadKVStore: the scheduler's durable schedules survive a
// restart of the scheduler and of the NATS server on the same directory.
func TestDurableReloadKVStore(t *testing.T) {
	dir := t.TempDir()
	node := otptest.NewNode(t)
	newSink(t, node, process.WithName("reports"))
	dest := node.Name("reports")

	kv, stop := startKV(t, dir)
	s := start(t, node, nil, schedule.WithStore(schedule.NewKVStore(kv)), schedule.WithCodec(codec(t)))
	if _, err := s.Cron(ctx, "0 6 * * *", dest, Report{Name: "daily", Hour: 6}, schedule.Durable(), schedule.WithID("daily")); err != nil {
		t.Fatalf("Cron(durable): %v", err)
	}
	if _, err := s.Every(ctx, time.Hour, dest, "hourly", schedule.Durable(), schedule.WithID("hourly"), schedule.WithJitter(time.Minute)); err != nil {
		t.Fatalf("Every(durable): %v", err)
	}
	if _, err := s.Every(ctx, time.Hour, dest, "volatile"); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	stop()

	kv, stop = startKV(t, dir)
	defer stop()
	s = start(t, node, nil, schedule.WithStore(schedule.NewKVStore(kv)), schedule.WithCodec(codec(t)))
	defer func() { _ = s.Stop(ctx) }()
	infos := list(t, s)
	if len(infos) != 2 {
		t.Fatalf("List after restart = %+v; want daily and hourly", infos)
	}
	byID := map[schedule.ID]schedule.Info{}
	for _, in := range infos {
		byID[in.ID] = in
	}
	if d := byID["daily"]; d.Kind != schedule.Cron || d.Spec != "0 6 * * *" || !d.Durable || d.Next.Hour() != 6 {
		t.Errorf("daily = %+v; want the cron at 06:00", d)
	}
	if h := byID["hourly"]; h.Kind != schedule.Every || h.Jitter != time.Minute || h.Dest != dest {
		t.Errorf("hourly = %+v; want every 1h with 1m jitter to %v", h, dest)
	}
	if err := s.Cancel(ctx, "daily"); err != nil {
		t.Fatal(err)
	}
	recs, err := schedule.NewKVStore(kv).List(ctx)
	if err != nil || len(recs) != 1 || recs[0].ID != "hourly" {
		t.Errorf("bucket after Cancel = %+v, %v; want only hourly", recs, err)
	}
}

// TestKVStoreSkipsUndecodableRecord: garbage under one key neither hides
// the good records nor stops the scheduler from starting; the bad key is
// reported as a store_failed "reload" event and left in the bucket.
func TestKVStoreSkipsUndecodableRecord(t *testing.T) {
	kv, stop := startKV(t, t.TempDir())
	defer stop()
	node := otptest.NewNode(t)
	newSink(t, node, process.WithName("target"))
	store := schedule.NewKVStore(kv)
	good := schedule.Record{ID: "good", Kind: schedule.Every, Spec: "1h0m0s", Dest: schedule.DestRecord{Kind: "name", Name: "target"},
		MsgType: "string", Msg: []byte(`"hi"`)}
	if err := store.Put(ctx, good); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "garbage", []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	recs, err := store.List(ctx)
	var bad *schedule.BadRecordsError
	if !errors.As(err, &bad) || len(bad.Records) != 1 || bad.Records[0].ID != "garbage" || len(recs) != 1 || recs[0].ID != "good" {
		t.Fatalf("List = %+v, %v; want good and a BadRecordsError for garbage", recs, err)
	}

	rec := newRecorder(t)
	s := start(t, node, rec, schedule.WithStore(store), schedule.WithCodec(codec(t)))
	defer func() { _ = s.Stop(ctx) }()
	if infos := list(t, s); len(infos) != 1 || infos[0].ID != "good" {
		t.Errorf("List after start = %+v; want good", infos)
	}
	ev := rec.of(schedule.EventStoreFailed)
	if len(ev) != 1 || ev[0].md["id"] != schedule.ID("garbage") || ev[0].md["op"] != "reload" {
		t.Errorf("store_failed events = %+v; want one reload of garbage", ev)
	}
}
