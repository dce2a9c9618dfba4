package natsengine_test

import (
	"context"
	"fmt"
	"os"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/internal/natsengine"
)

// Start an engine on a data directory, use its JetStream, stop it.
func ExampleStart() {
	dir, _ := os.MkdirTemp("", "engine")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	eng, err := natsengine.Start(ctx, natsengine.Config{Dir: dir, SyncAlways: true})
	if err != nil {
		panic(err)
	}
	kv, _ := eng.JetStream().CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "demo", Storage: jetstream.FileStorage})
	_, _ = kv.Put(ctx, "greeting", []byte("hello"))
	e, _ := kv.Get(ctx, "greeting")
	fmt.Println(string(e.Value()), "listening:", eng.Server().Addr() != nil)
	fmt.Println(eng.Shutdown(ctx))
	// Output:
	// hello listening: false
	// <nil>
}
