package schedule

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/internal/natsengine"
	"github.com/seed-fe72f376/orchard/process"
)

// KVStore is a [Store] in a JetStream key-value bucket: one key per
// schedule id, the record as JSON. Build it with [NewKVStore] or
// [OpenKVStore]. On a nil *KVStore, one over a nil bucket, and for a nil
// ctx or an empty id, every method returns an error matching
// [ErrInvalidArgument].
type KVStore struct {
	kv jetstream.KeyValue
}

// NewKVStore returns a Store over kv. The bucket is the caller's: create
// it (file storage for durability, history 1 is enough) on the node's
// embedded NATS server and keep it for the scheduler's life. NewKVStore
// has no error result: over a nil kv, the store's methods return an
// error matching [ErrInvalidArgument].
func NewKVStore(kv jetstream.KeyValue) *KVStore { return &KVStore{kv: kv} }

// check refuses a nil store, a nil bucket and a nil ctx.
func (s *KVStore) check(op string, ctx context.Context) error {
	if s == nil || s.kv == nil {
		return invalidOption(op, "receiver", "is nil or has a nil bucket")
	}
	if ctx == nil {
		return invalidOption(op, "ctx", "is nil")
	}
	return nil
}

// DefaultBucket is the key-value bucket [OpenKVStore] uses by default.
const DefaultBucket = "orchard_schedules"

// OpenKVStore opens (creating if needed) a file-stored bucket in js, an
// empty bucket meaning [DefaultBucket], and returns a Store over it. In
// an application use [OpenNodeStore], which opens the bucket in the
// node's one engine. The store does not own js: stop the scheduler before
// closing whatever owns it (with jsstore.OpenDir, the dead-letter
// store, whose Close shuts the embedded server down).
func OpenKVStore(ctx context.Context, js jetstream.JetStream, bucket string) (*KVStore, error) {
	const op = "schedule: OpenKVStore"
	if ctx == nil {
		return nil, invalidOption(op, "ctx", "is nil")
	}
	if js == nil {
		return nil, invalidOption(op, "js", "is nil")
	}
	if bucket == "" {
		bucket = DefaultBucket
	}
	kv, err := natsengine.OpenKV(ctx, js, bucket, "Orchard durable schedules (key = schedule id)")
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	return NewKVStore(kv), nil
}

// OpenNodeStore opens (creating if needed) the bucket in node's one
// engine and returns a Store over it: the common path for durable
// schedules in an application. The engine is the node's (configured once
// with engine.Configure, started on first need, shared with the
// dead-letter queue, and stopped by the application's Stop after every
// part, the scheduler included); nobody starts or stops it by hand. An
// empty bucket means [DefaultBucket].
func OpenNodeStore(ctx context.Context, node *process.Node, bucket string) (*KVStore, error) {
	const op = "schedule: OpenNodeStore"
	switch {
	case ctx == nil:
		return nil, invalidOption(op, "ctx", "is nil")
	case node == nil:
		return nil, invalidOption(op, "node", "is nil")
	}
	eng, err := natsengine.ForNode(ctx, node)
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	return OpenKVStore(ctx, eng.JetStream(), bucket)
}

// Put writes r under the key r.ID.
func (s *KVStore) Put(ctx context.Context, r Record) error {
	if err := s.check("schedule: KVStore.Put", ctx); err != nil {
		return err
	}
	if r.ID == "" {
		return invalidOption("schedule: KVStore.Put", "r.ID", "is empty")
	}
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("schedule: encode record %s: %w", r.ID, err)
	}
	if _, err := s.kv.Put(ctx, string(r.ID), data); err != nil {
		return fmt.Errorf("schedule: kv put %s: %w", r.ID, err)
	}
	return nil
}

// Delete purges the key id (its history too).
func (s *KVStore) Delete(ctx context.Context, id ID) error {
	if err := s.check("schedule: KVStore.Delete", ctx); err != nil {
		return err
	}
	if id == "" {
		return invalidOption("schedule: KVStore.Delete", "id", "is empty")
	}
	if err := s.kv.Purge(ctx, string(id)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("schedule: kv delete %s: %w", id, err)
	}
	return nil
}

// List reads every record of the bucket, ordered by id, through a watch
// that stops once the current values are read. A value that does not
// decode is skipped, not fatal: List then returns the good records with
// a *[BadRecordsError] naming the bad keys.
func (s *KVStore) List(ctx context.Context) ([]Record, error) {
	if err := s.check("schedule: KVStore.List", ctx); err != nil {
		return nil, err
	}
	w, err := s.kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("schedule: kv list: %w", err)
	}
	defer func() { _ = w.Stop() }()
	var out []Record
	var bad []BadRecord
	for {
		select {
		case e := <-w.Updates():
			if e == nil { // the current values are all read
				return listResult(out, bad)
			}
			var r Record
			if err := json.Unmarshal(e.Value(), &r); err != nil {
				bad = append(bad, BadRecord{ID: ID(e.Key()), Err: err})
				continue
			}
			out = append(out, r)
		case <-ctx.Done():
			return nil, fmt.Errorf("schedule: kv list: %w", ctx.Err())
		}
	}
}

// listResult sorts the records by id and adds a *BadRecordsError when
// some could not be decoded.
func listResult(out []Record, bad []BadRecord) ([]Record, error) {
	slices.SortFunc(out, func(a, b Record) int { return cmp.Compare(a.ID, b.ID) })
	if len(bad) > 0 {
		return out, &BadRecordsError{Records: bad}
	}
	return out, nil
}
