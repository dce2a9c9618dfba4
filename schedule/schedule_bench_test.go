package schedule_test

import (
	"context"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/schedule"
)

// benchScheduler starts a node, a scheduler with opts and a receiver
// whose arrivals signal done, for one benchmark.
func benchScheduler(b *testing.B, opts ...schedule.Option) (s *schedule.Scheduler, to process.PID, done <-chan any) {
	b.Helper()
	node, err := process.NewNode()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = node.Stop(context.Background()) })
	s, err = schedule.Start(node, opts...)
	if err != nil {
		b.Fatal(err)
	}
	to, done = receiver(node)
	return s, to, done
}

// BenchmarkAddCancel: one Every added and cancelled per op (two calls to
// the scheduler, a timer armed and cancelled).
func BenchmarkAddCancel(b *testing.B) {
	s, to, _ := benchScheduler(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		id, err := s.Every(ctx, time.Hour, to, "x")
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Cancel(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFire: one After(0) per op, from the call to the arrival, with
// the built-in send and with a Deliverer (a delivery process per firing).
func BenchmarkFire(b *testing.B) {
	plain := schedule.DelivererFunc(func(_ context.Context, dest process.Dest, msg any) error {
		pid, err := dest.Resolve()
		if err != nil {
			return err
		}
		target, err := rt.Lookup(pid)
		if err != nil {
			return err
		}
		return target.Send(msg)
	})
	for _, bc := range []struct {
		name string
		opts []schedule.Option
	}{
		{"deliverer=send", nil},
		{"deliverer=func", []schedule.Option{schedule.WithDeliverer(plain)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s, to, done := benchScheduler(b, bc.opts...)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.After(ctx, 0, to, "x"); err != nil {
					b.Fatal(err)
				}
				<-done
			}
		})
	}
}
