package jsstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// DefaultBucket is the JetStream key-value bucket that holds entries when
// no other is named.
const DefaultBucket = "ORCHARD_DEADLETTERS"

// Store is a durable [deadletter.Store]: a JetStream key-value bucket with
// file storage, one key per entry (key = entry id, value = the entry as
// JSON, history 1).
//
// Why a KV bucket and not a plain stream: entries are read, updated (an
// attempt counted) and deleted by id, which is exactly a KV's Get, Put and
// Delete; a stream would need per-subject last-message lookups and purges
// to do the same. A KV bucket is a stream underneath, so the sync policy
// and file format are JetStream's.
type Store struct {
	bucket string
	js     jetstream.JetStream
	kv     jetstream.KeyValue
	engine *natsengine.Engine // the engine of OpenDir or OpenNodeStore, or nil
	// ownsEngine: Close shuts engine down (OpenDir's own engine; a
	// node's engine belongs to the node).
	ownsEngine bool
	closed     atomic.Bool
}

var _ deadletter.Store = (*Store)(nil)

// OpenJetStream opens (creating if needed) the bucket in js and returns a
// store on it. An empty bucket means [DefaultBucket]. The store does not
// own js: Close leaves the connection and the server running. Use it to
// share one embedded server per node between Orchard's durable services.
// The bucket has one replica unless [WithReplicas] says otherwise.
func OpenJetStream(ctx context.Context, js jetstream.JetStream, bucket string, opts ...Option) (*Store, error) {
	if ctx == nil {
		return nil, badArg("OpenJetStream", "ctx", "is nil")
	}
	if js == nil {
		return nil, badArg("OpenJetStream", "js", "is nil")
	}
	if bucket == "" {
		bucket = DefaultBucket
	}
	kv, err := natsengine.OpenKVReplicas(ctx, js, bucket, "Orchard dead letters (key = entry id)", natsengine.StoreReplicas(opts))
	if err != nil {
		return nil, fmt.Errorf("jsstore: %w", err)
	}
	return &Store{bucket: bucket, js: js, kv: kv}, nil
}

