package deadletter

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/internal/live"
	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Queue is a dead-letter queue over a [Store]. It implements
// send.DeadLetterSink. Its methods are safe from any goroutine.
type Queue struct {
	node  *process.Node
	store Store
	cfg   config
	stats counters

	seq    atomic.Uint64
	closed atomic.Bool

	// retryMu serialises re-deliveries (Retry and the retrier), so an
	// entry is never delivered twice by one queue.
	retryMu sync.Mutex

	mu      sync.Mutex // protects the fields below
	live    map[string]process.Dest
	retrier process.PID
}

var _ send.DeadLetterSink = (*Queue)(nil)

// New returns a queue that stores entries in store and re-delivers them on
// node. It starts nothing: see [Queue.StartRetrier] for automatic retry.
// The queue does not own store; close the store after [Queue.Close].
func New(node *process.Node, store Store, opts ...Option) (*Queue, error) {
	if node == nil {
		return nil, badArg("New", "node", "is nil")
	}
	if store == nil || isNilStore(store) {
		return nil, badArg("New", "store", "is nil")
	}
	cfg := config{codec: NewJSONCodec(), telemetry: nodeenv.Telemetry(node), retryTO: DefaultRetryTimeout, now: time.Now}
	for _, o := range opts {
		if o == nil {
			return nil, badArg("New", "opts", "has a nil option")
		}
		if err := o.apply(&cfg); err != nil {
			return nil, err
		}
	}
	q := &Queue{node: node, store: store, cfg: cfg, live: map[string]process.Dest{}}
	if q.cfg.deliver == nil {
		q.cfg.deliver = deliverToLive
	}
	if q.cfg.resolve == nil {
		q.cfg.resolve = q.resolveDefault
	}
	return q, nil
}

// deliverToLive is the default [Deliverer]: it puts msg in the mailbox of
// the live process behind dest and fails (with an error matching
// process.NoProc) when there is none. node.SendDest would not do: a send
// to a dead PID is dropped and reported as sent, so the entry would be
// removed and the message lost.
func deliverToLive(ctx context.Context, dest process.Dest, msg any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t, err := live.Target(dest)
	if err != nil {
		return err
	}
	return t.Send(msg)
}

// DeadLetter stores l; it is [Queue.Add] without the entry, for
// send.DeadLetterSink. It returns once the store acknowledged the entry.
func (q *Queue) DeadLetter(ctx context.Context, l send.Letter) error {
	if err := checkCall("Queue.DeadLetter", q == nil, ctx); err != nil {
		return err
	}
	_, err := q.Add(ctx, l)
	return err
}

// Add stores l as a new entry and returns it once the store acknowledged
// it. A message the codec cannot encode is stored all the same, as a
// non-replayable entry (Entry.Replayable false) with its Go type and
// printed form. Defaults: a nil Reason is stored as "unknown", zero
// Attempts as 1, a zero FirstFailure as now and a zero LastAttempt as
// FirstFailure.
func (q *Queue) Add(ctx context.Context, l send.Letter) (Entry, error) {
	if err := checkCall("Queue.Add", q == nil, ctx); err != nil {
		return Entry{}, err
	}
	if q.closed.Load() {
		return Entry{}, ErrClosed
	}
	if l.Dest == nil {
		return Entry{}, badArg("Queue.Add", "l.Dest", "is nil")
	}
	e := q.newEntry(l)
	if err := q.store.Put(ctx, e); err != nil {
		return Entry{}, err
	}
	q.mu.Lock()
	q.live[e.ID] = l.Dest
	q.mu.Unlock()
	q.stats.added.Add(1)
	q.emit(EventAdded, 1, &e, telemetry.Metadata{"reason": e.Reason, "replayable": e.Replayable})
	return e, nil
}

func (q *Queue) newEntry(l send.Letter) Entry {
	now := q.cfg.now()
	e := Entry{
		ID: q.newID(now), Dest: destinationOf(l.Dest), Reason: "unknown",
		Metadata: l.Metadata, Attempts: max(l.Attempts, 1),
		FirstFailure: l.FirstFailure, LastAttempt: l.LastAttempt, DueAt: now.Add(q.cfg.interval),
	}
	e.Msg, e.Replayable = encodeMessage(q.cfg.codec, l.Msg)
	if l.Reason != nil {
		e.Reason = l.Reason.Error()
	}
	if e.FirstFailure.IsZero() {
		e.FirstFailure = now
	}
	if e.LastAttempt.IsZero() {
		e.LastAttempt = e.FirstFailure
	}
	return e
}

