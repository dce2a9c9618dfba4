package natsengine

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// OpenKV opens, creating it if needed, the file-stored key-value bucket
// of one Orchard service in js: history 1 (a key holds its latest value),
// file storage, the service's description. Every durable service opens
// its bucket here, so they agree on the bucket's shape and on the error:
// "open bucket NAME: cause", which the service prefixes with its own
// package name.
func OpenKV(ctx context.Context, js jetstream.JetStream, bucket, description string) (jetstream.KeyValue, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      bucket,
		Description: description,
		History:     1,
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("open bucket %s: %w", bucket, err)
	}
	return kv, nil
}
