package kvcoord

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/coord"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
	"github.com/seed-fe72f376/orchard/process"
)

// MinLease is the shortest lease a bucket can have: JetStream refuses
// a shorter MaxAge.
const MinLease = 100 * time.Millisecond

// Backend is a coord.Backend in a JetStream key-value bucket whose
// MaxAge (TTL) is the lease. Its methods are safe from any goroutine.
// A nil *Backend returns an error matching [ErrInvalidArgument] from
// every method.
type Backend struct {
	kv    jetstream.KeyValue
	lease time.Duration
	// js is the JetStream of Open and OpenNode (nil for New): Holder
	// reads through the bucket stream's leader, since on a replicated
	// bucket a KV Get may be answered by a replica that has not yet
	// applied the latest acquire, renew or release.
	js jetstream.JetStream
}

var _ coord.Backend = (*Backend)(nil)

// value is what a key holds: the owner, and the fencing token (the
// revision that created the lease; zero in the creating write itself,
// whose revision is the token).
type value struct {
	Owner string `json:"owner"`
	Token uint64 `json:"token,omitempty"`
}

// BucketName is the bucket [Open] uses for lease when given no name:
// one bucket per lease duration, since the lease is the bucket's TTL.
func BucketName(lease time.Duration) string {
	return fmt.Sprintf("orchard_coord_%dms", lease.Milliseconds())
}

