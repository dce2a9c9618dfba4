package schedule_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/schedule"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// flaky is a server that crashes on the first crashes messages it is
// given (counted across restarts) and records the others.
type flaky struct {
	seen    *atomic.Int64
	crashes int64
	got     chan any
}

func (f *flaky) Init(*genserver.Self) error { return nil }

func (f *flaky) HandleInfo(_ *genserver.Self, msg any) error {
	if f.seen.Add(1) <= f.crashes {
		return errors.New("flaky: crash")
	}
	f.got <- msg
	return nil
}

// TestSendDelivererRetriesReachRestartedServer: a scheduled message goes
// through supervised send; the server crashes on the first two deliveries,
// its supervisor restarts it under its name, and the third attempt is
// handled. With the retries exhausted instead, the message ends as a dead
// letter and the scheduler reports the failure.
func TestSendDelivererRetriesReachRestartedServer(t *testing.T) {
	for _, tc := range []struct {
		name    string
		crashes int64
		letters int
	}{{"third attempt handled", 2, 0}, {"exhausted to a dead letter", 10, 1}} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				node := otptest.NewNode(t)
				var seen atomic.Int64
				got := make(chan any, 1)
				spec := supervisor.Spec{
					Flags: supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 20, Period: time.Minute},
					Children: []supervisor.ChildSpec{{ID: "flaky", Start: func(p *process.Proc) (process.PID, error) {
						return genserver.StartLink(p, &flaky{seen: &seen, crashes: tc.crashes, got: got}, genserver.WithName("flaky"))
					}}},
				}
				sup, err := supervisor.Start(node, spec, supervisor.WithLogger(slog.New(slog.DiscardHandler)))
				if err != nil {
					t.Fatal(err)
				}
				defer func() { _ = supervisor.Stop(sup, process.Shutdown, time.Second) }()
				letters, err := deadletter.New(node, deadletter.NewMemoryStore())
				if err != nil {
					t.Fatal(err)
				}
				tel := telemetry.New()
				sender, err := send.New(send.WithDeadLetterSink(letters), send.WithTelemetry(tel))
				if err != nil {
					t.Fatal(err)
				}
				fails := newFailures()
				s := start(t, node, nil, fails.option(), schedule.WithDeliverer(schedule.SendDeliverer(sender,
					send.WithConfirm(send.Handled), send.WithRetries(2),
					send.WithBackoff(send.Backoff{Initial: 10 * time.Millisecond, Max: 10 * time.Millisecond, Multiplier: 1, Jitter: send.NoJitter}),
					send.WithOnError(send.DeadLetter))))
				if _, err := s.After(context.Background(), time.Second, node.Name("flaky"), "report"); err != nil {
					t.Fatal(err)
				}
				synctest.Wait()
				time.Sleep(2 * time.Second) // fake time: the firing, its retries and restarts
				synctest.Wait()
				n, err := letters.Len(context.Background())
				if err != nil || n != tc.letters {
					t.Fatalf("dead letters = %d, %v; want %d", n, err, tc.letters)
				}
				if tc.letters == 0 {
					if msg := <-got; msg != "report" || seen.Load() != 3 {
						t.Fatalf("handled %v after %d deliveries; want report after 3", msg, seen.Load())
					}
					if f := fails.get(); len(f) != 0 {
						t.Fatalf("failures reported: %+v", f)
					}
					return
				}
				if f := fails.get(); len(f) != 1 || !errors.Is(f[0].Reason, send.ErrCrashed) {
					t.Fatalf("failures = %+v; want one crash", f)
				}
			})
		})
	}
}
