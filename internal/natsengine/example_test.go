package natsengine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

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

// A stream that lost messages while no engine ran is reported at the next
// start, and stays reported until cleared.
func ExampleEngine_Losses() {
	dir, _ := os.MkdirTemp("", "engine")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	eng, _ := natsengine.Start(ctx, natsengine.Config{Dir: dir})
	kv, _ := eng.JetStream().CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "b", Storage: jetstream.FileStorage})
	for i := range 10 {
		_, _ = kv.Put(ctx, fmt.Sprint("k", i), []byte("v"))
	}
	_ = eng.Shutdown(ctx)

	// The stream's only block file is emptied, as a bad copy would.
	blks, _ := filepath.Glob(filepath.Join(dir, "jetstream", "*", "streams", "KV_b", "msgs", "*.blk"))
	_ = os.Truncate(blks[0], 0)

	eng, _ = natsengine.Start(ctx, natsengine.Config{Dir: dir})
	defer eng.Shutdown(ctx)
	losses, _ := eng.Losses()
	for _, l := range losses {
		fmt.Println(l.Stream, l.Msgs, "messages lost, found by", l.How)
	}
	_ = eng.ClearLosses()
	losses, _ = eng.Losses()
	fmt.Println(len(losses), "after ClearLosses")
	// Output:
	// KV_b 10 messages lost, found by count
	// 0 after ClearLosses
}