// newID returns an id that sorts by creation time: the time in
// nanoseconds, a per-queue sequence and a random part (two programs may
// share a store), in hex.
func (q *Queue) newID(now time.Time) string {
	return fmt.Sprintf("%016x%04x%08x", uint64(now.UnixNano()), uint16(q.seq.Add(1)), rand.Uint32())
}

// destinationOf records d durably.
func destinationOf(d process.Dest) Destination {
	switch d := d.(type) {
	case process.PID:
		return Destination{Kind: DestPID, Printed: d.String()}
	case process.Name:
		return Destination{Kind: DestName, Name: d.String(), Printed: d.String()}
	case registry.ViaName:
		return Destination{Kind: DestVia, Name: fmt.Sprint(d.Key()), Printed: d.String()}
	}
	return Destination{Kind: DestOther, Printed: fmt.Sprint(d)}
}

// Get returns the entry with the id, or an error matching [ErrNotFound].
func (q *Queue) Get(ctx context.Context, id string) (Entry, error) {
	if err := checkCall("Queue.Get", q == nil, ctx); err != nil {
		return Entry{}, err
	}
	if id == "" {
		return Entry{}, badArg("Queue.Get", "id", "is empty")
	}
	if q.closed.Load() {
		return Entry{}, ErrClosed
	}
	return q.store.Get(ctx, id)
}

// List returns the entries f selects, oldest first failure first (ties by
// id), at most limit of them; limit 0 means all. It reads the whole store;
// records the store cannot decode are skipped and reported
// ([EventCorrupt], [Stats].Corrupt).
func (q *Queue) List(ctx context.Context, f Filter, limit int) ([]Entry, error) {
	if err := checkCall("Queue.List", q == nil, ctx); err != nil {
		return nil, err
	}
	if limit < 0 {
		return nil, invalid("Queue.List", "limit", "must not be negative, got %d", limit)
	}
	if q.closed.Load() {
		return nil, ErrClosed
	}
	return q.list(ctx, f, limit)
}

// list is list on the queue's store, with corrupt records reported and
// skipped.
func (q *Queue) list(ctx context.Context, f Filter, limit int) ([]Entry, error) {
	out, err := list(ctx, q.store, f, limit)
	if err = q.absorbCorrupt(err); err != nil {
		return nil, err
	}
	return out, nil
}

// List returns the entries of store that f selects, ordered and limited as
// [Queue.List] does; for tools that read a store without a queue. When the
// store skipped undecodable records it returns the readable entries and a
// *[CorruptError] naming the others.
func List(ctx context.Context, store Store, f Filter, limit int) ([]Entry, error) {
	if err := checkStoreCall("List", store, ctx); err != nil {
		return nil, err
	}
	if limit < 0 {
		return nil, invalid("List", "limit", "must not be negative, got %d", limit)
	}
	return list(ctx, store, f, limit)
}

// list returns the selected entries and the store's error; with a
// *CorruptError (only), the readable entries are returned as well.
func list(ctx context.Context, store Store, f Filter, limit int) ([]Entry, error) {
	var out []Entry
	err := store.Scan(ctx, func(e Entry) bool {
		if f.Match(e) {
			out = append(out, e)
		}
		return true
	})
	if err != nil && !onlyCorrupt(err) {
		return nil, err
	}
	slices.SortFunc(out, byFirstFailure)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, err
}

// onlyCorrupt reports whether err is a *CorruptError and nothing else.
func onlyCorrupt(err error) bool {
	_, ok := err.(*CorruptError)
	return ok
}

