package deadletter_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/telemetry"
)

func TestMain(m *testing.M) {
	otptest.VerifyTestMain(m)
}

// Order is a registered message type of the tests.
type Order struct {
	ID    int    `json:"id"`
	Item  string `json:"item"`
	Price int    `json:"price"`
}

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func newCodec(t testing.TB) *deadletter.JSONCodec {
	t.Helper()
	c := deadletter.NewJSONCodec()
	if err := deadletter.Register[Order](c, "test.order"); err != nil {
		t.Fatalf("Register[Order] = %v", err)
	}
	return c
}

func newQueue(t testing.TB, node *process.Node, store deadletter.Store, opts ...deadletter.Option) *deadletter.Queue {
	t.Helper()
	opts = append([]deadletter.Option{deadletter.WithCodec(newCodec(t)), deadletter.WithTelemetry(telemetry.New())}, opts...)
	q, err := deadletter.New(node, store, opts...)
	if err != nil {
		t.Fatalf("deadletter.New = %v", err)
	}
	t.Cleanup(func() { _ = q.Close(context.Background()) })
	return q
}

func add(t testing.TB, q *deadletter.Queue, l send.Letter) deadletter.Entry {
	t.Helper()
	e, err := q.Add(context.Background(), l)
	if err != nil {
		t.Fatalf("Add(%+v) = %v", l, err)
	}
	return e
}

func ids(es []deadletter.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func TestAddAndList(t *testing.T) {
	node := otptest.NewNode(t)
	q := newQueue(t, node, deadletter.NewMemoryStore())
	ctx := context.Background()
	late := add(t, q, send.Letter{Dest: node.Name("billing"), Msg: Order{ID: 1}, Reason: errors.New("timeout"), FirstFailure: t0.Add(2 * time.Hour), Attempts: 3})
	early := add(t, q, send.Letter{Dest: node.Name("shipping"), Msg: Order{ID: 2}, Reason: errors.New("noproc"), FirstFailure: t0})
	mid := add(t, q, send.Letter{Dest: node.Name("billing"), Msg: "hello", Reason: errors.New("call timeout"), FirstFailure: t0.Add(time.Hour)})

	if late.Attempts != 3 || early.Attempts != 1 || !early.LastAttempt.Equal(t0) || !late.Replayable {
		t.Errorf("entries = %+v, %+v; want attempts 3 and 1 (default), last attempt = first failure", late, early)
	}
	cases := []struct {
		name  string
		f     deadletter.Filter
		limit int
		want  []string
	}{
		{"all by first failure", deadletter.Filter{}, 0, []string{early.ID, mid.ID, late.ID}},
		{"limit", deadletter.Filter{}, 2, []string{early.ID, mid.ID}},
		{"dest", deadletter.Filter{Dest: "billing"}, 0, []string{mid.ID, late.ID}},
		{"reason substring", deadletter.Filter{Reason: "timeout"}, 0, []string{mid.ID, late.ID}},
		{"dest and reason", deadletter.Filter{Dest: "shipping", Reason: "timeout"}, 0, []string{}},
		{"ids", deadletter.Filter{IDs: []string{late.ID, early.ID}}, 0, []string{early.ID, late.ID}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := q.List(ctx, tc.f, tc.limit)
			if err != nil {
				t.Fatalf("List = %v", err)
			}
			if fmt.Sprint(ids(got)) != fmt.Sprint(tc.want) {
				t.Errorf("List(%+v, %d) = %v; want %v", tc.f, tc.limit, ids(got), tc.want)
			}
		})
	}
	if _, err := q.List(ctx, deadletter.Filter{}, -1); !errors.Is(err, deadletter.ErrInvalidOption) {
		t.Errorf("List(limit -1) = %v; want ErrInvalidOption", err)
	}
	if n, err := q.Len(ctx); n != 3 || err != nil {
		t.Errorf("Len = %d, %v; want 3, nil", n, err)
	}
}

