package schedule_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/schedule"
)

// TestBadInput walks the exported API with nil, zero, empty and invalid
// inputs: every call returns an error matching ErrInvalidArgument (and
// its more precise error where one is documented), nothing is
// scheduled, and nothing panics (docs/ERRORS.md).
func TestBadInput(t *testing.T) {
	node := otptest.NewNode(t)
	s := start(t, node, nil)
	durable := start(t, node, nil, schedule.WithStore(schedule.NewMemoryStore()))
	to := otptest.SpawnIdle(t, node)
	var nilCtx context.Context
	var nilS *schedule.Scheduler
	var nilOpt schedule.Option
	var nilSOpt schedule.ScheduleOption
	var nilCodec *schedule.Codec
	var nilMem *schedule.MemoryStore
	var nilKV *schedule.KVStore
	var nilFunc schedule.DelivererFunc
	id := func(f func() (schedule.ID, error)) func() error {
		return func() error { _, err := f(); return err }
	}
	startWith := func(opts ...schedule.Option) func() error {
		return func() error {
			s, err := schedule.Start(node, opts...)
			if s != nil {
				_ = s.Stop(ctx)
			}
			return err
		}
	}
	every := func(opts ...schedule.ScheduleOption) func() error {
		return id(func() (schedule.ID, error) { return s.Every(ctx, time.Hour, to, "m", opts...) })
	}
	cases := []struct {
		name    string
		call    func() error
		precise error
	}{
		{"Start/nil node", func() error { _, err := schedule.Start(nil); return err }, schedule.ErrInvalidOption},
		{"Start/nil option", startWith(nilOpt), schedule.ErrInvalidOption},
		{"Start/empty name", startWith(schedule.WithName("")), schedule.ErrInvalidOption},
		{"Start/nil deliverer", startWith(schedule.WithDeliverer(nil)), schedule.ErrInvalidOption},
		{"Start/zero delivery timeout", startWith(schedule.WithDeliveryTimeout(0)), schedule.ErrInvalidOption},
		{"Start/nil store", startWith(schedule.WithStore(nil)), schedule.ErrInvalidOption},
		{"Start/negative store timeout", startWith(schedule.WithStoreTimeout(-1)), schedule.ErrInvalidOption},
		{"Start/nil codec", startWith(schedule.WithCodec(nil)), schedule.ErrInvalidOption},
		{"Start/nil on failure", startWith(schedule.WithOnFailure(nil)), schedule.ErrInvalidOption},
		{"Start/empty registry kind", startWith(schedule.WithRegistry("", nil)), schedule.ErrInvalidOption},
		{"StartLink/nil parent", func() error { _, err := schedule.StartLink(nil); return err }, schedule.ErrInvalidOption},
		{"StartFunc/nil parent", func() error { _, err := schedule.StartFunc()(nil); return err }, schedule.ErrInvalidOption},
		{"After/negative delay", id(func() (schedule.ID, error) { return s.After(ctx, -time.Second, to, "m") }), schedule.ErrInvalidOption},
		{"After/nil receiver", id(func() (schedule.ID, error) { return nilS.After(ctx, time.Second, to, "m") }), schedule.ErrInvalidOption},
		{"After/nil ctx", id(func() (schedule.ID, error) { return s.After(nilCtx, time.Second, to, "m") }), schedule.ErrInvalidOption},
		{"After/nil dest", id(func() (schedule.ID, error) { return s.After(ctx, time.Second, nil, "m") }), schedule.ErrInvalidOption},
		{"After/zero PID dest", id(func() (schedule.ID, error) { return s.After(ctx, time.Second, process.PID{}, "m") }), process.ErrInvalidPID},
		{"After/nil msg", id(func() (schedule.ID, error) { return s.After(ctx, time.Second, to, nil) }), schedule.ErrInvalidOption},
		{"Every/zero interval", id(func() (schedule.ID, error) { return s.Every(ctx, 0, to, "m") }), schedule.ErrInvalidOption},
		{"Every/nil option", every(nilSOpt), schedule.ErrInvalidOption},
		{"Every/bad id", every(schedule.WithID("no spaces")), schedule.ErrInvalidOption},
		{"Every/empty id", every(schedule.WithID("")), schedule.ErrInvalidOption},
		{"Every/negative jitter", every(schedule.WithJitter(-1)), schedule.ErrInvalidOption},
		{"Every/zero owner", every(schedule.WithOwner(process.PID{})), schedule.ErrInvalidOption},
		{"Every/durable PID", id(func() (schedule.ID, error) {
			return durable.Every(ctx, time.Hour, to, "m", schedule.Durable())
		}), schedule.ErrNotDurable},
		{"Cron/malformed", id(func() (schedule.ID, error) { return s.Cron(ctx, "61 * * * *", to, "m") }), nil},
		{"Cron/empty", id(func() (schedule.ID, error) { return s.Cron(ctx, "", to, "m") }), nil},
		{"Cron/never fires", id(func() (schedule.ID, error) { return s.Cron(ctx, "0 0 30 2 *", to, "m") }), schedule.ErrNeverFires},
		{"Cron/handle on nothing", id(func() (schedule.ID, error) { return schedule.For(nil).Cron(ctx, "@hourly", to, "m") }), process.ErrInvalidPID},
		{"Cancel/nil ctx", func() error { return s.Cancel(nilCtx, "x") }, schedule.ErrInvalidOption},
		{"Cancel/empty id", func() error { return s.Cancel(ctx, "") }, schedule.ErrInvalidOption},
		{"Cancel/nil receiver", func() error { return nilS.Cancel(ctx, "x") }, schedule.ErrInvalidOption},
		{"List/nil ctx", func() error { _, err := s.List(nilCtx); return err }, schedule.ErrInvalidOption},
		{"List/nil receiver", func() error { _, err := nilS.List(ctx); return err }, schedule.ErrInvalidOption},
		{"Stop/nil ctx", func() error { return s.Stop(nilCtx) }, schedule.ErrInvalidOption},
		{"Stop/nil receiver", func() error { return nilS.Stop(ctx) }, schedule.ErrInvalidOption},
		{"PID/nil receiver", func() error { _, err := nilS.PID(); return err }, schedule.ErrInvalidOption},
		{"PID/zero PID handle", func() error { _, err := schedule.For(process.PID{}).PID(); return err }, process.ErrInvalidPID},
		{"Register/nil codec", func() error { return schedule.Register[string](nilCodec, "s") }, schedule.ErrInvalidOption},
		{"Register/empty name", func() error { return schedule.Register[string](schedule.NewCodec(), "") }, schedule.ErrInvalidOption},
		{"Register/interface", func() error { return schedule.Register[error](schedule.NewCodec(), "e") }, schedule.ErrInvalidOption},
		{"Register/twice", func() error {
			c := schedule.NewCodec()
			if err := schedule.Register[string](c, "s"); err != nil {
				return err
			}
			return schedule.Register[string](c, "t")
		}, schedule.ErrInvalidOption},
		{"Encode/nil codec", func() error { _, _, err := nilCodec.Encode("m"); return err }, nil},
		{"Encode/unregistered", func() error { _, _, err := schedule.NewCodec().Encode("m"); return err }, schedule.ErrUnregisteredType},
		{"Decode/nil codec", func() error { _, err := nilCodec.Decode("s", nil); return err }, nil},
		{"Decode/unknown name", func() error { _, err := schedule.NewCodec().Decode("s", []byte(`"x"`)); return err }, schedule.ErrUnregisteredType},
		{"DelivererFunc/nil", func() error { return nilFunc.Deliver(ctx, to, "m") }, nil},
		{"SendDeliverer/nil sender", func() error { return schedule.SendDeliverer(nil).Deliver(ctx, to, "m") }, nil},
		{"MemoryStore.Put/nil receiver", func() error { return nilMem.Put(ctx, schedule.Record{ID: "a"}) }, nil},
		{"MemoryStore.Put/nil ctx", func() error { return schedule.NewMemoryStore().Put(nilCtx, schedule.Record{ID: "a"}) }, nil},
		{"MemoryStore.Put/empty id", func() error { return schedule.NewMemoryStore().Put(ctx, schedule.Record{}) }, nil},
		{"MemoryStore.Delete/empty id", func() error { return schedule.NewMemoryStore().Delete(ctx, "") }, nil},
		{"MemoryStore.List/nil receiver", func() error { _, err := nilMem.List(ctx); return err }, nil},
		{"KVStore.Put/nil receiver", func() error { return nilKV.Put(ctx, schedule.Record{ID: "a"}) }, nil},
		{"KVStore.Put/nil bucket", func() error { return schedule.NewKVStore(nil).Put(ctx, schedule.Record{ID: "a"}) }, nil},
		{"KVStore.Delete/nil bucket", func() error { return schedule.NewKVStore(nil).Delete(ctx, "a") }, nil},
		{"KVStore.List/nil bucket", func() error { _, err := schedule.NewKVStore(nil).List(ctx); return err }, nil},
		{"OpenKVStore/nil js", func() error { _, err := schedule.OpenKVStore(ctx, nil, ""); return err }, nil},
		{"OpenKVStore/nil ctx", func() error { _, err := schedule.OpenKVStore(nilCtx, nil, ""); return err }, nil},
		{"RegistryDest/nil registry", func() error { _, err := schedule.RegistryName("svc", nil, "k").Resolve(); return err }, nil},
		{"RegistryDest/zero", func() error { _, err := schedule.RegistryDest{}.Resolve(); return err }, nil},
		{"Kind.UnmarshalText/unknown", func() error { var k schedule.Kind; return k.UnmarshalText([]byte("weekly")) }, nil},
		{"Kind.UnmarshalText/nil receiver", func() error { var k *schedule.Kind; return k.UnmarshalText([]byte("after")) }, nil},
		{"Kind.MarshalText/zero", func() error { _, err := schedule.Kind(0).MarshalText(); return err }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, schedule.ErrInvalidArgument) {
				t.Fatalf("%s = %v; want an error matching ErrInvalidArgument", tc.name, err)
			}
			if tc.precise != nil && !errors.Is(err, tc.precise) {
				t.Fatalf("%s = %v; want an error matching %v too", tc.name, err, tc.precise)
			}
		})
	}
	if infos := list(t, s); len(infos) != 0 {
		t.Fatalf("refused calls scheduled %+v", infos)
	}

	// A stopped node: Start refuses it and starts nothing.
	stopped, err := process.NewNode()
	if err != nil {
		t.Fatal(err)
	}
	if err := stopped.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := schedule.Start(stopped); got != nil || !errors.Is(err, process.ErrNodeStopped) {
		t.Fatalf("Start(stopped node) = %v, %v; want nil, ErrNodeStopped", got, err)
	}

	if (&schedule.BadRecordsError{}).Error() == "" {
		t.Fatal("BadRecordsError{}.Error() is empty")
	}

	// The zero Codec and the zero MemoryStore work.
	var c schedule.Codec
	if err := schedule.Register[string](&c, "s"); err != nil {
		t.Fatalf("Register on the zero Codec = %v", err)
	}
	if name, data, err := c.Encode("hi"); err != nil || name != "s" || string(data) != `"hi"` {
		t.Fatalf("zero Codec Encode = %q, %s, %v", name, data, err)
	}
	var m schedule.MemoryStore
	if err := m.Put(ctx, schedule.Record{ID: "a"}); err != nil {
		t.Fatalf("zero MemoryStore Put = %v", err)
	}
	if recs, err := m.List(ctx); err != nil || len(recs) != 1 {
		t.Fatalf("zero MemoryStore List = %v, %v; want one record", recs, err)
	}
}
