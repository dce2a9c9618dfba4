package deadletter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/internal/natsengine"
)

// DefaultBucket is the JetStream key-value bucket that holds entries when
// no other is named.
const DefaultBucket = "ORCHARD_DEADLETTERS"

// JetStreamStore is a durable [Store]: a JetStream key-value bucket with
// file storage, one key per entry (key = entry id, value = the entry as
// JSON, history 1).
//
// Why a KV bucket and not a plain stream: entries are read, updated (an
// attempt counted) and deleted by id, which is exactly a KV's Get, Put and
// Delete; a stream would need per-subject last-message lookups and purges
// to do the same. A KV bucket is a stream underneath, so the sync policy
// and file format are JetStream's.
type JetStreamStore struct {
	js     jetstream.JetStream
	kv     jetstream.KeyValue
	engine *natsengine.Engine // owned engine (OpenDir) or nil
	closed atomic.Bool
}

var _ Store = (*JetStreamStore)(nil)

// OpenJetStream opens (creating if needed) the bucket in js and returns a
// store on it. An empty bucket means [DefaultBucket]. The store does not
// own js: Close leaves the connection and the server running. Use it to
// share one embedded server per node between Orchard's durable services.
func OpenJetStream(ctx context.Context, js jetstream.JetStream, bucket string) (*JetStreamStore, error) {
	if js == nil {
		return nil, invalid("nil JetStream")
	}
	if bucket == "" {
		bucket = DefaultBucket
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      bucket,
		Description: "Orchard dead letters (key = entry id)",
		History:     1,
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("deadletter: open bucket %s: %w", bucket, err)
	}
	return &JetStreamStore{js: js, kv: kv}, nil
}

// DirConfig configures [OpenDir].
type DirConfig struct {
	// SyncAlways fsyncs every entry before Put returns. Default false:
	// an acknowledged entry survives a crash of the program (the OS page
	// cache holds it) and files are fsynced every SyncInterval, so only a
	// crash of the machine can lose the last interval's entries.
	SyncAlways bool
	// SyncInterval is the fsync period without SyncAlways; zero means
	// nats-server's default (two minutes).
	SyncInterval time.Duration
	// Bucket names the key-value bucket; empty means [DefaultBucket].
	Bucket string
	// ReadyTimeout bounds the embedded server's start; zero means ten
	// seconds.
	ReadyTimeout time.Duration
}

// OpenDir starts an embedded NATS server with JetStream on dir (no network
// listener, in-process connection) and returns a store that owns it:
// Close shuts the server down. Only one server may run on a directory at
// a time; a second OpenDir on it, in this process or another, fails with
// an error saying it is in use.
func OpenDir(ctx context.Context, dir string, cfg DirConfig) (*JetStreamStore, error) {
	eng, err := natsengine.Start(ctx, natsengine.Config{
		Dir: dir, SyncAlways: cfg.SyncAlways, SyncInterval: cfg.SyncInterval,
		ReadyTimeout: cfg.ReadyTimeout, ServerName: "orchard-deadletter",
	})
	if err != nil {
		return nil, fmt.Errorf("deadletter: %w", err)
	}
	s, err := OpenJetStream(ctx, eng.JetStream(), cfg.Bucket)
	if err != nil {
		_ = eng.Shutdown(context.Background())
		return nil, err
	}
	s.engine = eng
	return s, nil
}

// JetStream returns the JetStream the store lives in, so that other
// durable services (schedule.OpenKVStore) keep their data in the same
// engine: with [OpenDir], the one embedded server of the data directory.
func (s *JetStreamStore) JetStream() jetstream.JetStream { return s.js }

// Put stores e; it returns once JetStream acknowledged the write (after an
// fsync under SyncAlways).
func (s *JetStreamStore) Put(ctx context.Context, e Entry) error {
	if s.closed.Load() {
		return ErrClosed
	}
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("deadletter: encode entry %s: %w", e.ID, err)
	}
	if _, err := s.kv.Put(ctx, e.ID, data); err != nil {
		return fmt.Errorf("deadletter: put %s: %w", e.ID, err)
	}
	return nil
}

// Get returns the entry with the id, or a *[CorruptError] when its record
// cannot be decoded.
func (s *JetStreamStore) Get(ctx context.Context, id string) (Entry, error) {
	if s.closed.Load() {
		return Entry{}, ErrClosed
	}
	kve, err := s.kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrInvalidKey) {
		return Entry{}, ErrNotFound
	}
	if err != nil {
		return Entry{}, fmt.Errorf("deadletter: get %s: %w", id, err)
	}
	e, err := decodeEntry(kve.Value())
	if err != nil {
		return Entry{}, &CorruptError{Records: []CorruptRecord{{Key: id, Err: err}}}
	}
	return e, nil
}

// decodeEntry decodes a record; one without an id is not an entry.
func decodeEntry(data []byte) (Entry, error) {
	var e Entry
	if err := json.Unmarshal(data, &e); err != nil {
		return Entry{}, fmt.Errorf("decode entry: %w", err)
	}
	if e.ID == "" {
		return Entry{}, errors.New("decode entry: no id")
	}
	return e, nil
}

// Delete removes the entry with the id: a KV purge, which drops every
// revision of the key and leaves one small purge marker (no value) in
// its place; the bucket's PurgeDeletes (jetstream.KeyValue) removes old
// markers.
func (s *JetStreamStore) Delete(ctx context.Context, id string) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if err := s.kv.Purge(ctx, id); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("deadletter: delete %s: %w", id, err)
	}
	return nil
}

// Scan lists the bucket's keys, then reads each entry; an entry deleted in
// between is skipped, and so is a record that cannot be decoded: Scan
// goes on and returns a *[CorruptError] naming those at the end.
func (s *JetStreamStore) Scan(ctx context.Context, fn func(Entry) bool) error {
	if s.closed.Load() {
		return ErrClosed
	}
	ids, err := s.keys(ctx)
	if err != nil {
		return err
	}
	var corrupt []CorruptRecord
	for _, id := range ids {
		e, err := s.Get(ctx, id)
		var ce *CorruptError
		switch {
		case errors.Is(err, ErrNotFound):
			continue
		case errors.As(err, &ce):
			corrupt = append(corrupt, ce.Records...)
			continue
		case err != nil:
			return err
		}
		if !fn(e) {
			break
		}
	}
	if len(corrupt) > 0 {
		return &CorruptError{Records: corrupt}
	}
	return nil
}

func (s *JetStreamStore) keys(ctx context.Context) ([]string, error) {
	lister, err := s.kv.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("deadletter: list keys: %w", err)
	}
	defer func() { _ = lister.Stop() }()
	var ids []string
	for {
		select {
		case id, ok := <-lister.Keys():
			if !ok {
				return ids, nil
			}
			ids = append(ids, id)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Close marks the store closed and, for a store made by [OpenDir], shuts
// its embedded server down (JetStream syncs its files first). Later calls
// return [ErrClosed].
func (s *JetStreamStore) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return ErrClosed
	}
	if s.engine != nil {
		return s.engine.Shutdown(context.Background())
	}
	return nil
}