func TestDestinationRecords(t *testing.T) {
	node := otptest.NewNode(t)
	reg, err := registry.New(node)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	q := newQueue(t, node, deadletter.NewMemoryStore())
	pr := otptest.NewProbe(t, node)
	cases := []struct {
		dest process.Dest
		want deadletter.Destination
	}{
		{pr.PID(), deadletter.Destination{Kind: deadletter.DestPID, Printed: pr.PID().String()}},
		{node.Name("db"), deadletter.Destination{Kind: deadletter.DestName, Name: "db", Printed: "db"}},
		{registry.Via(reg, "user-7"), deadletter.Destination{Kind: deadletter.DestVia, Name: "user-7", Printed: "via(user-7)"}},
	}
	for _, tc := range cases {
		e := add(t, q, send.Letter{Dest: tc.dest, Msg: "m"})
		if e.Dest != tc.want {
			t.Errorf("Add(dest %v).Dest = %+v; want %+v", tc.dest, e.Dest, tc.want)
		}
	}
	if _, err := q.Add(context.Background(), send.Letter{Msg: "m"}); !errors.Is(err, deadletter.ErrInvalidOption) {
		t.Errorf("Add(nil dest) = %v; want ErrInvalidOption", err)
	}
}

func TestRetrySuccessRemoves(t *testing.T) {
	node := otptest.NewNode(t)
	q := newQueue(t, node, deadletter.NewMemoryStore())
	pr := otptest.NewProbe(t, node)
	e := add(t, q, send.Letter{Dest: pr.PID(), Msg: Order{ID: 9, Item: "tea"}, Reason: errors.New("full")})

	res, err := q.Retry(context.Background(), deadletter.Filter{IDs: []string{e.ID}})
	if err != nil || len(res.Delivered) != 1 {
		t.Fatalf("Retry = %+v, %v; want 1 delivered", res, err)
	}
	if got := pr.Expect(t, time.Second); got != (Order{ID: 9, Item: "tea"}) {
		t.Errorf("probe got %#v; want the Order", got)
	}
	if _, err := q.Get(context.Background(), e.ID); !errors.Is(err, deadletter.ErrNotFound) {
		t.Errorf("Get(after delivery) = %v; want ErrNotFound", err)
	}
	if st := q.Stats(); st.Added != 1 || st.Retried != 1 || st.Removed != 1 {
		t.Errorf("Stats = %+v; want added, retried, removed 1", st)
	}
}

func TestRetryFailureCountsAttempt(t *testing.T) {
	node := otptest.NewNode(t)
	q := newQueue(t, node, deadletter.NewMemoryStore())
	e := add(t, q, send.Letter{Dest: node.Name("nobody"), Msg: "lost", Reason: errors.New("noproc"), Attempts: 2})

	res, err := q.Retry(context.Background(), deadletter.Filter{})
	if !errors.Is(err, process.NoProc) || len(res.Failed) != 1 || res.Failed[0].ID != e.ID {
		t.Fatalf("Retry = %+v, %v; want one failure matching process.NoProc", res, err)
	}
	got, err := q.Get(context.Background(), e.ID)
	if err != nil || got.Attempts != 3 || got.AutoRetries != 0 || !got.LastAttempt.After(e.LastAttempt) {
		t.Errorf("entry after failed retry = %+v, %v; want attempts 3, auto retries 0, later last attempt", got, err)
	}
	// Register the name: the next retry delivers.
	pr := otptest.NewProbe(t, node, process.WithName("nobody"))
	if _, err := q.Retry(context.Background(), deadletter.Filter{Dest: "nobody"}); err != nil {
		t.Fatalf("Retry after register = %v", err)
	}
	if got := pr.Expect(t, time.Second); got != "lost" {
		t.Errorf("probe got %v; want lost", got)
	}
}

