package kvstore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
	"github.com/seed-fe72f376/orchard/process"
)

// DefaultBucket is the bucket Open and OpenNodeStore use for an empty
// bucket name.
const DefaultBucket = "orchard_agents"

// Store is an agent.Store on a JetStream key-value bucket.
type Store struct {
	kv jetstream.KeyValue
	// js is the JetStream of Open and OpenNodeStore (nil for New): Load
	// reads through the stream's leader, so that a snapshot saved on one
	// node is what another node loads even on a replicated bucket, whose
	// followers may lag (a KV Get may be served by any replica).
	js     jetstream.JetStream
	bucket string
}

var _ agent.Store = (*Store)(nil)

// New returns a store on the bucket kv.
func New(kv jetstream.KeyValue) (*Store, error) {
	if kv == nil {
		return nil, argerr.Nil("kvstore: New", "kv")
	}
	return &Store{kv: kv}, nil
}

// Open opens (creating it if needed) the bucket in js and returns a store
// on it; an empty bucket means DefaultBucket. It has one replica unless
// WithReplicas says otherwise.
func Open(ctx context.Context, js jetstream.JetStream, bucket string, opts ...Option) (*Store, error) {
	const op = "kvstore: Open"
	switch {
	case ctx == nil:
		return nil, argerr.Nil(op, "ctx")
	case js == nil:
		return nil, argerr.Nil(op, "js")
	}
	if bucket == "" {
		bucket = DefaultBucket
	}
	kv, err := natsengine.OpenKVReplicas(ctx, js, bucket, "Orchard agent snapshots", natsengine.StoreReplicas(opts))
	if err != nil {
		return nil, fmt.Errorf("kvstore: %w", err)
	}
	return &Store{kv: kv, js: js, bucket: bucket}, nil
}

// OpenNodeStore opens the bucket in node's engine (package engine; it
// must be configured) and returns a store on it. Its replica count
// follows the node's cluster unless WithReplicas says otherwise: on a
// node of package cluster with three servers up, the snapshots are
// replicated on three, so a hibernated agent can wake on any node even
// after the loss of one.
func OpenNodeStore(ctx context.Context, node *process.Node, bucket string, opts ...Option) (*Store, error) {
	const op = "kvstore: OpenNodeStore"
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
	return Open(ctx, eng.JetStream(), bucket, nodeReplicas(node, opts))
}

func key(id string) string { return "a." + base64.RawURLEncoding.EncodeToString([]byte(id)) }

func (s *Store) check(op string, ctx context.Context, id string) error {
	switch {
	case s == nil:
		return argerr.Nil(op, "store")
	case ctx == nil:
		return argerr.Nil(op, "ctx")
	case id == "":
		return argerr.Empty(op, "id")
	}
	return nil
}

// Save writes snap as id's snapshot.
func (s *Store) Save(ctx context.Context, id string, snap agent.Snapshot) error {
	if err := s.check("kvstore: Save", ctx, id); err != nil {
		return err
	}
	b, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("kvstore: encode snapshot of %q: %w", id, err)
	}
	if _, err := s.kv.Put(ctx, key(id), b); err != nil {
		return fmt.Errorf("kvstore: save %q: %w", id, err)
	}
	return nil
}

// Load reads id's snapshot; agent.ErrNoSnapshot when it has none.
func (s *Store) Load(ctx context.Context, id string) (agent.Snapshot, error) {
	if err := s.check("kvstore: Load", ctx, id); err != nil {
		return agent.Snapshot{}, err
	}
	val, err := s.latest(ctx, id)
	if err != nil {
		return agent.Snapshot{}, err
	}
	var snap agent.Snapshot
	if err := json.Unmarshal(val, &snap); err != nil {
		return agent.Snapshot{}, fmt.Errorf("kvstore: decode snapshot of %q: %w", id, err)
	}
	return snap, nil
}

// latest returns id's latest snapshot bytes, read from the stream's
// leader when the JetStream is known; agent.ErrNoSnapshot when there is
// none.
func (s *Store) latest(ctx context.Context, id string) ([]byte, error) {
	var e jetstream.KeyValueEntry
	var err error
	if s.js == nil {
		e, err = s.kv.Get(ctx, key(id))
	} else {
		e, err = natsengine.LeaderGet(ctx, s.js, s.bucket, key(id))
	}
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return nil, agent.ErrNoSnapshot
	case err != nil:
		return nil, fmt.Errorf("kvstore: load %q: %w", id, err)
	}
	return e.Value(), nil
}

// Delete forgets id's snapshot.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := s.check("kvstore: Delete", ctx, id); err != nil {
		return err
	}
	if err := s.kv.Delete(ctx, key(id)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("kvstore: delete %q: %w", id, err)
	}
	return nil
}

// nodeReplicas is opts with the node's replica count as default.
func nodeReplicas(node *process.Node, opts []Option) Option {
	r := natsengine.StoreReplicas(opts)
	if r < 1 {
		r = natsengine.Replicas(node)
	}
	return WithReplicas(r)
}
