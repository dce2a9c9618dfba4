package send_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/breaker"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

const waitTimeout = 5 * time.Second

// inbox is a GenServer that records what HandleInfo gets; crash, when
// set, decides whether a message makes it panic.
type inbox struct {
	mu    sync.Mutex // protects got
	got   []any
	crash func(msg any) bool
}

func (*inbox) Init(*genserver.Self) error { return nil }

func (b *inbox) HandleInfo(_ *genserver.Self, msg any) error {
	if b.crash != nil && b.crash(msg) {
		panic("crash on " + msg.(string))
	}
	b.mu.Lock()
	b.got = append(b.got, msg)
	b.mu.Unlock()
	return nil
}

func (b *inbox) messages() []any {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]any(nil), b.got...)
}

func startInbox(t *testing.T, node *process.Node, b *inbox, opts ...genserver.StartOption) process.PID {
	t.Helper()
	pid, err := genserver.Start(node, b, opts...)
	if err != nil {
		t.Fatalf("genserver.Start = %v", err)
	}
	return pid
}

func deadPID(t *testing.T, node *process.Node) process.PID {
	t.Helper()
	pid := startInbox(t, node, &inbox{})
	if err := genserver.Stop(pid, nil, waitTimeout); err != nil {
		t.Fatal(err)
	}
	return pid
}

func newSender(t *testing.T, opts ...send.SenderOption) *send.Sender {
	t.Helper()
	opts = append([]send.SenderOption{send.WithTelemetry(telemetry.New())}, opts...)
	s, err := send.New(opts...)
	if err != nil {
		t.Fatalf("send.New = %v", err)
	}
	return s
}

func TestSendEnqueuedToLiveProcess(t *testing.T) {
	node := otptest.NewNode(t)
	probe := otptest.NewProbe(t, node)
	s := newSender(t)
	if err := s.Send(context.Background(), probe.PID(), "hello"); err != nil {
		t.Fatalf("Send = %v; want nil", err)
	}
	if got := probe.Expect(t, waitTimeout); got != "hello" {
		t.Fatalf("received %v; want hello", got)
	}
	if st := s.Stats(); st.Sent != 1 || st.Delivered != 1 || st.Failed != 0 {
		t.Fatalf("Stats = %+v; want 1 sent, 1 delivered", st)
	}
}

func TestSendHandledToLiveServer(t *testing.T) {
	node := otptest.NewNode(t)
	b := &inbox{}
	pid := startInbox(t, node, b)
	s := newSender(t)
	if err := s.Send(context.Background(), pid, "hello", send.WithConfirm(send.Handled)); err != nil {
		t.Fatalf("Send = %v; want nil", err)
	}
	// Handled: HandleInfo has returned, no need to wait.
	if got := b.messages(); len(got) != 1 || got[0] != "hello" {
		t.Fatalf("server handled %v; want [hello]", got)
	}
}

func TestSendToDeadProcess(t *testing.T) {
	node := otptest.NewNode(t)
	dead := deadPID(t, node)
	for _, tc := range []struct {
		name string
		dest process.Dest
	}{
		{"pid", dead},
		{"name", node.Name("nobody")},
	} {
		for _, level := range []send.Level{send.Enqueued, send.Handled} {
			t.Run(tc.name+"/"+level.String(), func(t *testing.T) {
				s := newSender(t)
				err := s.Send(context.Background(), tc.dest, "x", send.WithConfirm(level))
				var se *send.Error
				if !errors.Is(err, send.ErrNoProc) || !errors.Is(err, process.NoProc) || !errors.As(err, &se) {
					t.Fatalf("Send(%v) = %v; want a *send.Error matching ErrNoProc", tc.dest, err)
				}
				if se.Outcome != send.NoProc || se.Attempts != 1 {
					t.Fatalf("Error = %+v; want NoProc after 1 attempt", se)
				}
				if st := s.Stats(); st.Sent != 1 || st.Failed != 1 || st.Delivered != 0 {
					t.Fatalf("Stats = %+v; want 1 sent, 1 failed", st)
				}
			})
		}
	}
}

func TestSendHandledCrashReason(t *testing.T) {
	node := otptest.NewNode(t)
	pid := startInbox(t, node, &inbox{crash: func(any) bool { return true }})
	err := newSender(t).Send(context.Background(), pid, "boom", send.WithConfirm(send.Handled))
	var pe *process.PanicError
	if !errors.Is(err, send.ErrCrashed) || !errors.As(err, &pe) || pe.Value != "crash on boom" {
		t.Fatalf("Send = %v; want ErrCrashed with the panic", err)
	}
}

