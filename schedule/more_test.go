package schedule_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/schedule"
)

// TestCancelLastOwnedScheduleDemonitors: the owner's monitor goes with
// its last schedule.
func TestCancelLastOwnedScheduleDemonitors(t *testing.T) {
	node := otptest.NewNode(t)
	s := start(t, node, nil)
	sk := newSink(t, node)
	owner := otptest.NewProbe(t, node)
	a, _ := s.Every(ctx, time.Hour, sk.pid, "a", schedule.WithOwner(owner.PID()))
	b, _ := s.Every(ctx, time.Hour, sk.pid, "b", schedule.WithOwner(owner.PID()))
	pid, _ := s.PID()
	for i, id := range []schedule.ID{a, b} {
		if err := s.Cancel(ctx, id); err != nil {
			t.Fatal(err)
		}
		info, _ := node.Info(pid)
		if want := 1 - i; len(info.Monitors) != want {
			t.Errorf("after cancelling %d of 2: monitors %v; want %d", i+1, info.Monitors, want)
		}
	}
}

// TestReloadReportsBadRecords: records that cannot be rebuilt are
// reported and kept; the good ones are armed.
func TestReloadReportsBadRecords(t *testing.T) {
	node := otptest.NewNode(t)
	store := schedule.NewMemoryStore()
	good := schedule.Record{ID: "good", Kind: schedule.Every, Spec: "1h0m0s", Dest: schedule.DestRecord{Kind: "name", Name: "x"},
		MsgType: "string", Msg: []byte(`"hi"`)}
	bad := map[schedule.ID]func(*schedule.Record){
		"bad-interval": func(r *schedule.Record) { r.Spec = "soon" },
		"bad-cron":     func(r *schedule.Record) { r.Kind, r.Spec = schedule.Cron, "99 * * * *" },
		"bad-kind":     func(r *schedule.Record) { r.Kind = 0 },
		"bad-type":     func(r *schedule.Record) { r.MsgType = "unknown" },
		"bad-json":     func(r *schedule.Record) { r.Msg = []byte("{") },
		"bad-dest":     func(r *schedule.Record) { r.Dest.Kind = "svc" },
		"bad id":       func(*schedule.Record) {},
	}
	_ = store.Put(ctx, good)
	for id, spoil := range bad {
		r := good
		r.ID = id
		spoil(&r)
		_ = store.Put(ctx, r)
	}
	rec := newRecorder(t)
	s := start(t, node, rec, schedule.WithStore(store), schedule.WithCodec(codec(t)))
	if infos := list(t, s); len(infos) != 1 || infos[0].ID != "good" {
		t.Errorf("List = %+v; want only good", infos)
	}
	failed := map[any]bool{}
	for _, e := range rec.of(schedule.EventStoreFailed) {
		failed[e.md["id"]] = true
	}
	for id := range bad {
		if !failed[id] {
			t.Errorf("no store_failed event for %q", id)
		}
	}
	if recs, _ := store.List(ctx); len(recs) != len(bad)+1 {
		t.Errorf("store has %d records; want all %d kept", len(recs), len(bad)+1)
	}
}

func TestErrorMessages(t *testing.T) {
	node := otptest.NewNode(t)
	tests := []struct {
		err  error
		want string
	}{
		{&schedule.CronError{Expr: "x", Err: errors.New("bad")}, `bad cron expression "x": bad`},
		{&schedule.NotFoundError{ID: "a"}, `unknown schedule "a"`},
		{&schedule.NotDurableError{Dest: process.PID{}}, "is a PID"},
		{&schedule.NotDurableError{Dest: node.Name("n")}, "has no durable form"},
		{&schedule.CodecError{Type: "int", Err: schedule.ErrUnregisteredType}, "message type int: schedule: message type not registered"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); !strings.Contains(got, tc.want) {
			t.Errorf("Error() = %q; want it to contain %q", got, tc.want)
		}
	}
	if _, err := schedule.Start(node, schedule.WithStoreTimeout(-1)); err == nil || !strings.Contains(err.Error(), "WithStoreTimeout") {
		t.Errorf("option error %v does not name the option", err)
	}
}

func TestNilHandleAndContext(t *testing.T) {
	s := schedule.For(nil)
	if _, err := s.PID(); !errors.Is(err, process.ErrInvalidPID) {
		t.Errorf("For(nil).PID() = %v; want ErrInvalidPID", err)
	}
	if _, err := s.List(ctx); err == nil {
		t.Error("For(nil).List = nil error")
	}
	//lint:ignore SA1012 testing the nil-context check
	if err := s.Stop(nil); !errors.Is(err, schedule.ErrInvalidOption) {
		t.Errorf("Stop(nil) = %v; want ErrInvalidOption", err)
	}
}
