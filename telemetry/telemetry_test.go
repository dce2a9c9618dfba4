package telemetry_test

import (
	"errors"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"testing"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/telemetry"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

func quiet() telemetry.Option {
	return telemetry.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// recorder collects the events its handler receives.
type recorder struct {
	mu     sync.Mutex
	events []string
	md     []telemetry.Metadata
	m      []telemetry.Measurements
}

func (r *recorder) handle(event string, m telemetry.Measurements, md telemetry.Metadata) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event)
	r.m = append(r.m, m)
	r.md = append(r.md, md)
}

func (r *recorder) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

func TestAttachValidation(t *testing.T) {
	r := telemetry.New()
	noop := func(string, telemetry.Measurements, telemetry.Metadata) {}
	cases := []struct {
		name   string
		id     string
		events []string
		fn     telemetry.Handler
	}{
		{"empty id", "", []string{"a"}, noop},
		{"no events", "h", nil, noop},
		{"empty event", "h", []string{"a", ""}, noop},
		{"nil fn", "h", []string{"a"}, nil},
	}
	for _, c := range cases {
		if err := r.Attach(c.id, c.events, c.fn); !errors.Is(err, telemetry.ErrInvalidHandler) {
			t.Errorf("%s: Attach = %v, want ErrInvalidHandler", c.name, err)
		}
	}
	if err := r.Attach("h", []string{"a"}, noop); err != nil {
		t.Fatal(err)
	}
	if err := r.Attach("h", []string{"b"}, noop); !errors.Is(err, telemetry.ErrAlreadyAttached) {
		t.Errorf("second Attach = %v, want ErrAlreadyAttached", err)
	}
	if err := r.Detach("h"); err != nil {
		t.Fatal(err)
	}
	if err := r.Detach("h"); !errors.Is(err, telemetry.ErrNotAttached) {
		t.Errorf("second Detach = %v, want ErrNotAttached", err)
	}
}

func TestExecuteRunsAttachedHandlersInOrder(t *testing.T) {
	r := telemetry.New()
	var order []string
	for _, id := range []string{"first", "second"} {
		if err := r.Attach(id, []string{"a.b", "a.c"}, func(ev string, _ telemetry.Measurements, _ telemetry.Metadata) {
			order = append(order, id+":"+ev)
		}); err != nil {
			t.Fatal(err)
		}
	}
	if !r.Enabled("a.b") || r.Enabled("a.d") {
		t.Fatalf("Enabled(a.b)=%t Enabled(a.d)=%t", r.Enabled("a.b"), r.Enabled("a.d"))
	}
	r.Execute("a.b", nil, nil)
	r.Execute("a.d", nil, nil) // nobody listens
	r.Execute("a.c", nil, nil)
	want := []string{"first:a.b", "second:a.b", "first:a.c", "second:a.c"}
	if !equal(order, want) {
		t.Fatalf("order = %v, want %v", order, want)
	}
	if err := r.Detach("first"); err != nil {
		t.Fatal(err)
	}
	order = nil
	r.Execute("a.b", nil, nil)
	if !equal(order, []string{"second:a.b"}) {
		t.Fatalf("after detach: %v", order)
	}
	hs := r.Handlers()
	if len(hs) != 1 || hs[0].ID != "second" || !equal(hs[0].Events, []string{"a.b", "a.c"}) {
		t.Fatalf("Handlers = %+v", hs)
	}
}

func TestPanickingHandlerIsDetachedAndReported(t *testing.T) {
	r := telemetry.New(quiet())
	var failures recorder
	if err := r.Attach("watch", []string{telemetry.HandlerFailure}, failures.handle); err != nil {
		t.Fatal(err)
	}
	calls := 0
	if err := r.Attach("bad", []string{"x"}, func(string, telemetry.Measurements, telemetry.Metadata) {
		calls++
		panic("boom")
	}); err != nil {
		t.Fatal(err)
	}
	var good recorder
	if err := r.Attach("good", []string{"x"}, good.handle); err != nil {
		t.Fatal(err)
	}
	r.Execute("x", nil, nil)
	r.Execute("x", nil, nil)
	if calls != 1 {
		t.Errorf("panicking handler ran %d times, want 1 (detached after its panic)", calls)
	}
	if got := len(good.names()); got != 2 {
		t.Errorf("good handler ran %d times, want 2", got)
	}
	if got := failures.names(); len(got) != 1 {
		t.Fatalf("failure events = %v, want one", got)
	}
	md := failures.md[0]
	if md["handler_id"] != "bad" || md["event"] != "x" || md["stack"] == "" {
		t.Errorf("failure metadata = %v", md)
	}
	if err, _ := md["reason"].(error); err == nil || err.Error() != "panic: boom" {
		t.Errorf("failure reason = %v", md["reason"])
	}
}