// OpenNodeStore opens (creating if needed) the bucket in node's one
// engine and returns a store on it: the common path in an application.
// The engine is the node's (configured once with engine.Configure,
// started on first need, shared with durable schedules and every other
// durable service, and stopped by the application's Stop after every
// part): Close closes the store, not the engine. An empty bucket means
// [DefaultBucket]. As [OpenDir] does, it reports data the store lost
// while closed (an error log on the node's logger and
// [deadletter.EventLost] on the node's telemetry registry) and opens with
// the surviving entries. On a node of a cluster (package cluster) the
// bucket's replica count follows the cluster's (three once three servers
// are up) unless [WithReplicas] says otherwise.
func OpenNodeStore(ctx context.Context, node *process.Node, bucket string, opts ...Option) (*Store, error) {
	switch {
	case ctx == nil:
		return nil, badArg("OpenNodeStore", "ctx", "is nil")
	case node == nil:
		return nil, badArg("OpenNodeStore", "node", "is nil")
	}
	eng, err := natsengine.ForNode(ctx, node)
	if err != nil {
		return nil, fmt.Errorf("jsstore: %w", err)
	}
	s, err := OpenJetStream(ctx, eng.JetStream(), bucket, WithReplicas(natsengine.NodeReplicas(node, opts)))
	if err != nil {
		return nil, err
	}
	s.engine = eng
	if err := s.reportDamage(ctx, DirConfig{Logger: nodeenv.Logger(node), Telemetry: nodeenv.Telemetry(node)}); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// DirConfig configures [OpenDir].
type DirConfig struct {
	// SyncAlways fsyncs every entry before Put returns. Default false:
	// an acknowledged entry survives a crash of the program (the OS page
	// cache holds it) and files are fsynced every SyncInterval, so only a
	// crash of the machine can lose the last interval's entries (see the
	// package doc's Durability section).
	SyncAlways bool
	// SyncInterval is the fsync period without SyncAlways; zero means
	// nats-server's default (two minutes).
	SyncInterval time.Duration
	// Bucket names the key-value bucket; empty means [DefaultBucket].
	Bucket string
	// ReadyTimeout bounds the embedded server's start; zero means ten
	// seconds.
	ReadyTimeout time.Duration
	// Strict makes OpenDir fail with the *[DamagedError] when the store
	// lost data while it was closed (see [Store.Verify]).
	// Default false: the store opens with the surviving entries and the
	// loss is reported loudly (an error log and [deadletter.EventLost]).
	Strict bool
	// Logger receives the error report of a damaged store; nil means
	// slog.Default().
	Logger *slog.Logger
	// Telemetry receives [deadletter.EventLost] for a damaged store; nil
	// means telemetry.Default() (OpenDir has no node; OpenNodeStore uses
	// the node's registry).
	Telemetry *telemetry.Registry
}

// OpenDir starts an embedded NATS server with JetStream on dir (created if
// missing; no network listener, in-process connection) and returns a
// store that owns it: Close shuts the server down. Only one server may run
// on a directory at a time; a second OpenDir on it, in this process or
// another, fails with an error saying it is in use.
//
// When the store lost data while it was closed (a truncated or missing
// file: see [Store.Verify]), OpenDir logs an error, publishes
// [deadletter.EventLost] and returns the store with the surviving entries; with
// [DirConfig].Strict it closes the store and returns the *[DamagedError]
// instead. The report repeats at every open until
// [Store.AcknowledgeDamage].
func OpenDir(ctx context.Context, dir string, cfg DirConfig) (*Store, error) {
	switch {
	case ctx == nil:
		return nil, badArg("OpenDir", "ctx", "is nil")
	case dir == "":
		return nil, badArg("OpenDir", "dir", "is empty")
	case cfg.SyncInterval < 0:
		return nil, invalid("OpenDir", "cfg.SyncInterval", "must not be negative, got %v", cfg.SyncInterval)
	case cfg.ReadyTimeout < 0:
		return nil, invalid("OpenDir", "cfg.ReadyTimeout", "must not be negative, got %v", cfg.ReadyTimeout)
	}
	eng, err := natsengine.Start(ctx, natsengine.Config{
		Dir: dir, SyncAlways: cfg.SyncAlways, SyncInterval: cfg.SyncInterval,
		ReadyTimeout: cfg.ReadyTimeout, ServerName: "orchard-deadletter",
	})
	if err != nil {
		return nil, fmt.Errorf("jsstore: %w", err)
	}
	s, err := OpenJetStream(ctx, eng.JetStream(), cfg.Bucket)
	if err != nil {
		_ = eng.Shutdown(context.Background())
		return nil, err
	}
	s.engine, s.ownsEngine = eng, true
	if err := s.reportDamage(ctx, cfg); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// reportDamage logs and publishes the store's damage, if any, and
// returns it under cfg.Strict.
func (s *Store) reportDamage(ctx context.Context, cfg DirConfig) error {
	err := s.Verify(ctx)
	var dmg *DamagedError
	if !errors.As(err, &dmg) {
		return err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	log.LogAttrs(ctx, slog.LevelError, "jsstore: the dead-letter store lost data while it was closed",
		slog.String("dir", s.engine.Dir()), slog.String("bucket", dmg.Bucket),
		slog.Uint64("records", dmg.Msgs), slog.Uint64("bytes", dmg.Bytes), slog.String("how", dmg.How),
		slog.Time("detected", dmg.Detected), slog.Bool("strict", cfg.Strict))
	tel := cfg.Telemetry
	if tel == nil {
		tel = telemetry.Default()
	}
	if tel.Enabled(deadletter.EventLost) {
		tel.Execute(deadletter.EventLost, telemetry.Measurements{"count": float64(dmg.Msgs), "bytes": float64(dmg.Bytes)},
			telemetry.Metadata{"bucket": dmg.Bucket, "how": dmg.How, "dir": s.engine.Dir()})
	}
	if cfg.Strict {
		return err
	}
	return nil
}

// streamName is the JetStream stream of the store's bucket.
func (s *Store) streamName() string { return "KV_" + s.bucket }

// Verify reports whether the store lost data: it returns a
// *[DamagedError] (matching [ErrDamaged]) when it did,
// [deadletter.ErrClosed] after Close, nil otherwise. It does not read
// the entries.
//
// What it knows: for a store of [OpenDir], the losses the engine found
// when it started on the directory (a stream holding fewer records than
// at the last clean shutdown, a stream gone, what nats-server reported
// lost), kept until [Store.AcknowledgeDamage]; for every store, the
// lost data nats-server reports in the bucket's stream state now, less
// what the engine already recorded of it at its start (nats-server keeps
// a loss in the stream state for as long as it runs, so it is not counted
// twice). After a crash of the program the engine cannot compare sizes
// (see the package doc's Durability section), so a loss then may go
// unreported.
func (s *Store) Verify(ctx context.Context) error {
	if err := checkCall("Store.Verify", s == nil, ctx); err != nil {
		return err
	}
	if s.closed.Load() {
		return deadletter.ErrClosed
	}
	var recorded []natsengine.StreamLoss
	if s.engine != nil {
		losses, err := s.engine.Losses()
		if err != nil {
			return fmt.Errorf("jsstore: verify: %w", err)
		}
		recorded = losses
	}
	var live *jetstream.LostStreamData
	if st, err := s.js.Stream(ctx, s.streamName()); err == nil {
		if info, err := st.Info(ctx); err == nil {
			live = info.State.Lost
		}
	}
	if dmg := damage(s.bucket, recorded, live, time.Now().UTC()); dmg != nil {
		return dmg
	}
	return nil
}

// damage merges the losses the engine recorded (those of the bucket's
// stream, and those of unknown stream "?") with the loss nats-server
// reports live in the stream's state, and returns the bucket's damage,
// or nil when there is none. The live loss is nats-server's record for
// its whole run, which the engine's start check already copied (with
// its sequences) as a [natsengine.LossEngine] entry: only the sequences
// not recorded yet are added, and only the bytes beyond those of the
// recorded entries the live loss contains. now stamps a live loss.
func damage(bucket string, recorded []natsengine.StreamLoss, live *jetstream.LostStreamData, now time.Time) *DamagedError {
	stream := "KV_" + bucket
	dmg := &DamagedError{Bucket: bucket}
	var hows []string
	add := func(msgs, bytes uint64, how string, at time.Time) {
		dmg.Msgs += msgs
		dmg.Bytes += bytes
		if !slices.Contains(hows, how) {
			hows = append(hows, how)
		}
		if dmg.Detected.IsZero() || at.Before(dmg.Detected) {
			dmg.Detected = at
		}
	}
	seen := map[uint64]bool{} // sequences recorded as lost by nats-server
	var seenBytes uint64      // bytes of recorded entries the live loss contains
	for _, l := range recorded {
		if l.Stream != stream && l.Stream != "?" {
			continue
		}
		add(l.Msgs, l.Bytes, l.How, l.Detected)
		if l.Stream != stream || l.How != natsengine.LossEngine || live == nil {
			continue
		}
		contained := true
		for _, seq := range l.Seqs {
			seen[seq] = true
			contained = contained && slices.Contains(live.Msgs, seq)
		}
		if contained {
			seenBytes += l.Bytes
		}
	}
	if live != nil {
		var msgs, bytes uint64
		for _, seq := range live.Msgs {
			if !seen[seq] {
				msgs++
			}
		}
		if live.Bytes > seenBytes {
			bytes = live.Bytes - seenBytes
		}
		if msgs > 0 || bytes > 0 {
			add(msgs, bytes, natsengine.LossEngine, now)
		}
	}
	if len(hows) == 0 {
		return nil
	}
	dmg.How = strings.Join(hows, ",")
	return dmg
}

// Unclean reports whether the store's directory was not closed cleanly
// the last time (the program crashed or was killed), for a store of
// [OpenDir]: [Store.Verify] then knows only what nats-server
// itself detected, not what a comparison with the last clean close would
// find. False for a nil store or one of [OpenJetStream].
func (s *Store) Unclean() bool {
	return s != nil && s.engine != nil && s.engine.Unclean()
}

// AcknowledgeDamage forgets the losses recorded for the store's bucket,
// so that [Store.Verify] and [OpenDir] stop reporting them: an
// operator has seen them. It brings nothing back. It cannot clear what
// nats-server itself reports in the running stream's state, nor, for a
// store of [OpenJetStream], the losses found by the engine that owns the
// directory.
func (s *Store) AcknowledgeDamage() error {
	if s == nil {
		return badArg("Store.AcknowledgeDamage", "receiver", "is nil")
	}
	if s.closed.Load() {
		return deadletter.ErrClosed
	}
	if s.engine == nil {
		return nil
	}
	if err := s.engine.ClearLosses(s.streamName(), "?"); err != nil {
		return fmt.Errorf("jsstore: acknowledge damage: %w", err)
	}
	return nil
}

// JetStream returns the JetStream the store lives in, so that other
// durable services (schedule.OpenKVStore) keep their data in the same
// engine: with [OpenDir], the one embedded server of the data directory.
// It returns nil for a nil store.
func (s *Store) JetStream() jetstream.JetStream {
	if s == nil {
		return nil
	}
	return s.js
}

// Put stores e; it returns once JetStream acknowledged the write (after an
// fsync under SyncAlways).
func (s *Store) Put(ctx context.Context, e deadletter.Entry) error {
	if err := checkCall("Store.Put", s == nil, ctx); err != nil {
		return err
	}
	if e.ID == "" {
		return badArg("Store.Put", "e.ID", "is empty")
	}
	if s.closed.Load() {
		return deadletter.ErrClosed
	}
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("jsstore: encode entry %s: %w", e.ID, err)
	}
	if _, err := s.kv.Put(ctx, e.ID, data); err != nil {
		return fmt.Errorf("jsstore: put %s: %w", e.ID, err)
	}
	return nil
}

// Get returns the entry with the id, or a *[deadletter.CorruptError] when its record
// cannot be decoded.
func (s *Store) Get(ctx context.Context, id string) (deadletter.Entry, error) {
	if err := checkCall("Store.Get", s == nil, ctx); err != nil {
		return deadletter.Entry{}, err
	}
	if id == "" {
		return deadletter.Entry{}, badArg("Store.Get", "id", "is empty")
	}
	if s.closed.Load() {
		return deadletter.Entry{}, deadletter.ErrClosed
	}
	// From the stream's leader: a replica of a replicated bucket may
	// not have applied the latest Put or Delete yet, and Queue.failed
	// reads an entry again to see whether it was purged or re-armed
	// meanwhile, which a stale copy would undo.
	kve, err := natsengine.LeaderGet(ctx, s.js, s.bucket, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrInvalidKey) {
		return deadletter.Entry{}, deadletter.ErrNotFound
	}
	if err != nil {
		return deadletter.Entry{}, fmt.Errorf("jsstore: get %s: %w", id, err)
	}
	e, err := decodeEntry(kve.Value())
	if err != nil {
		return deadletter.Entry{}, &deadletter.CorruptError{Records: []deadletter.CorruptRecord{{Key: id, Err: err}}}
	}
	return e, nil
}

// decodeEntry decodes a record; one without an id is not an entry.
func decodeEntry(data []byte) (deadletter.Entry, error) {
	var e deadletter.Entry
	if err := json.Unmarshal(data, &e); err != nil {
		return deadletter.Entry{}, fmt.Errorf("decode entry: %w", err)
	}
	if e.ID == "" {
		return deadletter.Entry{}, errors.New("decode entry: no id")
	}
	return e, nil
}

// Delete removes the entry with the id: a KV purge, which drops every
// revision of the key and leaves one small purge marker (no value) in
// its place; the bucket's PurgeDeletes (jetstream.KeyValue) removes old
// markers.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := checkCall("Store.Delete", s == nil, ctx); err != nil {
		return err
	}
	if id == "" {
		return badArg("Store.Delete", "id", "is empty")
	}
	if s.closed.Load() {
		return deadletter.ErrClosed
	}
	if err := s.kv.Purge(ctx, id); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("jsstore: delete %s: %w", id, err)
	}
	return nil
}

