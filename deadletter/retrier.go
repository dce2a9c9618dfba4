package deadletter

import (
	"context"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

// retrier is the genserver that runs automatic retries: one tick every
// interval, armed with SendAfter so the timer dies with the process.
type retrier struct {
	q *Queue
}

// retryTick is the retrier's timer message.
type retryTick struct{}

func (r *retrier) Init(s *genserver.Self) error { return r.arm(s) }

func (r *retrier) arm(s *genserver.Self) error {
	//orchardvet:allow selftimer the queue's auto-retry pass predates the scheduler here; moving it to package schedule is a follow-up
	_, err := s.SendAfter(s.PID(), retryTick{}, r.q.cfg.interval)
	return err
}

// HandleInfo runs one retry pass per tick. A store error is reported as
// [EventRetrierError] and the retrier goes on: the store may come
// back (a JetStream server restarting), and crashing would only restart it.
func (r *retrier) HandleInfo(s *genserver.Self, msg any) error {
	if _, ok := msg.(retryTick); !ok {
		return nil
	}
	if err := r.q.retryDue(s.Context()); err != nil && s.Context().Err() == nil {
		r.q.emit(EventRetrierError, 1, nil, map[string]any{"reason": err})
	}
	return r.arm(s)
}

// StartRetrier starts the queue's automatic retrier as a genserver owned
// by the queue's node (stopped by [Queue.Close] or when the node stops)
// and returns its PID. It needs [WithAutoRetry] and fails with
// [ErrRetrierRunning] while one is alive.
func (q *Queue) StartRetrier() (process.PID, error) {
	if q == nil {
		return process.PID{}, badArg("Queue.StartRetrier", "receiver", "is nil")
	}
	return q.startRetrier("Queue.StartRetrier", func(srv genserver.Server) (process.PID, error) {
		return genserver.Start(q.node, srv)
	})
}

// StartRetrierLink starts the retrier linked to parent. Its signature is
// a supervisor child's start function, so a supervisor can own it:
//
//	supervisor.ChildSpec{ID: "deadletter-retrier", Start: q.StartRetrierLink}
func (q *Queue) StartRetrierLink(parent *process.Proc) (process.PID, error) {
	switch {
	case q == nil:
		return process.PID{}, badArg("Queue.StartRetrierLink", "receiver", "is nil")
	case parent == nil:
		return process.PID{}, badArg("Queue.StartRetrierLink", "parent", "is nil")
	}
	return q.startRetrier("Queue.StartRetrierLink", func(srv genserver.Server) (process.PID, error) {
		return genserver.StartLink(parent, srv)
	})
}

func (q *Queue) startRetrier(op string, start func(genserver.Server) (process.PID, error)) (process.PID, error) {
	if q.cfg.interval <= 0 {
		return process.PID{}, badArg(op, "receiver", "has no auto retry policy (WithAutoRetry)")
	}
	if q.closed.Load() {
		return process.PID{}, ErrClosed
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.retrier.IsZero() && q.node.IsAlive(q.retrier) {
		return process.PID{}, ErrRetrierRunning
	}
	pid, err := start(&retrier{q: q})
	if err != nil {
		return process.PID{}, err
	}
	q.retrier = pid
	return pid, nil
}

func stopRetrier(ctx context.Context, pid process.PID) error {
	timeout := 5 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		timeout = max(time.Until(dl), time.Millisecond)
	}
	return genserver.Stop(pid, process.Shutdown, timeout)
}
