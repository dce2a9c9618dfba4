package deadletter

import (
	"context"
	"errors"
	"slices"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// RetryResult is what [Queue.Retry] did: the ids delivered (and removed)
// and the failures (entries left in place), in first-failure order.
type RetryResult struct {
	Delivered []string
	Failed    []*RetryError
}

// errNoLiveDest is the default resolver's answer for a destination that
// only this queue's memory could have resolved.
var errNoLiveDest = errors.New("no live destination: stored by an earlier run or another queue")

// Retry re-delivers the entries f selects, oldest first failure first,
// through the queue's [Deliverer]. A delivered entry is removed. A failed
// one stays with one more attempt counted; a non-replayable one stays as
// it is (*[NotReplayableError]), and so does an undeliverable one, with an
// attempt counted (*[UndeliverableError]). The error is the errors.Join of
// the failures (each a *[RetryError]), or the store's error, which stops
// the retry; undecodable records are skipped and reported
// ([EventCorrupt]). An entry purged during its delivery stays purged.
// Retry does not count automatic retries and ignores their maximum. It
// waits for each delivery in turn, bounded by ctx.
func (q *Queue) Retry(ctx context.Context, f Filter) (RetryResult, error) {
	if err := checkCall("Queue.Retry", q == nil, ctx); err != nil {
		return RetryResult{}, err
	}
	var res RetryResult
	if q.closed.Load() {
		return res, ErrClosed
	}
	q.retryMu.Lock()
	defer q.retryMu.Unlock()
	entries, err := q.list(ctx, f, 0)
	if err != nil {
		return res, err
	}
	var errs []error
	for _, e := range entries {
		err := q.retryEntry(ctx, e, false)
		var re *RetryError
		switch {
		case err == nil:
			res.Delivered = append(res.Delivered, e.ID)
		case errors.As(err, &re):
			res.Failed = append(res.Failed, re)
			errs = append(errs, re)
		default:
			return res, err
		}
	}
	return res, errors.Join(errs...)
}

// retryEntry re-delivers e once. It returns nil when delivered, a
// *RetryError when the entry stays, or the store's error.
func (q *Queue) retryEntry(ctx context.Context, e Entry, auto bool) error {
	msg, err := q.Decode(e)
	if err != nil {
		return &RetryError{ID: e.ID, Err: err}
	}
	dest, derr := q.destOf(e)
	if derr == nil {
		derr = q.cfg.deliver(ctx, dest, msg)
	}
	if derr == nil {
		return q.delivered(ctx, e, auto)
	}
	return q.failed(ctx, e, auto, derr)
}

func (q *Queue) delivered(ctx context.Context, e Entry, auto bool) error {
	e.Attempts++
	if err := q.store.Delete(ctx, e.ID); err != nil {
		return err
	}
	q.mu.Lock()
	delete(q.live, e.ID)
	q.mu.Unlock()
	q.stats.retried.Add(1)
	q.stats.removed.Add(1)
	q.emit(EventRetried, 1, &e, telemetry.Metadata{"auto": auto})
	q.emit(EventRemoved, 1, &e, telemetry.Metadata{"cause": "delivered"})
	return nil
}

// failed counts the failed attempt on the stored entry. It reads the entry
// again first: during the delivery a program sharing the store (the
// orchard CLI, another queue) may have purged it, which the failure must
// not undo, or re-armed it, which it must not overwrite. The re-read and
// the Put are not atomic; the window left is the store's round trip, not
// the delivery.
func (q *Queue) failed(ctx context.Context, read Entry, auto bool, reason error) error {
	e, err := q.store.Get(ctx, read.ID)
	if errors.Is(err, ErrNotFound) {
		return &RetryError{ID: read.ID, Err: reason} // removed meanwhile
	}
	if err != nil {
		return err
	}
	now := q.cfg.now()
	e.Attempts++
	e.LastAttempt = now
	if e.AutoRetries == read.AutoRetries && e.DueAt.Equal(read.DueAt) { // not re-armed meanwhile
		e.DueAt = now.Add(q.cfg.interval)
		if auto {
			e.AutoRetries++
		}
	}
	if err := q.store.Put(ctx, e); err != nil {
		return err
	}
	q.stats.retryFailed.Add(1)
	q.emit(EventRetryFailed, 1, &e, telemetry.Metadata{"auto": auto, "reason": reason})
	if auto && e.AutoRetries >= q.cfg.maxRetries {
		q.stats.exhausted.Add(1)
		q.emit(EventExhausted, 1, &e, nil)
	}
	return &RetryError{ID: e.ID, Err: reason}
}

// destOf returns the live destination this queue was given for e, or the
// resolver's answer for its record.
func (q *Queue) destOf(e Entry) (process.Dest, error) {
	q.mu.Lock()
	d, ok := q.live[e.ID]
	q.mu.Unlock()
	if ok {
		return d, nil
	}
	d, err := q.cfg.resolve(e.Dest)
	if err != nil {
		return nil, &UndeliverableError{ID: e.ID, Dest: e.Dest, Err: err}
	}
	if d == nil {
		return nil, &UndeliverableError{ID: e.ID, Dest: e.Dest}
	}
	return d, nil
}

// resolveDefault resolves local names on the queue's node. PIDs are
// meaningful only in the node incarnation that made them, and this
// queue's live table already holds those it was given; via-names need the
// application's registry (WithResolver).
func (q *Queue) resolveDefault(d Destination) (process.Dest, error) {
	if d.Kind == DestName && d.Name != "" {
		return q.node.Name(d.Name), nil
	}
	return nil, errNoLiveDest
}

// retryDue re-delivers the entries due for automatic retry. It is run by
// the retrier process; each delivery is bounded by the retry timeout and
// by ctx (the retrier's context).
func (q *Queue) retryDue(ctx context.Context) error {
	q.retryMu.Lock()
	defer q.retryMu.Unlock()
	now := q.cfg.now()
	var due []Entry
	err := q.scan(ctx, func(e Entry) bool {
		if e.Replayable && e.AutoRetries < q.cfg.maxRetries && !e.DueAt.After(now) {
			due = append(due, e)
		}
		return true
	})
	if err != nil {
		return err
	}
	slices.SortFunc(due, byFirstFailure)
	for _, e := range due {
		if err := q.retryOne(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

func (q *Queue) retryOne(ctx context.Context, e Entry) error {
	dctx, cancel := context.WithTimeout(ctx, q.cfg.retryTO)
	defer cancel()
	err := q.retryEntry(dctx, e, true)
	var re *RetryError
	if errors.As(err, &re) {
		return nil // counted; the entry stays
	}
	return err
}
