package deadletter_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
)

func TestRetryToDeadPIDKeepsEntry(t *testing.T) {
	node := otptest.NewNode(t)
	q := newQueue(t, node, deadletter.NewMemoryStore())
	pr := otptest.NewProbe(t, node)
	e := add(t, q, send.Letter{Dest: pr.PID(), Msg: Order{ID: 1}, Reason: errors.New("full")})
	if err := node.Exit(pr.PID(), process.Kill); err != nil {
		t.Fatalf("Exit(probe, Kill) = %v", err)
	}
	otptest.Eventually(t, time.Second, func() bool { return !node.IsAlive(pr.PID()) }, "probe still alive")

	res, err := q.Retry(context.Background(), deadletter.Filter{})
	if !errors.Is(err, process.NoProc) || len(res.Delivered) != 0 || len(res.Failed) != 1 {
		t.Fatalf("Retry(dead PID) = %+v, %v; want one failure matching process.NoProc", res, err)
	}
	got, err := q.Get(context.Background(), e.ID)
	if err != nil || got.Attempts != e.Attempts+1 {
		t.Errorf("entry after Retry(dead PID) = %+v, %v; want kept with attempts %d", got, err, e.Attempts+1)
	}
}

// blockingDeliverer fails every delivery, after the test released it.
type blockingDeliverer struct {
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func newBlockingDeliverer() *blockingDeliverer {
	return &blockingDeliverer{entered: make(chan struct{}), release: make(chan struct{})}
}

func (b *blockingDeliverer) deliver(ctx context.Context, _ process.Dest, _ any) error {
	b.once.Do(func() { close(b.entered) })
	select {
	case <-b.release:
		return errors.New("still down")
	case <-ctx.Done():
		return ctx.Err()
	}
}

func TestRemovalDuringRetryIsNotUndone(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		// alongside is true when the change completes while the delivery
		// blocks (it does not go through the queue's retry lock).
		alongside bool
		change    func(q *deadletter.Queue, store deadletter.Store) (int, error)
		check     func(t *testing.T, got deadletter.Entry, err error)
	}{
		{"Queue.Purge", false,
			func(q *deadletter.Queue, _ deadletter.Store) (int, error) { return q.Purge(ctx, deadletter.Filter{}) },
			wantGone},
		{"Purge(store)", true,
			func(_ *deadletter.Queue, s deadletter.Store) (int, error) {
				return deadletter.Purge(ctx, s, deadletter.Filter{}, nil)
			},
			wantGone},
		{"Rearm(store)", true,
			func(_ *deadletter.Queue, s deadletter.Store) (int, error) {
				return deadletter.Rearm(ctx, s, deadletter.Filter{}, t0)
			},
			func(t *testing.T, got deadletter.Entry, err error) {
				if err != nil || !got.DueAt.Equal(t0) || got.AutoRetries != 0 {
					t.Errorf("entry = %+v, %v; want the re-armed due time %v kept", got, err, t0)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			node := otptest.NewNode(t)
			store := deadletter.NewMemoryStore()
			b := newBlockingDeliverer()
			q := newQueue(t, node, store, deadletter.WithDeliverer(b.deliver), deadletter.WithAutoRetry(time.Hour, 3))
			e := add(t, q, send.Letter{Dest: node.Name("svc"), Msg: Order{ID: 1}})

			retried := make(chan error, 1)
			go func() { _, err := q.Retry(ctx, deadletter.Filter{}); retried <- err }()
			<-b.entered
			changed := make(chan int, 1)
			go func() {
				n, err := tc.change(q, store)
				if err != nil {
					t.Errorf("%s = %v", tc.name, err)
				}
				changed <- n
			}()
			if tc.alongside {
				if n := <-changed; n != 1 {
					t.Errorf("%s = %d; want 1", tc.name, n)
				}
			}
			close(b.release)
			if err := <-retried; err == nil {
				t.Errorf("Retry = nil; want the delivery failure")
			}
			if !tc.alongside {
				if n := <-changed; n != 1 {
					t.Errorf("%s = %d; want 1", tc.name, n)
				}
			}
			got, err := q.Get(ctx, e.ID)
			tc.check(t, got, err)
		})
	}
}

func wantGone(t *testing.T, got deadletter.Entry, err error) {
	t.Helper()
	if !errors.Is(err, deadletter.ErrNotFound) {
		t.Errorf("Get(purged during a retry) = %+v, %v; want ErrNotFound", got, err)
	}
}
