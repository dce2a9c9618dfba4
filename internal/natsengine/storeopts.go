package natsengine

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/process"
)

// StoreOption configures the bucket of a durable store; the stores
// (agent/kvstore, coord/kvcoord, deadletter/jsstore) export it as their
// Option and [WithReplicas] as theirs.
type StoreOption func(*storeOptions)

type storeOptions struct{ replicas int }

// WithReplicas sets a store bucket's replica count; below 1 means the
// store's default.
func WithReplicas(n int) StoreOption { return func(o *storeOptions) { o.replicas = n } }

// StoreReplicas returns the replica count opts set, 0 when none does
// (nil options are skipped).
func StoreReplicas(opts []StoreOption) int {
	var o storeOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return max(o.replicas, 0)
}

// NodeReplicas returns the replica count opts set, and node's
// ([Replicas]) when they set none: the default of the stores opened in
// a node's engine.
func NodeReplicas(node *process.Node, opts []StoreOption) int {
	if r := StoreReplicas(opts); r > 0 {
		return r
	}
	return Replicas(node)
}

// ScaleUpKV raises kv's replica count to replicas when it has fewer,
// keeping the rest of the bucket's configuration (its TTL, history,
// storage, limits); it never scales down.
func ScaleUpKV(ctx context.Context, js jetstream.JetStream, kv jetstream.KeyValue, replicas int) (jetstream.KeyValue, error) {
	st, err := kv.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("bucket status: %w", err)
	}
	bs, ok := st.(*jetstream.KeyValueBucketStatus)
	if !ok || bs.StreamInfo() == nil || max(bs.StreamInfo().Config.Replicas, 1) >= replicas {
		return kv, nil
	}
	cfg := bs.Config()
	cfg.Replicas = replicas
	if kv, err = js.UpdateKeyValue(ctx, cfg); err != nil {
		return nil, fmt.Errorf("scale bucket %s to %d replicas: %w", cfg.Bucket, replicas, err)
	}
	return kv, nil
}