// Open opens, creating it if needed, the bucket for leases of lease
// in js (an empty bucket meaning [BucketName]), with MaxAge lease and
// history 1, file storage and one replica unless [WithReplicas] says
// more; and returns a Backend over it. An existing bucket's TTL is never
// changed: one whose TTL is not lease is refused with an error matching
// [ErrInvalidArgument]; one with fewer replicas than asked is scaled up.
// Nothing in the backend assumes a single server.
func Open(ctx context.Context, js jetstream.JetStream, bucket string, lease time.Duration, opts ...Option) (*Backend, error) {
	const op = "kvcoord: Open"
	switch {
	case ctx == nil:
		return nil, argerr.Nil(op, "ctx")
	case js == nil:
		return nil, argerr.Nil(op, "js")
	case lease < MinLease:
		return nil, argerr.New(op, "lease", fmt.Sprintf("must be at least %v, got %v", MinLease, lease))
	case lease%time.Millisecond != 0:
		return nil, argerr.New(op, "lease", "must be a whole number of milliseconds")
	}
	if bucket == "" {
		bucket = BucketName(lease)
	}
	// Create, never update the TTL: updating an existing bucket's TTL
	// would silently change the lease of every backend already using it
	// (a holder renewing every third of its lease could lose its key to
	// a shorter TTL set by another program). Only the replica count
	// grows (natsengine.ScaleUpKV).
	cfg := jetstream.KeyValueConfig{
		Bucket:      bucket,
		Description: fmt.Sprintf("Orchard coordination leases of %v (key = lock or election)", lease),
		History:     1,
		TTL:         lease,
		Storage:     jetstream.FileStorage,
		Replicas:    max(natsengine.StoreReplicas(opts), 1),
	}
	kv, err := js.CreateKeyValue(ctx, cfg)
	if errors.Is(err, jetstream.ErrBucketExists) {
		// It exists with another configuration: use it if its TTL is
		// this lease.
		if kv, err = js.KeyValue(ctx, bucket); err == nil {
			var st jetstream.KeyValueStatus
			if st, err = kv.Status(ctx); err == nil && st.TTL() != lease {
				return nil, argerr.New(op, "lease", fmt.Sprintf("is %v but bucket %s exists with a lease (TTL) of %v", lease, bucket, st.TTL()))
			}
			if err == nil {
				kv, err = natsengine.ScaleUpKV(ctx, js, kv, cfg.Replicas)
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("kvcoord: open bucket %s: %w", bucket, err)
	}
	return &Backend{kv: kv, lease: lease, js: js}, nil
}

// OpenNode opens the bucket for lease in node's one engine (configured
// with engine.Configure, started on first need and stopped with the
// node's resources), as [Open] with an empty bucket does. On a node of a
// cluster (package cluster) the bucket's replica count follows the
// cluster's (three once three servers are up) unless [WithReplicas] says
// otherwise, so coordinators on every node share replicated leases.
func OpenNode(ctx context.Context, node *process.Node, lease time.Duration, opts ...Option) (*Backend, error) {
	const op = "kvcoord: OpenNode"
	if node == nil {
		return nil, argerr.Nil(op, "node")
	}
	if ctx == nil {
		return nil, argerr.Nil(op, "ctx")
	}
	eng, err := natsengine.ForNode(ctx, node)
	if err != nil {
		return nil, fmt.Errorf("kvcoord: %w", err)
	}
	return Open(ctx, eng.JetStream(), "", lease, WithReplicas(natsengine.NodeReplicas(node, opts)))
}

// New returns a Backend over kv, whose TTL (MaxAge) must be set: it is
// the lease of every lock and leadership in it.
func New(ctx context.Context, kv jetstream.KeyValue) (*Backend, error) {
	const op = "kvcoord: New"
	if ctx == nil {
		return nil, argerr.Nil(op, "ctx")
	}
	if kv == nil {
		return nil, argerr.Nil(op, "kv")
	}
	st, err := kv.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("kvcoord: bucket status: %w", err)
	}
	if st.TTL() <= 0 {
		return nil, argerr.New(op, "kv", fmt.Sprintf("bucket %s has no TTL; the TTL is the lease", st.Bucket()))
	}
	return &Backend{kv: kv, lease: st.TTL()}, nil
}

// Lease returns the lease of every key in the backend (its bucket's
// TTL).
func (b *Backend) Lease() time.Duration {
	if b == nil {
		return 0
	}
	return b.lease
}

// kvKey maps a coord key to a valid KV key: kept as is when it is one,
// else hex-encoded under "x.".
func kvKey(key string) string {
	valid := key != "" && key[0] != '.' && key[len(key)-1] != '.'
	for i := 0; valid && i < len(key); i++ {
		c := key[i]
		valid = c == '-' || c == '_' || c == '=' || c == '.' || c == '/' ||
			(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
		if c == '.' && i > 0 && key[i-1] == '.' {
			valid = false
		}
	}
	if valid && (len(key) < 2 || key[:2] != "x.") {
		return key
	}
	return "x." + hex.EncodeToString([]byte(key))
}

func (b *Backend) check(op string, ctx context.Context, key string) error {
	switch {
	case b == nil || b.kv == nil:
		return argerr.Nil(op, "receiver")
	case ctx == nil:
		return argerr.Nil(op, "ctx")
	case key == "":
		return argerr.Empty(op, "key")
	}
	return nil
}

// Acquire implements coord.Backend: a create-if-absent of the key. The
// lease's Token is the revision of that create, so it grows across
// every key and holder of the bucket. ttl must be the bucket's lease.
func (b *Backend) Acquire(ctx context.Context, key, owner string, ttl time.Duration) (coord.Lease, error) {
	const op = "kvcoord: Backend.Acquire"
	if err := b.check(op, ctx, key); err != nil {
		return coord.Lease{}, err
	}
	if owner == "" {
		return coord.Lease{}, argerr.Empty(op, "owner")
	}
	if ttl != b.lease {
		return coord.Lease{}, argerr.New(op, "ttl", fmt.Sprintf("is %v but this backend's bucket has a lease of %v (coord.WithLease)", ttl, b.lease))
	}
	data, err := json.Marshal(value{Owner: owner})
	if err != nil {
		return coord.Lease{}, err
	}
	k := kvKey(key)
	rev, err := b.kv.Create(ctx, k, data)
	if errors.Is(err, jetstream.ErrKeyExists) {
		cur, herr := b.Holder(ctx, key)
		if herr != nil {
			if errors.Is(herr, coord.ErrNotHeld) {
				// Released or expired in between: the caller retries.
				return coord.Lease{}, &coord.HeldError{Key: key}
			}
			return coord.Lease{}, herr
		}
		return coord.Lease{}, &coord.HeldError{Key: key, Owner: cur.Owner, Token: cur.Token}
	}
	if err != nil {
		return coord.Lease{}, fmt.Errorf("kvcoord: acquire %q: %w", key, err)
	}
	return coord.Lease{Key: key, Owner: owner, Token: rev, Revision: rev, TTL: b.lease}, nil
}

// Renew implements coord.Backend: a compare-and-set update of the key
// on l.Revision, which restarts its age (the bucket's TTL).
func (b *Backend) Renew(ctx context.Context, l coord.Lease) (coord.Lease, error) {
	if err := b.check("kvcoord: Backend.Renew", ctx, l.Key); err != nil {
		return coord.Lease{}, err
	}
	data, err := json.Marshal(value{Owner: l.Owner, Token: l.Token})
	if err != nil {
		return coord.Lease{}, err
	}
	rev, err := b.kv.Update(ctx, kvKey(l.Key), data, l.Revision)
	if errors.Is(err, jetstream.ErrKeyRevisionMismatch) || errors.Is(err, jetstream.ErrKeyNotFound) {
		return coord.Lease{}, coord.ErrLeaseLost
	}
	if err != nil {
		return coord.Lease{}, fmt.Errorf("kvcoord: renew %q: %w", l.Key, err)
	}
	l.Revision = rev
	return l, nil
}

// Release implements coord.Backend: a delete of the key conditional on
// l.Revision.
func (b *Backend) Release(ctx context.Context, l coord.Lease) error {
	if err := b.check("kvcoord: Backend.Release", ctx, l.Key); err != nil {
		return err
	}
	err := b.kv.Delete(ctx, kvKey(l.Key), jetstream.LastRevision(l.Revision))
	if errors.Is(err, jetstream.ErrKeyRevisionMismatch) || errors.Is(err, jetstream.ErrKeyNotFound) {
		return coord.ErrLeaseLost
	}
	if err != nil {
		return fmt.Errorf("kvcoord: release %q: %w", l.Key, err)
	}
	return nil
}

// Holder implements coord.Backend. A backend of [Open] or [OpenNode]
// reads the key from its bucket stream's leader, so the holder it
// reports is never older than an acknowledged acquire, renew or release
// (a replica may lag); one of [New] reads it with a KV Get.
func (b *Backend) Holder(ctx context.Context, key string) (coord.Lease, error) {
	if err := b.check("kvcoord: Backend.Holder", ctx, key); err != nil {
		return coord.Lease{}, err
	}
	var e jetstream.KeyValueEntry
	var err error
	if b.js != nil {
		e, err = natsengine.LeaderGet(ctx, b.js, b.kv.Bucket(), kvKey(key))
	} else {
		e, err = b.kv.Get(ctx, kvKey(key))
	}
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
		return coord.Lease{}, coord.ErrNotHeld
	}
	if err != nil {
		return coord.Lease{}, fmt.Errorf("kvcoord: holder of %q: %w", key, err)
	}
	var v value
	if err := json.Unmarshal(e.Value(), &v); err != nil {
		return coord.Lease{}, fmt.Errorf("kvcoord: holder of %q: bad value: %w", key, err)
	}
	if v.Token == 0 {
		v.Token = e.Revision()
	}
	return coord.Lease{Key: key, Owner: v.Owner, Token: v.Token, Revision: e.Revision(), TTL: b.lease}, nil
}
