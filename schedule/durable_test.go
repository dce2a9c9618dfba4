package schedule_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
	"github.com/seed-fe72f376/orchard/schedule"
)

// Report is a message type durable schedules carry in these tests.
type Report struct {
	Name string `json:"name"`
	Hour int    `json:"hour"`
}

func codec(t *testing.T) *schedule.Codec {
	t.Helper()
	c := schedule.NewCodec()
	if err := schedule.Register[Report](c, "report"); err != nil {
		t.Fatal(err)
	}
	if err := schedule.Register[string](c, "string"); err != nil {
		t.Fatal(err)
	}
	return c
}

func ids(infos []schedule.Info) []schedule.ID {
	out := make([]schedule.ID, len(infos))
	for i, in := range infos {
		out[i] = in.ID
	}
	slices.Sort(out)
	return out
}

// TestDurableReloadMemoryStore: durable schedules survive a restart of
// the scheduler. The misfire policy: an After whose time passed while
// the scheduler was down fires once at start; an Every computes its next
// time from the restart.
func TestDurableReloadMemoryStore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		store := schedule.NewMemoryStore()
		rec := newRecorder(t)
		opts := []schedule.Option{schedule.WithStore(store), schedule.WithCodec(codec(t))}
		s := start(t, node, rec, opts...)
		sk := newSink(t, node, process.WithName("reports"))
		dest := node.Name("reports")
		if _, err := s.After(ctx, 10*time.Second, dest, Report{Name: "late", Hour: 1}, schedule.Durable(), schedule.WithID("late")); err != nil {
			t.Fatalf("After(durable): %v", err)
		}
		if _, err := s.Every(ctx, time.Minute, dest, "tick", schedule.Durable(), schedule.WithID("tick")); err != nil {
			t.Fatalf("Every(durable): %v", err)
		}
		if _, err := s.Every(ctx, time.Minute, dest, "volatile"); err != nil {
			t.Fatal(err)
		}
		if err := s.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(30 * time.Second) // down while "late" was due
		restart := time.Now()
		s = start(t, node, rec, opts...)
		sk.wait(t, 1, time.Minute)
		if a := sk.arrivals()[0]; a.msg != (Report{Name: "late", Hour: 1}) || !a.at.Equal(restart) {
			t.Errorf("first arrival = %+v; want the overdue Report at the restart", a)
		}
		infos := list(t, s)
		if len(infos) != 1 || infos[0].ID != "tick" || !infos[0].Durable || !infos[0].Next.Equal(restart.Add(time.Minute)) {
			t.Fatalf("List after restart = %+v; want tick, due a minute after the restart", infos)
		}
		if recs, _ := store.List(ctx); len(recs) != 1 || recs[0].ID != "tick" {
			t.Errorf("store after the After fired = %+v; want only tick", recs)
		}
		if _, err := s.Every(ctx, time.Minute, dest, "tick", schedule.Durable(), schedule.WithID("tick")); !errors.Is(err, schedule.ErrDuplicateID) {
			t.Errorf("re-adding tick = %v; want ErrDuplicateID", err)
		}
		reloaded := 0
		for _, e := range rec.of(schedule.EventAdded) {
			if e.md["reloaded"] == true {
				reloaded++
			}
		}
		if reloaded != 2 {
			t.Errorf("%d reloaded added events; want 2", reloaded)
		}
		if err := s.Cancel(ctx, "tick"); err != nil {
			t.Fatal(err)
		}
		if recs, _ := store.List(ctx); len(recs) != 0 {
			t.Errorf("store after Cancel = %+v; want empty", recs)
		}
	})
}

func TestDurableRefusals(t *testing.T) {
	node := otptest.NewNode(t)
	sk := newSink(t, node, process.WithName("sink"))
	plain := start(t, node, nil)
	if _, err := plain.Every(ctx, time.Second, node.Name("sink"), "x", schedule.Durable()); !errors.Is(err, schedule.ErrNoStore) {
		t.Errorf("durable without a store = %v; want ErrNoStore", err)
	}
	s := start(t, node, nil, schedule.WithStore(schedule.NewMemoryStore()), schedule.WithCodec(codec(t)))
	var nd *schedule.NotDurableError
	if _, err := s.Every(ctx, time.Second, sk.pid, "x", schedule.Durable()); !errors.As(err, &nd) || nd.Dest != sk.pid {
		t.Errorf("durable to a PID = %v; want *NotDurableError", err)
	}
	var ce *schedule.CodecError
	if _, err := s.Every(ctx, time.Second, node.Name("sink"), 42, schedule.Durable()); !errors.As(err, &ce) || !errors.Is(err, schedule.ErrUnregisteredType) {
		t.Errorf("durable unregistered message = %v; want *CodecError, ErrUnregisteredType", err)
	}
	if _, err := s.Every(ctx, time.Second, node.Name("sink"), "x", schedule.Durable(), schedule.WithOwner(sk.pid)); !errors.Is(err, schedule.ErrInvalidOption) {
		t.Errorf("durable with owner = %v; want ErrInvalidOption", err)
	}
	if infos := list(t, s); len(infos) != 0 {
		t.Errorf("List = %+v; want nothing", infos)
	}
}

