package jsstore_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter/jsstore"
	"github.com/seed-fe72f376/orchard/engine"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// TestNodeStoreReportsLossOnTheNodesRegistry: OpenNodeStore reports the
// data a store lost while closed (EventLost) on the registry of its node
// (process.Config.Telemetry), which has no DirConfig to name one.
func TestNodeStoreReportsLossOnTheNodesRegistry(t *testing.T) {
	dir := t.TempDir()
	fillDir(t, dir, 200)
	truncateBlock(t, dir)

	var events lostEvents
	node := otptest.NewNode(t, process.Config{Telemetry: events.attach(t), Logger: slog.New(slog.DiscardHandler)})
	if err := engine.Configure(node, engine.Config{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	store, err := jsstore.OpenNodeStore(ctx, node, "")
	if err != nil {
		t.Fatalf("OpenNodeStore = %v; want the store with the surviving entries", err)
	}
	defer store.Close()
	events.mu.Lock()
	defer events.mu.Unlock()
	if events.n != 1 || events.count == 0 {
		t.Errorf("EventLost on the node's registry %d times, count %v; want once, some records", events.n, events.count)
	}
}
