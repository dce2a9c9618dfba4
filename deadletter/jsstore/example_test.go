package jsstore_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/deadletter/jsstore"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Entries in a JetStream store on disk survive a restart.
func ExampleOpenDir() {
	dir, _ := os.MkdirTemp("", "deadletters")
	defer os.RemoveAll(dir)
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	ctx := context.Background()

	store, err := jsstore.OpenDir(ctx, dir, jsstore.DirConfig{SyncAlways: true})
	if err != nil {
		panic(err)
	}
	q := exampleQueue(node, store)
	_, _ = q.Add(ctx, send.Letter{Dest: node.Name("billing"), Msg: OrderPlaced{ID: 42, Item: "book"}, Reason: errors.New("timeout")})
	_ = q.Close(ctx)
	_ = store.Close() // the program stops

	store, _ = jsstore.OpenDir(ctx, dir, jsstore.DirConfig{}) // and starts again
	defer store.Close()
	q = exampleQueue(node, store)
	entries, _ := q.List(ctx, deadletter.Filter{}, 0)
	msg, _ := q.Decode(entries[0])
	fmt.Printf("%s %s %#v\n", entries[0].Dest.Printed, entries[0].Reason, msg)
	// Output: billing timeout jsstore_test.OrderPlaced{ID:42, Item:"book"}
}

// A store whose block file was cut short opens with what survived; Verify
// says that data was lost, until the loss is acknowledged.
func ExampleStore_Verify() {
	dir, _ := os.MkdirTemp("", "deadletters")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	quiet := jsstore.DirConfig{Logger: slog.New(slog.DiscardHandler), Telemetry: telemetry.New()}
	store, _ := jsstore.OpenDir(ctx, dir, quiet)
	for i := range 100 {
		_ = store.Put(ctx, deadletter.Entry{ID: fmt.Sprintf("e%03d", i), Reason: "timeout"})
	}
	fmt.Println("verify:", store.Verify(ctx))
	_ = store.Close()

	// Damage: the block file loses its second half.
	blks, _ := filepath.Glob(filepath.Join(dir, "jetstream", "*", "streams", "KV_"+jsstore.DefaultBucket, "msgs", "*.blk"))
	fi, _ := os.Stat(blks[0])
	_ = os.Truncate(blks[0], fi.Size()/2)

	store, _ = jsstore.OpenDir(ctx, dir, quiet)
	defer store.Close()
	left, _ := deadletter.List(ctx, store, deadletter.Filter{}, 0)
	var dmg *jsstore.DamagedError
	if err := store.Verify(ctx); errors.As(err, &dmg) {
		fmt.Println("damaged:", errors.Is(err, jsstore.ErrDamaged), "lost + left:", int(dmg.Msgs)+len(left))
	}
	_ = store.AcknowledgeDamage()
	fmt.Println("after acknowledging:", store.Verify(ctx))
	// Output:
	// verify: <nil>
	// damaged: true lost + left: 100
	// after acknowledging: <nil>
}