// TestDurableRegistryName: a via-name built with RegistryName is stored
// as {kind, key} and resolved through WithRegistry after a restart; a
// record the scheduler cannot rebuild is reported and kept.
func TestDurableRegistryName(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		reg, err := registry.New(node)
		if err != nil {
			t.Fatal(err)
		}
		defer reg.Close()
		store := schedule.NewMemoryStore()
		sk := newSink(t, node)
		if err := reg.Register(sk.pid, "mailer", nil); err != nil {
			t.Fatal(err)
		}
		s := start(t, node, nil, schedule.WithStore(store), schedule.WithCodec(codec(t)), schedule.WithRegistry("svc", reg))
		if _, err := s.Every(ctx, time.Second, schedule.RegistryName("svc", reg, "mailer"), "mail", schedule.Durable(), schedule.WithID("mail")); err != nil {
			t.Fatalf("Every(RegistryName): %v", err)
		}
		recs, _ := store.List(ctx)
		if len(recs) != 1 || recs[0].Dest != (schedule.DestRecord{Kind: "svc", Name: "mailer"}) {
			t.Fatalf("stored = %+v; want dest {svc mailer}", recs)
		}
		_ = s.Stop(ctx)
		// Without the registry, the record cannot be rebuilt: reported, kept.
		rec := newRecorder(t)
		s = start(t, node, rec, schedule.WithStore(store), schedule.WithCodec(codec(t)))
		if ev := rec.of(schedule.EventStoreFailed); len(ev) != 1 || ev[0].md["op"] != "reload" || ev[0].md["id"] != schedule.ID("mail") {
			t.Errorf("store_failed events = %+v; want one reload failure for mail", ev)
		}
		if recs, _ := store.List(ctx); len(recs) != 1 {
			t.Errorf("store = %+v; want the record kept", recs)
		}
		_ = s.Stop(ctx)
		s = start(t, node, nil, schedule.WithStore(store), schedule.WithCodec(codec(t)), schedule.WithRegistry("svc", reg))
		sk.wait(t, 1, time.Minute)
		if got := ids(list(t, s)); !slices.Equal(got, []schedule.ID{"mail"}) {
			t.Errorf("List = %v; want [mail]", got)
		}
	})
}

// failingStore fails every operation.
type failingStore struct{ err error }

func (f failingStore) Put(context.Context, schedule.Record) error      { return f.err }
func (f failingStore) Delete(context.Context, schedule.ID) error       { return f.err }
func (f failingStore) List(context.Context) ([]schedule.Record, error) { return nil, f.err }

func TestStoreFailures(t *testing.T) {
	node := otptest.NewNode(t)
	boom := errors.New("disk on fire")
	if _, err := schedule.Start(node, schedule.WithStore(failingStore{boom})); !errors.Is(err, boom) {
		t.Errorf("Start with a failing List = %v; want it to wrap the store's error", err)
	}
	s := start(t, node, nil, schedule.WithStore(&flakyStore{MemoryStore: schedule.NewMemoryStore(), fail: boom}), schedule.WithCodec(codec(t)))
	newSink(t, node, process.WithName("sink"))
	if _, err := s.Every(ctx, time.Second, node.Name("sink"), "x", schedule.Durable()); !errors.Is(err, boom) {
		t.Errorf("durable add with a failing Put = %v; want the store's error", err)
	}
	if infos := list(t, s); len(infos) != 0 {
		t.Errorf("List = %+v; want nothing (the add failed)", infos)
	}
}

// flakyStore lists fine and fails writes.
type flakyStore struct {
	*schedule.MemoryStore
	fail error
}

func (f *flakyStore) Put(context.Context, schedule.Record) error { return f.fail }

func TestCodec(t *testing.T) {
	c := codec(t)
	name, data, err := c.Encode(Report{Name: "daily", Hour: 6})
	if err != nil || name != "report" || string(data) != `{"name":"daily","hour":6}` {
		t.Fatalf("Encode = %q, %s, %v", name, data, err)
	}
	back, err := c.Decode(name, data)
	if err != nil || back != (Report{Name: "daily", Hour: 6}) {
		t.Errorf("Decode = %#v, %v", back, err)
	}
	if _, err := c.Decode("nope", data); !errors.Is(err, schedule.ErrUnregisteredType) {
		t.Errorf("Decode(unknown) = %v; want ErrUnregisteredType", err)
	}
	var ce *schedule.CodecError
	if _, err := c.Decode("report", []byte("{")); !errors.As(err, &ce) || ce.Type != "report" {
		t.Errorf("Decode(bad JSON) = %v; want *CodecError", err)
	}
	for _, err := range []error{
		schedule.Register[Report](c, "other"),
		schedule.Register[int](c, "report"),
		schedule.Register[int](c, ""),
		schedule.Register[int](nil, "int"),
		schedule.Register[error](c, "error"),
	} {
		if !errors.Is(err, schedule.ErrInvalidOption) {
			t.Errorf("bad Register = %v; want ErrInvalidOption", err)
		}
	}
}

func TestKindText(t *testing.T) {
	for _, k := range []schedule.Kind{schedule.After, schedule.Every, schedule.Cron} {
		b, err := k.MarshalText()
		var back schedule.Kind
		if err != nil || back.UnmarshalText(b) != nil || back != k {
			t.Errorf("round trip of %v = %v (%s, %v)", k, back, b, err)
		}
	}
	var k schedule.Kind
	if err := k.UnmarshalText([]byte("sometimes")); err == nil {
		t.Error("UnmarshalText(sometimes) = nil; want an error")
	}
	if _, err := schedule.Kind(9).MarshalText(); err == nil || schedule.Kind(9).String() != "Kind(9)" {
		t.Errorf("Kind(9): %v, %s", err, schedule.Kind(9))
	}
}
