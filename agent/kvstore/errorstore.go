package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
	"github.com/seed-fe72f376/orchard/process"
)

// DefaultCrashBucket is the bucket of OpenErrorStore and
// OpenNodeErrorStore for an empty bucket name.
const DefaultCrashBucket = "orchard_agent_crashes"

// recordTimeout bounds one Record's write (it runs in the agent
// system's crash log process, on an agent crash).
const recordTimeout = 2 * time.Second

// ErrorStore is an agent.ErrorStore in a JetStream key-value bucket: the
// last size crash records, one key each, numbered on so that a reopened
// store goes on after the records it holds.
type ErrorStore struct {
	kv      jetstream.KeyValue
	size    uint64
	mu      sync.Mutex
	seq     uint64
	dropped atomic.Uint64
}

var _ agent.ErrorStore = (*ErrorStore)(nil)

// OpenErrorStore opens (creating it if needed) the bucket in js and
// returns an error store keeping the last size records (size at least 1;
// an empty bucket means DefaultCrashBucket), with one replica unless
// WithReplicas says otherwise.
func OpenErrorStore(ctx context.Context, js jetstream.JetStream, bucket string, size int, opts ...Option) (*ErrorStore, error) {
	const op = "kvstore: OpenErrorStore"
	switch {
	case ctx == nil:
		return nil, argerr.Nil(op, "ctx")
	case js == nil:
		return nil, argerr.Nil(op, "js")
	case size < 1:
		return nil, argerr.New(op, "size", "must be at least 1")
	}
	if bucket == "" {
		bucket = DefaultCrashBucket
	}
	kv, err := natsengine.OpenKVReplicas(ctx, js, bucket, "Orchard agent crash records", natsengine.StoreReplicas(opts))
	if err != nil {
		return nil, fmt.Errorf("kvstore: %w", err)
	}
	s := &ErrorStore{kv: kv, size: uint64(size)}
	keys, err := s.keys(ctx)
	if err != nil {
		return nil, err
	}
	if len(keys) > 0 {
		s.seq = keys[len(keys)-1]
	}
	return s, nil
}

// OpenNodeErrorStore is OpenErrorStore in node's engine (package engine),
// whose replica count follows the node's cluster as OpenNodeStore's.
func OpenNodeErrorStore(ctx context.Context, node *process.Node, bucket string, size int, opts ...Option) (*ErrorStore, error) {
	const op = "kvstore: OpenNodeErrorStore"
	switch {
	case ctx == nil:
		return nil, argerr.Nil(op, "ctx")
	case node == nil:
		return nil, argerr.Nil(op, "node")
	}
	eng, err := natsengine.ForNode(ctx, node)
	if err != nil {
		return nil, fmt.Errorf("kvstore: %w", err)
	}
	return OpenErrorStore(ctx, eng.JetStream(), bucket, size, nodeReplicas(node, opts))
}

func crashKey(seq uint64) string { return fmt.Sprintf("c.%020d", seq) }

// keys returns the sequence numbers of the stored records, in order.
func (s *ErrorStore) keys(ctx context.Context) ([]uint64, error) {
	lister, err := s.kv.ListKeys(ctx)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("kvstore: list crash records: %w", err)
	}
	defer func() { _ = lister.Stop() }()
	var out []uint64
	for k := range lister.Keys() {
		if n, err := strconv.ParseUint(strings.TrimPrefix(k, "c."), 10, 64); err == nil {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Record writes r and removes the record size places before it. It runs
// on an agent crash in the system's crash log process (not in the agents'
// supervisor, see agent.WithErrorStore) and waits at most 2 s; a record it
// could not write is counted (Dropped).
func (s *ErrorStore) Record(r agent.CrashRecord) {
	if s == nil {
		return
	}
	b, err := json.Marshal(r)
	if err != nil {
		s.dropped.Add(1)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	if _, err := s.kv.Put(ctx, crashKey(s.seq), b); err != nil {
		s.dropped.Add(1)
		return
	}
	if s.seq > s.size {
		_ = s.kv.Purge(ctx, crashKey(s.seq-s.size))
	}
}

// Dropped returns how many records could not be written.
func (s *ErrorStore) Dropped() uint64 {
	if s == nil {
		return 0
	}
	return s.dropped.Load()
}

// Query returns the records f selects, oldest first (an empty result when
// the bucket cannot be read).
func (s *ErrorStore) Query(f agent.CrashFilter) []agent.CrashRecord {
	if s == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	seqs, err := s.keys(ctx)
	if err != nil {
		return nil
	}
	var out []agent.CrashRecord
	for _, n := range seqs {
		e, err := s.kv.Get(ctx, crashKey(n))
		if err != nil {
			continue // purged meanwhile
		}
		var r agent.CrashRecord
		if json.Unmarshal(e.Value(), &r) == nil && f.Match(r) {
			out = append(out, r)
		}
	}
	return out
}
