package bench_test

import (
	"context"
	"testing"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// sendCounter adds every int it gets, by HandleInfo (sends) or HandleCall
// (calls, which reply with the total). One op of BenchmarkSend is the
// same work in every side: one increment reaching the server.
type sendCounter struct{ total int }

func (*sendCounter) Init(*genserver.Self) error { return nil }

func (c *sendCounter) HandleInfo(_ *genserver.Self, msg any) error {
	c.total += msg.(int)
	return nil
}

func (c *sendCounter) HandleCall(_ *genserver.Self, _ genserver.From, req any) (any, error) {
	if n, ok := req.(int); ok {
		c.total += n
	}
	return c.total, nil
}

// BenchmarkSend compares supervised send at each confirmation level with
// a plain genserver.Call doing the same work. enqueued ends with one call
// that waits for the server to drain, so every side measures handled
// increments.
func BenchmarkSend(b *testing.B) {
	for _, side := range []struct {
		name string
		op   func(ctx context.Context, s *send.Sender, pid process.PID) error
	}{
		{"enqueued", func(ctx context.Context, s *send.Sender, pid process.PID) error {
			return s.Send(ctx, pid, 1)
		}},
		{"handled", func(ctx context.Context, s *send.Sender, pid process.PID) error {
			return s.Send(ctx, pid, 1, send.WithConfirm(send.Handled))
		}},
		{"call", func(ctx context.Context, _ *send.Sender, pid process.PID) error {
			_, err := genserver.Call[int](ctx, pid, 1)
			return err
		}},
	} {
		b.Run(side.name, func(b *testing.B) {
			b.ReportAllocs()
			sendLoop(b, side.op)
		})
	}
}

func sendLoop(b *testing.B, op func(context.Context, *send.Sender, process.PID) error) {
	n := newNode(b)
	pid, err := genserver.Start(n, &sendCounter{})
	if err != nil {
		b.Fatal(err)
	}
	s, err := send.New(send.WithTelemetry(telemetry.New()))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		if err := op(ctx, s, pid); err != nil {
			b.Fatal(err)
		}
	}
	total, err := genserver.Call[int](ctx, pid, "total") // drains enqueued sends
	b.StopTimer()
	perSecond(b, "msgs/s")
	if err != nil || total != b.N {
		b.Fatalf("server total = %d, %v; want %d", total, err, b.N)
	}
}