// TestRetryReachesRestartedServer is Foundation's case: a server that
// crashes on the first two deliveries, under a supervisor, gets the
// third attempt, addressed by name.
func TestRetryReachesRestartedServer(t *testing.T) {
	for _, tc := range []struct {
		name string
		dest func(node *process.Node, reg *registry.Registry) (process.Dest, genserver.StartOption)
	}{
		{"local name", func(node *process.Node, _ *registry.Registry) (process.Dest, genserver.StartOption) {
			return node.Name("flaky"), genserver.WithName("flaky")
		}},
		{"via", func(_ *process.Node, reg *registry.Registry) (process.Dest, genserver.StartOption) {
			v := registry.Via(reg, "flaky")
			return v, genserver.WithVia(v)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			node := otptest.NewNode(t)
			reg, err := registry.New(node)
			if err != nil {
				t.Fatal(err)
			}
			dest, nameOpt := tc.dest(node, reg)
			var deliveries atomic.Int32
			b := &inbox{crash: func(any) bool { return deliveries.Add(1) <= 2 }}
			_, err = supervisor.Start(node, supervisor.Spec{
				Flags: supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 5, Period: time.Minute},
				Children: []supervisor.ChildSpec{{ID: "flaky", Start: func(p *process.Proc) (process.PID, error) {
					return genserver.StartLink(p, b, nameOpt)
				}}},
			}, supervisor.WithLogger(slog.New(slog.DiscardHandler)))
			if err != nil {
				t.Fatal(err)
			}
			quiet := slog.New(slog.DiscardHandler)
			s := newSender(t, send.WithLogger(quiet))
			backoff := send.Backoff{Initial: time.Millisecond, Max: 10 * time.Millisecond, Multiplier: 2, Jitter: send.EqualJitter}
			err = s.Send(context.Background(), dest, "third time lucky",
				send.WithConfirm(send.Handled), send.WithRetries(10), send.WithBackoff(backoff), send.WithTimeout(waitTimeout))
			if err != nil {
				t.Fatalf("Send = %v; want nil", err)
			}
			if got := b.messages(); len(got) != 1 || got[0] != "third time lucky" {
				t.Fatalf("server handled %v; want the message once", got)
			}
			if n := deliveries.Load(); n != 3 {
				t.Fatalf("deliveries = %d; want 3", n)
			}
			if st := s.Stats(); st.Delivered != 1 || st.Retried < 2 {
				t.Fatalf("Stats = %+v; want 1 delivered after at least 2 retries", st)
			}
		})
	}
}

func TestRetryStopsAtTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		s := newSender(t)
		start := time.Now()
		err := s.Send(context.Background(), node.Name("never"), "x",
			send.WithRetries(1000), send.WithTimeout(time.Second),
			send.WithBackoff(send.Backoff{Initial: 100 * time.Millisecond, Max: 100 * time.Millisecond, Multiplier: 1, Jitter: send.NoJitter}))
		var se *send.Error
		if !errors.As(err, &se) || se.Outcome != send.NoProc {
			t.Fatalf("Send = %v; want NoProc", err)
		}
		if took := time.Since(start); took >= time.Second || se.Attempts != 10 {
			t.Fatalf("gave up after %v and %d attempts; want 10 attempts within 1s", took, se.Attempts)
		}
	})
}

func TestRetryHonoursContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(250*time.Millisecond, cancel)
		err := newSender(t).Send(ctx, node.Name("never"), "x", send.WithRetries(1000), send.WithTimeout(send.Infinity),
			send.WithBackoff(send.Backoff{Initial: 100 * time.Millisecond, Max: 100 * time.Millisecond, Multiplier: 1, Jitter: send.NoJitter}))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Send = %v; want context.Canceled", err)
		}
	})
}

func TestNoRetryForBadInput(t *testing.T) {
	otherNode := otptest.NewNode(t)
	pid := startInbox(t, otherNode, &inbox{})
	if err := otherNode.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := newSender(t)
	err := s.Send(context.Background(), pid, "x", send.WithRetries(5))
	var se *send.Error
	if !errors.As(err, &se) || se.Outcome != send.Rejected || se.Attempts != 1 {
		t.Fatalf("Send to a stopped node = %v; want Rejected after 1 attempt", err)
	}
}

func TestHandledTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		release := make(chan struct{})
		pid, err := genserver.Start(node, &blocker{release: release})
		if err != nil {
			t.Fatal(err)
		}
		err = newSender(t).Send(context.Background(), pid, "x", send.WithConfirm(send.Handled), send.WithTimeout(time.Second))
		close(release)
		var se *send.Error
		if !errors.Is(err, send.ErrTimeout) || !errors.As(err, &se) || !se.Timeout() {
			t.Fatalf("Send = %v; want ErrTimeout", err)
		}
	})
}

type blocker struct{ release chan struct{} }

func (*blocker) Init(*genserver.Self) error { return nil }

func (b *blocker) HandleInfo(*genserver.Self, any) error { <-b.release; return nil }