func TestNonEncodableIsNotReplayable(t *testing.T) {
	node := otptest.NewNode(t)
	q := newQueue(t, node, deadletter.NewMemoryStore())
	type unregistered struct{ N int }
	for _, msg := range []any{make(chan int), func() {}, unregistered{N: 4}, nil} {
		e := add(t, q, send.Letter{Dest: node.Name("x"), Msg: msg})
		if e.Replayable || e.Msg.Type != fmt.Sprintf("%T", msg) || e.Msg.Printed != fmt.Sprintf("%+v", msg) || e.Msg.EncodeError == "" {
			t.Errorf("Add(%T) = %+v; want non-replayable with type, printed form and cause", msg, e)
		}
		_, err := q.Retry(context.Background(), deadletter.Filter{IDs: []string{e.ID}})
		var nre *deadletter.NotReplayableError
		if !errors.Is(err, deadletter.ErrNotReplayable) || !errors.As(err, &nre) || nre.ID != e.ID {
			t.Errorf("Retry(%T) = %v; want *NotReplayableError", msg, err)
		}
		if got, err := q.Get(context.Background(), e.ID); err != nil || got.Attempts != e.Attempts {
			t.Errorf("entry after Retry = %+v, %v; want unchanged", got, err)
		}
	}
}

func TestPurge(t *testing.T) {
	node := otptest.NewNode(t)
	q := newQueue(t, node, deadletter.NewMemoryStore())
	ctx := context.Background()
	add(t, q, send.Letter{Dest: node.Name("a"), Msg: "1", Reason: errors.New("timeout")})
	keep := add(t, q, send.Letter{Dest: node.Name("b"), Msg: "2", Reason: errors.New("noproc")})
	add(t, q, send.Letter{Dest: node.Name("a"), Msg: "3", Reason: errors.New("noproc")})

	if n, err := q.Purge(ctx, deadletter.Filter{Dest: "a"}); n != 2 || err != nil {
		t.Fatalf("Purge(dest a) = %d, %v; want 2, nil", n, err)
	}
	if got, _ := q.List(ctx, deadletter.Filter{}, 0); fmt.Sprint(ids(got)) != fmt.Sprint([]string{keep.ID}) {
		t.Errorf("List after purge = %v; want [%s]", ids(got), keep.ID)
	}
	if n, err := q.Purge(ctx, deadletter.Filter{}); n != 1 || err != nil {
		t.Errorf("Purge(all) = %d, %v; want 1, nil", n, err)
	}
	if st := q.Stats(); st.Purged != 3 {
		t.Errorf("Stats.Purged = %d; want 3", st.Purged)
	}
}

func TestPIDOfEarlierRunIsUndeliverable(t *testing.T) {
	node := otptest.NewNode(t)
	store := deadletter.NewMemoryStore()
	q1 := newQueue(t, node, store)
	pr := otptest.NewProbe(t, node, process.WithName("svc"))
	byPID := add(t, q1, send.Letter{Dest: pr.PID(), Msg: "to pid"})
	byName := add(t, q1, send.Letter{Dest: node.Name("svc"), Msg: "to name"})
	_ = q1.Close(context.Background())

	q2 := newQueue(t, node, store) // a "restart": no live destinations
	res, err := q2.Retry(context.Background(), deadletter.Filter{})
	var ue *deadletter.UndeliverableError
	if !errors.As(err, &ue) || ue.ID != byPID.ID || !errors.Is(err, deadletter.ErrUndeliverable) {
		t.Fatalf("Retry = %v; want *UndeliverableError for %s", err, byPID.ID)
	}
	if fmt.Sprint(res.Delivered) != fmt.Sprint([]string{byName.ID}) {
		t.Errorf("Delivered = %v; want the named entry %s", res.Delivered, byName.ID)
	}
	if got := pr.Expect(t, time.Second); got != "to name" {
		t.Errorf("probe got %v; want to name", got)
	}
	if got, err := q2.Get(context.Background(), byPID.ID); err != nil || got.Attempts != 2 {
		t.Errorf("PID entry = %+v, %v; want kept with attempts 2", got, err)
	}
}