func byFirstFailure(a, b Entry) int {
	if c := a.FirstFailure.Compare(b.FirstFailure); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// Len returns the number of readable entries in the store (corrupt
// records are reported, not counted).
func (q *Queue) Len(ctx context.Context) (int, error) {
	if err := checkCall("Queue.Len", q == nil, ctx); err != nil {
		return 0, err
	}
	if q.closed.Load() {
		return 0, ErrClosed
	}
	n := 0
	err := q.scan(ctx, func(Entry) bool { n++; return true })
	return n, err
}

// Decode returns the entry's message as the Go value that was
// dead-lettered. It fails with a *[NotReplayableError] for a
// non-replayable entry.
func (q *Queue) Decode(e Entry) (any, error) {
	if q == nil {
		return nil, badArg("Queue.Decode", "receiver", "is nil")
	}
	if !e.Replayable {
		return nil, &NotReplayableError{ID: e.ID, Type: e.Msg.Type, Cause: e.Msg.EncodeError}
	}
	msg, err := q.cfg.codec.Decode(e.Msg.Type, e.Msg.Data)
	if err != nil {
		return nil, &NotReplayableError{ID: e.ID, Type: e.Msg.Type, Cause: err.Error()}
	}
	return msg, nil
}

// Stats returns the queue's counters; zero for a nil queue.
func (q *Queue) Stats() Stats {
	if q == nil {
		return Stats{}
	}
	return q.stats.snapshot()
}

// Purge removes the entries f selects (a zero Filter: all of them) and
// returns how many it removed. It waits for a retry pass in progress
// ([Queue.Retry], the retrier), so that the pass cannot put back an entry
// Purge removed.
func (q *Queue) Purge(ctx context.Context, f Filter) (int, error) {
	if err := checkCall("Queue.Purge", q == nil, ctx); err != nil {
		return 0, err
	}
	if q.closed.Load() {
		return 0, ErrClosed
	}
	q.retryMu.Lock() // a retry pass must not put back what Purge removes
	defer q.retryMu.Unlock()
	n, err := Purge(ctx, q.store, f, func(e Entry) { q.forget(e.ID) })
	err = q.absorbCorrupt(err)
	q.stats.purged.Add(uint64(n))
	q.stats.removed.Add(uint64(n))
	q.emit(EventPurged, float64(n), nil, telemetry.Metadata{"filter": f})
	return n, err
}

// Purge removes the entries of store that f selects, calling removed (if
// not nil) for each; for tools that work on a store without a queue. When
// the store skipped undecodable records, it removes the readable entries
// selected and returns a *[CorruptError] naming the others.
func Purge(ctx context.Context, store Store, f Filter, removed func(Entry)) (int, error) {
	if err := checkStoreCall("Purge", store, ctx); err != nil {
		return 0, err
	}
	entries, err := list(ctx, store, f, 0)
	if err != nil && !onlyCorrupt(err) {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if err := store.Delete(ctx, e.ID); err != nil {
			return n, err
		}
		n++
		if removed != nil {
			removed(e)
		}
	}
	return n, err
}

func (q *Queue) forget(id string) {
	q.mu.Lock()
	delete(q.live, id)
	q.mu.Unlock()
	if q.cfg.telemetry.Enabled(EventRemoved) {
		q.cfg.telemetry.Execute(EventRemoved, telemetry.Measurements{"count": 1}, telemetry.Metadata{"id": id, "cause": "purged"})
	}
}

// Rearm makes the entries f selects due for automatic retry now and
// resets their automatic retry count, so a running retrier (in this
// program or, through a shared store, in another) retries them at its
// next tick. It returns how many entries it re-armed. Like
// [Queue.Purge], it waits for a retry pass in progress, which would
// otherwise overwrite the reset.
func (q *Queue) Rearm(ctx context.Context, f Filter) (int, error) {
	if err := checkCall("Queue.Rearm", q == nil, ctx); err != nil {
		return 0, err
	}
	if q.closed.Load() {
		return 0, ErrClosed
	}
	q.retryMu.Lock() // a retry pass must not overwrite what Rearm resets
	defer q.retryMu.Unlock()
	n, err := Rearm(ctx, q.store, f, q.cfg.now())
	err = q.absorbCorrupt(err)
	q.stats.rearmed.Add(uint64(n))
	q.emit(EventRearmed, float64(n), nil, telemetry.Metadata{"filter": f})
	return n, err
}

// Rearm re-arms the entries of store that f selects, as [Queue.Rearm]
// does, with now as their due time; for tools that work on a store
// without a queue (the orchard CLI). Undecodable records are handled as
// [Purge] handles them.
func Rearm(ctx context.Context, store Store, f Filter, now time.Time) (int, error) {
	if err := checkStoreCall("Rearm", store, ctx); err != nil {
		return 0, err
	}
	if now.IsZero() {
		return 0, badArg("Rearm", "now", "is zero")
	}
	entries, err := list(ctx, store, f, 0)
	if err != nil && !onlyCorrupt(err) {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		e.AutoRetries, e.DueAt = 0, now
		if err := store.Put(ctx, e); err != nil {
			return n, err
		}
		n++
	}
	return n, err
}

// Close stops the queue's retrier, if any, and makes later calls fail
// with [ErrClosed]. It waits for the retrier to stop, at most until ctx
// ends. It does not close the store. Later calls return nil.
func (q *Queue) Close(ctx context.Context) error {
	if err := checkCall("Queue.Close", q == nil, ctx); err != nil {
		return err
	}
	if !q.closed.CompareAndSwap(false, true) {
		return nil
	}
	q.mu.Lock()
	pid := q.retrier
	q.mu.Unlock()
	if pid.IsZero() {
		return nil
	}
	err := stopRetrier(ctx, pid)
	if errors.Is(err, process.NoProc) {
		return nil
	}
	return err
}
