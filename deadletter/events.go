package deadletter

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/seed-fe72f376/orchard/telemetry"
)

// Telemetry event names. Every event has the measurement "count" (1, or
// the number of entries for Purged and Rearmed); the per-entry events also
// have "attempts" (the entry's attempts after the event). Metadata keys
// are listed per event.
const (
	// EventAdded: an entry was stored. Metadata "id", "dest" (printed),
	// "reason" (string), "replayable" (bool).
	EventAdded = "orchard.deadletter.added"
	// EventRetried: a re-delivery succeeded (the entry is then removed).
	// Metadata "id", "dest", "auto" (bool: by the retrier).
	EventRetried = "orchard.deadletter.retried"
	// EventRetryFailed: a re-delivery failed and the entry stays.
	// Metadata "id", "dest", "auto", "reason" (error).
	EventRetryFailed = "orchard.deadletter.retry_failed"
	// EventExhausted: an entry reached the retrier's maximum and will no
	// longer be retried automatically. Metadata "id", "dest".
	EventExhausted = "orchard.deadletter.exhausted"
	// EventRemoved: an entry left the store. Metadata "id", "cause"
	// ("delivered" or "purged").
	EventRemoved = "orchard.deadletter.removed"
	// EventPurged: a Purge removed "count" entries. Metadata "filter"
	// ([Filter]).
	EventPurged = "orchard.deadletter.purged"
	// EventRetrierError: a pass of the automatic retrier stopped on a
	// store error; the retrier goes on at its next tick. Metadata
	// "reason" (error).
	EventRetrierError = "orchard.deadletter.retrier_error"
	// EventRearmed: a Rearm made "count" entries due now. Metadata
	// "filter".
	EventRearmed = "orchard.deadletter.rearmed"
	// EventCorrupt: a read of the store (List, Retry, Purge, Rearm, Len,
	// a retrier pass) skipped a record it could not decode; emitted once
	// per record and read. Metadata "key" (the record's key) and "reason"
	// (error).
	EventCorrupt = "orchard.deadletter.corrupt"
	// EventLost: a durable store opened having lost data while it was
	// closed (package deadletter/jsstore: its OpenDir and OpenNodeStore,
	// ErrDamaged); published at every open until the damage is
	// acknowledged. Measurements "count" (records lost, at least) and
	// "bytes"; metadata "bucket", "how" and "dir". Counted by the default
	// metric orchard_deadletter_lost_total. Declared here, beside the
	// queue's events, so that metrics count it without importing the
	// store (and NATS).
	EventLost = "orchard.deadletter.lost"
)

// Stats counts what a queue did since it was created (not what its store
// holds: see [Queue.Len]). Corrupt counts the undecodable records its
// reads skipped, once per record and read ([EventCorrupt]).
type Stats struct {
	Added, Retried, RetryFailed, Exhausted, Removed, Purged, Rearmed, Corrupt uint64
}

type counters struct {
	added, retried, retryFailed, exhausted, removed, purged, rearmed, corrupt atomic.Uint64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Added: c.added.Load(), Retried: c.retried.Load(), RetryFailed: c.retryFailed.Load(),
		Exhausted: c.exhausted.Load(), Removed: c.removed.Load(), Purged: c.purged.Load(),
		Rearmed: c.rearmed.Load(), Corrupt: c.corrupt.Load(),
	}
}

// absorbCorrupt reports the records of a *CorruptError in err and returns
// nil when err is only that; any other error is returned as it is.
func (q *Queue) absorbCorrupt(err error) error {
	var ce *CorruptError
	if !errors.As(err, &ce) {
		return err
	}
	for _, r := range ce.Records {
		q.stats.corrupt.Add(1)
		q.emit(EventCorrupt, 1, nil, telemetry.Metadata{"key": r.Key, "reason": r.Err})
	}
	if err == error(ce) {
		return nil
	}
	return err
}

// scan is the store's Scan with corrupt records reported.
func (q *Queue) scan(ctx context.Context, fn func(Entry) bool) error {
	return q.absorbCorrupt(q.store.Scan(ctx, fn))
}

func (q *Queue) emit(event string, count float64, e *Entry, md telemetry.Metadata) {
	r := q.cfg.telemetry
	if !r.Enabled(event) {
		return
	}
	m := telemetry.Measurements{"count": count}
	if e != nil {
		m["attempts"] = float64(e.Attempts)
		if md == nil {
			md = telemetry.Metadata{}
		}
		md["id"], md["dest"] = e.ID, e.Dest.Printed
	}
	r.Execute(event, m, md)
}