// Scan lists the bucket's keys, then reads each entry; an entry deleted in
// between is skipped, and so is a record that cannot be decoded: Scan
// goes on and returns a *[deadletter.CorruptError] naming those at the end.
func (s *Store) Scan(ctx context.Context, fn func(deadletter.Entry) bool) error {
	if err := checkCall("Store.Scan", s == nil, ctx); err != nil {
		return err
	}
	if fn == nil {
		return badArg("Store.Scan", "fn", "is nil")
	}
	if s.closed.Load() {
		return deadletter.ErrClosed
	}
	ids, err := s.keys(ctx)
	if err != nil {
		return err
	}
	var corrupt []deadletter.CorruptRecord
	for _, id := range ids {
		e, err := s.Get(ctx, id)
		var ce *deadletter.CorruptError
		switch {
		case errors.Is(err, deadletter.ErrNotFound):
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
		return &deadletter.CorruptError{Records: corrupt}
	}
	return nil
}

func (s *Store) keys(ctx context.Context) ([]string, error) {
	lister, err := s.kv.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("jsstore: list keys: %w", err)
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
// its embedded server down (JetStream syncs its files first); a store of
// [OpenNodeStore] leaves the node's engine running. Later calls return
// [deadletter.ErrClosed].
func (s *Store) Close() error {
	if s == nil {
		return badArg("Store.Close", "receiver", "is nil")
	}
	if !s.closed.CompareAndSwap(false, true) {
		return deadletter.ErrClosed
	}
	if s.ownsEngine {
		return s.engine.Shutdown(context.Background())
	}
	return nil
}
