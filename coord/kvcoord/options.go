package kvcoord

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Option configures Open and OpenNode.
type Option interface{ apply(*options) }

type options struct{ replicas int }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithReplicas sets the bucket's replica count: on a cluster of three or
// more servers (package cluster), R3 keeps the locks and elections
// through the loss of one server. An existing bucket with fewer replicas
// is scaled up (its TTL unchanged), never down. Without it, Open makes
// one replica and OpenNode follows the node's cluster
// (cluster.Node.Replicas; one outside a cluster). A count below 1 means
// the default.
func WithReplicas(n int) Option { return optionFunc(func(o *options) { o.replicas = n }) }

func optionsOf(opts []Option) options {
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt.apply(&o)
		}
	}
	return o
}

// scaleUp raises kv's replica count to replicas when it has fewer,
// keeping the rest of cfg (the TTL above all).
func scaleUp(ctx context.Context, js jetstream.JetStream, kv jetstream.KeyValue, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	st, err := kv.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("kvcoord: bucket status: %w", err)
	}
	bs, ok := st.(*jetstream.KeyValueBucketStatus)
	if !ok || bs.StreamInfo() == nil || max(bs.StreamInfo().Config.Replicas, 1) >= cfg.Replicas {
		return kv, nil
	}
	if kv, err = js.UpdateKeyValue(ctx, cfg); err != nil {
		return nil, fmt.Errorf("kvcoord: scale bucket %s to %d replicas: %w", cfg.Bucket, cfg.Replicas, err)
	}
	return kv, nil
}