func TestFailingFailureHandlerDoesNotLoop(t *testing.T) {
	r := telemetry.New(quiet())
	n := 0
	if err := r.Attach("bad", []string{"x", telemetry.HandlerFailure}, func(string, telemetry.Measurements, telemetry.Metadata) {
		n++
		panic(errors.New("again"))
	}); err != nil {
		t.Fatal(err)
	}
	r.Execute("x", nil, nil)
	if n != 1 || len(r.Handlers()) != 0 {
		t.Fatalf("ran %d times, %d handlers left", n, len(r.Handlers()))
	}
}

func TestSpan(t *testing.T) {
	r := telemetry.New()
	var rec recorder
	events := []string{"op.start", "op.stop", "op.exception"}
	if err := r.Attach("rec", events, rec.handle); err != nil {
		t.Fatal(err)
	}
	err := r.Span("op", telemetry.Metadata{"k": 1}, func() (telemetry.Metadata, error) {
		return telemetry.Metadata{"result": "ok"}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := r.Span("op", nil, func() (telemetry.Metadata, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("Span error = %v", err)
	}
	func() {
		defer func() {
			if v := recover(); v != "kaput" {
				t.Errorf("recovered %v, want the span's panic", v)
			}
		}()
		_ = r.Span("op", nil, func() (telemetry.Metadata, error) { panic("kaput") })
	}()
	want := []string{"op.start", "op.stop", "op.start", "op.exception", "op.start", "op.exception"}
	if got := rec.names(); !equal(got, want) {
		t.Fatalf("events = %v, want %v", got, want)
	}
	if rec.md[1]["k"] != 1 || rec.md[1]["result"] != "ok" {
		t.Errorf("stop metadata = %v", rec.md[1])
	}
	if d, ok := rec.m[1]["duration"]; !ok || d < 0 {
		t.Errorf("stop measurements = %v", rec.m[1])
	}
	if rec.md[3]["kind"] != "error" || rec.md[3]["reason"] != boom {
		t.Errorf("error exception metadata = %v", rec.md[3])
	}
	if rec.md[5]["kind"] != "panic" {
		t.Errorf("panic exception metadata = %v", rec.md[5])
	}
}

func TestConcurrentAttachAndExecute(t *testing.T) {
	r := telemetry.New()
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := 0
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				id := string(rune('a'+w)) + string(rune('0'+i%10))
				_ = r.Attach(id, []string{"e"}, func(string, telemetry.Measurements, telemetry.Metadata) {
					mu.Lock()
					seen++
					mu.Unlock()
				})
				r.Execute("e", nil, nil)
				_ = r.Detach(id)
			}
		})
	}
	wg.Wait()
	if len(r.Handlers()) != 0 {
		t.Fatalf("handlers left: %v", r.Handlers())
	}
	if seen < 800 {
		t.Fatalf("each Execute after its own Attach must reach that handler: saw %d, want >= 800", seen)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func BenchmarkExecuteNoHandler(b *testing.B) {
	r := telemetry.New()
	for b.Loop() {
		r.Execute("orchard.none", nil, nil)
	}
}

func BenchmarkExecuteOneHandler(b *testing.B) {
	r := telemetry.New()
	n := 0
	_ = r.Attach("h", []string{"e"}, func(string, telemetry.Measurements, telemetry.Metadata) { n++ })
	m := telemetry.Measurements{"count": 1}
	for b.Loop() {
		r.Execute("e", m, nil)
	}
}

// TestSpanGoexit: a span whose function ends its goroutine reports an
// exception of kind "exit" and lets the goroutine end, without a panic.
func TestSpanGoexit(t *testing.T) {
	r := telemetry.New()
	var rec recorder
	if err := r.Attach("rec", []string{"op.start", "op.stop", "op.exception"}, rec.handle); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = r.Span("op", nil, func() (telemetry.Metadata, error) {
			runtime.Goexit()
			return nil, nil
		})
		t.Error("Span returned after Goexit")
	}()
	<-done
	if got := rec.names(); !equal(got, []string{"op.start", "op.exception"}) || rec.md[1]["kind"] != "exit" {
		t.Fatalf("events = %v, metadata %v; want start then an exit exception", got, rec.md)
	}
}