func TestResolverForVia(t *testing.T) {
	node := otptest.NewNode(t)
	reg, err := registry.New(node)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	store := deadletter.NewMemoryStore()
	pr := otptest.NewProbe(t, node)
	if err := reg.Register(pr.PID(), "user-7", nil); err != nil {
		t.Fatal(err)
	}
	add(t, newQueue(t, node, store), send.Letter{Dest: registry.Via(reg, "user-7"), Msg: "hi"})

	resolve := func(d deadletter.Destination) (process.Dest, error) {
		if d.Kind == deadletter.DestVia {
			return registry.Via(reg, d.Name), nil
		}
		return nil, errors.New("unknown")
	}
	q := newQueue(t, node, store, deadletter.WithResolver(resolve))
	if _, err := q.Retry(context.Background(), deadletter.Filter{}); err != nil {
		t.Fatalf("Retry with resolver = %v", err)
	}
	if got := pr.Expect(t, time.Second); got != "hi" {
		t.Errorf("probe got %v; want hi", got)
	}
}

// failingDeliverer fails every delivery and counts them.
type failingDeliverer struct{ calls atomic.Int32 }

func (f *failingDeliverer) deliver(context.Context, process.Dest, any) error {
	f.calls.Add(1)
	return errors.New("still down")
}

func TestAutoRetryStopsAtMax(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		tel := telemetry.New()
		var exhausted atomic.Int32
		_ = tel.Attach("t", []string{deadletter.EventExhausted}, func(string, telemetry.Measurements, telemetry.Metadata) { exhausted.Add(1) })
		fd := &failingDeliverer{}
		q := newQueue(t, node, deadletter.NewMemoryStore(), deadletter.WithTelemetry(tel),
			deadletter.WithDeliverer(fd.deliver), deadletter.WithAutoRetry(time.Second, 3))
		e := add(t, q, send.Letter{Dest: node.Name("down"), Msg: "m"})
		if _, err := q.StartRetrier(); err != nil {
			t.Fatalf("StartRetrier = %v", err)
		}
		if _, err := q.StartRetrier(); !errors.Is(err, deadletter.ErrRetrierRunning) {
			t.Errorf("second StartRetrier = %v; want ErrRetrierRunning", err)
		}
		time.Sleep(10*time.Second + time.Millisecond)
		synctest.Wait()
		if n := fd.calls.Load(); n != 3 {
			t.Errorf("deliveries = %d; want 3 (the maximum)", n)
		}
		got, err := q.Get(context.Background(), e.ID)
		if err != nil || got.AutoRetries != 3 || got.Attempts != 4 {
			t.Errorf("entry = %+v, %v; want listed with 3 auto retries, 4 attempts", got, err)
		}
		if exhausted.Load() != 1 {
			t.Errorf("exhausted events = %d; want 1", exhausted.Load())
		}
		// Re-arming makes it due again at the next tick.
		if n, err := q.Rearm(context.Background(), deadletter.Filter{}); n != 1 || err != nil {
			t.Fatalf("Rearm = %d, %v", n, err)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if n := fd.calls.Load(); n != 4 {
			t.Errorf("deliveries after Rearm = %d; want 4", n)
		}
		if err := q.Close(context.Background()); err != nil {
			t.Errorf("Close = %v", err)
		}
	})
}

func TestAutoRetryDelivers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		var mu sync.Mutex
		var got []any
		calls := 0
		deliver := func(_ context.Context, _ process.Dest, msg any) error {
			mu.Lock()
			defer mu.Unlock()
			calls++
			if calls < 2 {
				return errors.New("not yet")
			}
			got = append(got, msg)
			return nil
		}
		q := newQueue(t, node, deadletter.NewMemoryStore(), deadletter.WithDeliverer(deliver), deadletter.WithAutoRetry(time.Minute, 5))
		add(t, q, send.Letter{Dest: node.Name("later"), Msg: Order{ID: 3}})
		if _, err := q.StartRetrier(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * time.Minute)
		synctest.Wait()
		if n, _ := q.Len(context.Background()); n != 0 {
			t.Errorf("Len = %d; want 0 (delivered on the second retry)", n)
		}
		mu.Lock()
		defer mu.Unlock()
		if fmt.Sprint(got) != fmt.Sprint([]any{Order{ID: 3}}) || calls != 2 {
			t.Errorf("delivered %v in %d calls; want [Order 3] in 2", got, calls)
		}
	})
}