func TestInvalidOption(t *testing.T) {
	node := otptest.NewNode(t)
	pid := startInbox(t, node, &inbox{})
	s := newSender(t)
	for _, tc := range []struct {
		name string
		send func() error
	}{
		//lint:ignore SA1012 a nil context is the bad input under test
		{"nil context", func() error { return s.Send(nil, pid, "x") }},
		{"nil dest", func() error { return s.Send(context.Background(), nil, "x") }},
		{"zero option", func() error { return s.Send(context.Background(), pid, "x", send.Option{}) }},
		{"negative retries", func() error { return s.Send(context.Background(), pid, "x", send.WithRetries(-1)) }},
		{"zero timeout", func() error { return s.Send(context.Background(), pid, "x", send.WithTimeout(0)) }},
		{"bad level", func() error { return s.Send(context.Background(), pid, "x", send.WithConfirm(7)) }},
		{"bad backoff", func() error { return s.Send(context.Background(), pid, "x", send.WithBackoff(send.Backoff{})) }},
		{"dead letter without sink", func() error {
			return s.Send(context.Background(), pid, "x", send.WithOnError(send.DeadLetter))
		}},
		{"bad strategy", func() error {
			_, err := s.Broadcast(context.Background(), []process.Dest{pid}, "x", send.Strategy(9))
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.send(); !errors.Is(err, send.ErrInvalidOption) {
				t.Fatalf("%s: err = %v; want ErrInvalidOption", tc.name, err)
			}
		})
	}
	if st := s.Stats(); st.Sent != 0 {
		t.Fatalf("Stats = %+v; want nothing sent", st)
	}
	if _, err := send.New(send.WithDeadLetterSink(nil)); !errors.Is(err, send.ErrInvalidOption) {
		t.Fatalf("New(nil sink) = %v; want ErrInvalidOption", err)
	}
}

// fakeSink records letters.
type fakeSink struct {
	mu      sync.Mutex // protects letters
	letters []send.Letter
	err     error
}

func (f *fakeSink) DeadLetter(_ context.Context, l send.Letter) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.letters = append(f.letters, l)
	return nil
}

func TestOnErrorDeadLetter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		sink := &fakeSink{}
		s := newSender(t, send.WithDeadLetterSink(sink))
		dest := node.Name("gone")
		md := map[string]string{"trace": "abc"}
		err := s.Send(context.Background(), dest, "payload", send.WithOnError(send.DeadLetter),
			send.WithRetries(2), send.WithMetadata(md))
		if !errors.Is(err, send.ErrNoProc) {
			t.Fatalf("Send = %v; want ErrNoProc", err)
		}
		if len(sink.letters) != 1 {
			t.Fatalf("sink got %d letters; want 1", len(sink.letters))
		}
		l := sink.letters[0]
		if l.Dest != process.Dest(dest) || l.Msg != "payload" || !errors.Is(l.Reason, send.ErrNoProc) ||
			l.Metadata["trace"] != "abc" || l.Attempts != 3 || l.FirstFailure.IsZero() || l.LastAttempt.Before(l.FirstFailure) {
			t.Fatalf("letter = %+v; want a complete letter after 3 attempts", l)
		}
		if st := s.Stats(); st.DeadLettered != 1 || st.Failed != 1 || st.Retried != 2 {
			t.Fatalf("Stats = %+v; want 1 dead-lettered, 1 failed, 2 retried", st)
		}
	})
}

func TestOnErrorDeadLetterSinkFails(t *testing.T) {
	node := otptest.NewNode(t)
	errFull := errors.New("disk full")
	s := newSender(t, send.WithDeadLetterSink(&fakeSink{err: errFull}))
	err := s.Send(context.Background(), node.Name("gone"), "x", send.WithOnError(send.DeadLetter))
	var dle *send.DeadLetterError
	if !errors.Is(err, send.ErrNoProc) || !errors.As(err, &dle) || !errors.Is(err, errFull) {
		t.Fatalf("Send = %v; want ErrNoProc joined with the sink's error", err)
	}
	if st := s.Stats(); st.DeadLettered != 0 {
		t.Fatalf("Stats = %+v; want nothing dead-lettered", st)
	}
}

