package natsengine

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/process"
)

// replicasKey is the nodeenv resource key of a node's replica count.
type replicasKey struct{}

// replicasSlot holds the function that gives a node's replica count.
type replicasSlot struct{ fn atomic.Pointer[func() int] }

func (*replicasSlot) Close(context.Context) error { return nil }

// SetReplicas makes fn the replica count of the durable buckets that
// services open in node's engine when they are given none (package
// cluster sets it at Start to its own rule: three once three servers
// are up, else one). It fails only on a stopped node.
func SetReplicas(node *process.Node, fn func() int) error {
	r, err := nodeenv.Open(node, replicasKey{}, func() (nodeenv.Resource, error) { return &replicasSlot{}, nil })
	if err != nil {
		return fmt.Errorf("natsengine: %w", err)
	}
	r.(*replicasSlot).fn.Store(&fn)
	return nil
}

// Replicas returns the replica count of node's durable buckets: what
// the function given to [SetReplicas] says, at least 1; 1 on a node
// outside a cluster.
func Replicas(node *process.Node) int {
	r, ok := nodeenv.Lookup(node, replicasKey{})
	if !ok {
		return 1
	}
	fn := r.(*replicasSlot).fn.Load()
	if fn == nil {
		return 1
	}
	return max((*fn)(), 1)
}

// OpenKVReplicas is [OpenKV] with a replica count: an existing bucket
// keeps its configuration and is scaled up to replicas when it has
// fewer ([ScaleUpKV]; never down, so a node that sees fewer servers does
// not shrink a bucket another node grew); a missing one is created with
// replicas (JetStream scales a stream up in place). replicas below 1
// means 1.
func OpenKVReplicas(ctx context.Context, js jetstream.JetStream, bucket, description string, replicas int) (jetstream.KeyValue, error) {
	replicas = max(replicas, 1)
	kv, err := js.KeyValue(ctx, bucket)
	switch {
	case err == nil:
		if kv, err = ScaleUpKV(ctx, js, kv, replicas); err != nil {
			return nil, fmt.Errorf("open bucket %s: %w", bucket, err)
		}
		return kv, nil
	case !errors.Is(err, jetstream.ErrBucketNotFound):
		return nil, fmt.Errorf("open bucket %s: %w", bucket, err)
	}
	kv, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      bucket,
		Description: description,
		History:     1,
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("open bucket %s: %w", bucket, err)
	}
	return kv, nil
}