func TestRetrierUnderSupervisorStyleLink(t *testing.T) {
	node := otptest.NewNode(t)
	q := newQueue(t, node, deadletter.NewMemoryStore(), deadletter.WithAutoRetry(time.Hour, 1))
	pr := otptest.NewProbe(t, node)
	pr.TrapExit(true)
	var pid process.PID
	var err error
	pr.Do(func(p *process.Proc) { pid, err = q.StartRetrierLink(p) })
	if err != nil || !node.IsAlive(pid) {
		t.Fatalf("StartRetrierLink = %v, %v; want a live retrier", pid, err)
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if ex := pr.ExpectExit(t, time.Second); ex.From != pid {
		t.Errorf("exit from %v; want the retrier %v", ex.From, pid)
	}
}

func TestTelemetryEvents(t *testing.T) {
	node := otptest.NewNode(t)
	tel := telemetry.New()
	var mu sync.Mutex
	var seen []string
	events := []string{deadletter.EventAdded, deadletter.EventRetried, deadletter.EventRetryFailed,
		deadletter.EventRemoved, deadletter.EventPurged, deadletter.EventRearmed}
	_ = tel.Attach("t", events, func(ev string, m telemetry.Measurements, md telemetry.Metadata) {
		mu.Lock()
		seen = append(seen, fmt.Sprintf("%s count=%v", ev, m["count"]))
		mu.Unlock()
	})
	q := newQueue(t, node, deadletter.NewMemoryStore(), deadletter.WithTelemetry(tel))
	pr := otptest.NewProbe(t, node)
	ctx := context.Background()
	add(t, q, send.Letter{Dest: pr.PID(), Msg: "a"})
	add(t, q, send.Letter{Dest: node.Name("gone"), Msg: "b"})
	_, _ = q.Retry(ctx, deadletter.Filter{})
	_, _ = q.Rearm(ctx, deadletter.Filter{})
	_, _ = q.Purge(ctx, deadletter.Filter{})
	want := []string{
		"orchard.deadletter.added count=1", "orchard.deadletter.added count=1",
		"orchard.deadletter.retried count=1", "orchard.deadletter.removed count=1",
		"orchard.deadletter.retry_failed count=1", "orchard.deadletter.rearmed count=1",
		"orchard.deadletter.removed count=1", "orchard.deadletter.purged count=1",
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("events:\n%v\nwant:\n%v", seen, want)
	}
}

func TestInvalidOptions(t *testing.T) {
	node := otptest.NewNode(t)
	store := deadletter.NewMemoryStore()
	cases := []struct {
		name string
		node *process.Node
		st   deadletter.Store
		opt  deadletter.Option
	}{
		{"nil node", nil, store, nil},
		{"nil store", node, nil, nil},
		{"nil codec", node, store, deadletter.WithCodec(nil)},
		{"nil deliverer", node, store, deadletter.WithDeliverer(nil)},
		{"nil resolver", node, store, deadletter.WithResolver(nil)},
		{"zero interval", node, store, deadletter.WithAutoRetry(0, 3)},
		{"zero max", node, store, deadletter.WithAutoRetry(time.Second, 0)},
		{"bad timeout", node, store, deadletter.WithRetryTimeout(-1)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var opts []deadletter.Option
			if tc.opt != nil {
				opts = append(opts, tc.opt)
			}
			if _, err := deadletter.New(tc.node, tc.st, opts...); !errors.Is(err, deadletter.ErrInvalidOption) {
				t.Errorf("New = %v; want ErrInvalidOption", err)
			}
		})
	}
	q := newQueue(t, node, store)
	if _, err := q.StartRetrier(); !errors.Is(err, deadletter.ErrInvalidOption) {
		t.Errorf("StartRetrier without policy = %v; want ErrInvalidOption", err)
	}
	_ = q.Close(context.Background())
	if _, err := q.Add(context.Background(), send.Letter{Dest: node.Name("x")}); !errors.Is(err, deadletter.ErrClosed) {
		t.Errorf("Add after Close = %v; want ErrClosed", err)
	}
}