func TestOnErrorLog(t *testing.T) {
	node := otptest.NewNode(t)
	var buf bytes.Buffer
	s := newSender(t, send.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	err := s.Send(context.Background(), node.Name("gone"), "x", send.WithOnError(send.Log))
	if !errors.Is(err, send.ErrNoProc) {
		t.Fatalf("Send = %v; want ErrNoProc", err)
	}
	out := buf.String()
	if !strings.Contains(out, "send failed") || !strings.Contains(out, "outcome=noproc") || !strings.Contains(out, "dest=gone") {
		t.Fatalf("log = %q; want a send failed record", out)
	}
}

func TestOnErrorIgnore(t *testing.T) {
	node := otptest.NewNode(t)
	tel := telemetry.New()
	var ignored atomic.Int32
	if err := tel.Attach("t", []string{send.EventIgnored}, func(string, telemetry.Measurements, telemetry.Metadata) {
		ignored.Add(1)
	}); err != nil {
		t.Fatal(err)
	}
	s := newSender(t, send.WithTelemetry(tel))
	if err := s.Send(context.Background(), node.Name("gone"), "x", send.WithOnError(send.Ignore)); err != nil {
		t.Fatalf("Send = %v; want nil", err)
	}
	if st := s.Stats(); st.Ignored != 1 || st.Failed != 1 || ignored.Load() != 1 {
		t.Fatalf("Stats = %+v, %d events; want 1 ignored, 1 failed, 1 event", st, ignored.Load())
	}
}

func TestTelemetryEveryOutcome(t *testing.T) {
	node := otptest.NewNode(t)
	tel := telemetry.New()
	var mu sync.Mutex
	got := map[string][]telemetry.Metadata{}
	events := []string{send.EventDelivered, send.EventFailed, send.EventRetry, send.EventDeadLettered, send.EventIgnored, send.EventBroadcast}
	if err := tel.Attach("t", events, func(ev string, _ telemetry.Measurements, md telemetry.Metadata) {
		mu.Lock()
		got[ev] = append(got[ev], md)
		mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	s := newSender(t, send.WithTelemetry(tel), send.WithDeadLetterSink(&fakeSink{}))
	probe := otptest.NewProbe(t, node)
	fast := send.WithBackoff(send.Backoff{Initial: time.Microsecond, Max: time.Microsecond, Multiplier: 1})
	ctx := context.Background()
	_ = s.Send(ctx, probe.PID(), "ok")
	_ = s.Send(ctx, node.Name("gone"), "x", send.WithRetries(1), fast)
	_ = s.Send(ctx, node.Name("gone"), "x", send.WithOnError(send.DeadLetter))
	_ = s.Send(ctx, node.Name("gone"), "x", send.WithOnError(send.Ignore))
	_, _ = s.Broadcast(ctx, []process.Dest{probe.PID()}, "b", send.BestEffort)
	want := map[string]int{send.EventDelivered: 2, send.EventFailed: 3, send.EventRetry: 1, send.EventDeadLettered: 1, send.EventIgnored: 1, send.EventBroadcast: 1}
	for ev, n := range want {
		if len(got[ev]) != n {
			t.Errorf("%s emitted %d times; want %d", ev, len(got[ev]), n)
		}
	}
	if md := got[send.EventFailed][0]; md["outcome"] != "noproc" || md["dest"] != "gone" || md["on_error"] != "return" {
		t.Errorf("failed metadata = %v", md)
	}
}

func TestBreakerOpensAndRecovers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		tel := telemetry.New()
		var changes []string
		if err := tel.Attach("t", []string{breaker.EventStateChanged}, func(_ string, _ telemetry.Measurements, md telemetry.Metadata) {
			changes = append(changes, md["from"].(string)+"->"+md["to"].(string))
		}); err != nil {
			t.Fatal(err)
		}
		settings := breaker.DefaultSettings()
		settings.FailureThreshold, settings.OpenTimeout = 2, 10*time.Second
		set, err := breaker.NewSet(settings, breaker.WithTelemetry(tel))
		if err != nil {
			t.Fatal(err)
		}
		s := newSender(t, send.WithBreakers(set))
		dest := node.Name("svc")
		ctx := context.Background()
		for range 2 {
			if err := s.Send(ctx, dest, "x"); !errors.Is(err, send.ErrNoProc) {
				t.Fatalf("Send = %v; want ErrNoProc", err)
			}
		}
		startInbox(t, node, &inbox{}, genserver.WithName("svc"))
		if err := s.Send(ctx, dest, "x"); !errors.Is(err, send.ErrCircuitOpen) {
			t.Fatalf("Send with open breaker = %v; want ErrCircuitOpen", err)
		}
		time.Sleep(settings.OpenTimeout + time.Millisecond) // gobreaker: open until strictly after
		if st := set.Get(breaker.Key(dest)).State(); st != breaker.HalfOpen {
			t.Fatalf("state after OpenTimeout = %v; want half-open", st)
		}
		if err := s.Send(ctx, dest, "x", send.WithConfirm(send.Handled)); err != nil {
			t.Fatalf("Send after OpenTimeout = %v; want nil", err)
		}
		if st := set.Get(breaker.Key(dest)).State(); st != breaker.Closed {
			t.Fatalf("state = %v; want closed", st)
		}
		want := []string{"closed->open", "open->half-open", "half-open->closed"}
		if strings.Join(changes, " ") != strings.Join(want, " ") {
			t.Fatalf("state changes = %v; want %v", changes, want)
		}
	})
}
