package schedule_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/deadletter/jsstore"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/schedule"
	"github.com/seed-fe72f376/orchard/send"
)

// TestSchedulesShareTheDeadLetterStore: durable schedules kept in the
// JetStream of a dead-letter directory (one embedded server) survive a
// restart of the scheduler and of that server, beside the dead letters.
func TestSchedulesShareTheDeadLetterStore(t *testing.T) {
	dir := t.TempDir()
	node := otptest.NewNode(t)
	newSink(t, node, process.WithName("reports"))
	ctx := context.Background()

	open := func() (*jsstore.Store, *schedule.Scheduler) {
		letters, err := jsstore.OpenDir(ctx, dir, jsstore.DirConfig{})
		if err != nil {
			t.Fatal(err)
		}
		kv, err := schedule.OpenKVStore(ctx, letters.JetStream(), "")
		if err != nil {
			t.Fatal(err)
		}
		return letters, start(t, node, nil, schedule.WithStore(kv), schedule.WithCodec(codec(t)))
	}
	letters, s := open()
	if _, err := s.Every(ctx, time.Hour, node.Name("reports"), "hourly", schedule.Durable(), schedule.WithID("hourly")); err != nil {
		t.Fatal(err)
	}
	q, err := deadletter.New(node, letters)
	if err != nil {
		t.Fatal(err)
	}
	letter := send.Letter{Dest: node.Name("billing"), Msg: "invoice", Reason: errors.New("noproc"), Attempts: 3}
	if _, err := q.Add(ctx, letter); err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(s.Stop(ctx), q.Close(ctx), letters.Close()); err != nil {
		t.Fatal(err)
	}

	letters, s = open()
	defer func() { _ = letters.Close() }()
	defer func() { _ = s.Stop(ctx) }()
	if infos := list(t, s); len(infos) != 1 || infos[0].ID != "hourly" || !infos[0].Durable {
		t.Fatalf("schedules after restart = %+v; want the durable hourly", infos)
	}
	n := 0
	if err := letters.Scan(ctx, func(deadletter.Entry) bool { n++; return true }); err != nil || n != 1 {
		t.Fatalf("dead letters after restart = %d, %v; want 1", n, err)
	}
	if _, err := schedule.OpenKVStore(ctx, nil, ""); !errors.Is(err, schedule.ErrInvalidOption) {
		t.Errorf("OpenKVStore(nil) = %v; want ErrInvalidOption", err)
	}
}