func TestCodec(t *testing.T) {
	c := newCodec(t)
	if err := deadletter.Register[Order](c, "test.order"); err != nil {
		t.Errorf("re-Register same = %v; want nil", err)
	}
	if err := deadletter.Register[int](c, "test.order"); !errors.Is(err, deadletter.ErrInvalidOption) {
		t.Errorf("Register other type under taken name = %v; want ErrInvalidOption", err)
	}
	if err := deadletter.Register[Order](c, "other"); !errors.Is(err, deadletter.ErrInvalidOption) {
		t.Errorf("Register type under second name = %v; want ErrInvalidOption", err)
	}
	if err := deadletter.Register[Order](c, ""); !errors.Is(err, deadletter.ErrInvalidOption) {
		t.Errorf("Register empty name = %v; want ErrInvalidOption", err)
	}
	for _, msg := range []any{Order{ID: 1, Item: "x", Price: 3}, "s", 42, int64(-1), 1.5, true, []byte("raw")} {
		name, data, err := c.Encode(msg)
		if err != nil {
			t.Fatalf("Encode(%#v) = %v", msg, err)
		}
		back, err := c.Decode(name, data)
		if err != nil || fmt.Sprintf("%#v", back) != fmt.Sprintf("%#v", msg) {
			t.Errorf("Decode(Encode(%#v)) = %#v, %v", msg, back, err)
		}
	}
	if _, err := c.Decode("nope", nil); !errors.Is(err, deadletter.ErrUnregistered) {
		t.Errorf("Decode(unknown) = %v; want ErrUnregistered", err)
	}
}

func FuzzJSONCodecRoundTrip(f *testing.F) {
	f.Add(1, "tea", 3)
	f.Add(-7, "\x00\xff", 0)
	c := newCodec(f)
	f.Fuzz(func(t *testing.T, id int, item string, price int) {
		in := Order{ID: id, Item: item, Price: price}
		name, data, err := c.Encode(in)
		if err != nil {
			t.Fatalf("Encode = %v", err)
		}
		out, err := c.Decode(name, data)
		if err != nil {
			t.Fatalf("Decode = %v", err)
		}
		if utf8.ValidString(item) && out != in {
			t.Errorf("Decode(Encode(%#v)) = %#v", in, out)
		}
		// JSON replaces invalid UTF-8 once; after that the value is stable.
		_, again, _ := c.Encode(out)
		if back, err := c.Decode(name, again); err != nil || back != out {
			t.Errorf("second round trip of %#v = %#v, %v", out, back, err)
		}
	})
}

// FuzzJSONCodecDecode feeds the codec bytes from outside (a stored record
// another program wrote, a damaged one) under every registered name: it
// returns an error, or a value that encodes to bytes decoding back to the
// same value (a round trip from the decoded value), and never panics.
func FuzzJSONCodecDecode(f *testing.F) {
	for _, seed := range []struct {
		name string
		data string
	}{
		{"test.order", `{"id":1,"item":"tea","price":3}`},
		{"test.order", `{"id":1e400}`},
		{"test.order", `null`},
		{"string", `"\u00e9\ud800"`},
		{"[]uint8", `"aGVsbG8="`},
		{"int64", `-9223372036854775808`},
		{"float64", `1e308`},
		{"bool", `tru`},
		{"unknown", `{}`},
		{"", ``},
	} {
		f.Add(seed.name, []byte(seed.data))
	}
	c := newCodec(f)
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		v, err := c.Decode(name, data)
		if err != nil {
			return
		}
		name2, enc, err := c.Encode(v)
		if err != nil || name2 != name {
			t.Fatalf("Encode(Decode(%q, %q)) = %q, %v; want the name %q back", name, data, name2, err, name)
		}
		back, err := c.Decode(name, enc)
		if err != nil || !reflect.DeepEqual(back, v) {
			t.Errorf("Decode(Encode(%#v)) = %#v, %v; want the same value", v, back, err)
		}
	})
}
