package jsstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/deadletter/jsstore"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/metricmap"
)

// fillDir stores n entries in a store on dir and closes it cleanly.
func fillDir(t *testing.T, dir string, n int) {
	t.Helper()
	node := otptest.NewNode(t)
	store := openDir(t, dir, jsstore.DirConfig{})
	q := newQueue(t, node, store)
	for i := range n {
		add(t, q, send.Letter{Dest: node.Name("billing"), Msg: Order{ID: i, Item: "tea"}, Reason: errors.New("timeout")})
	}
	_ = q.Close(context.Background())
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
}

// truncateBlock cuts the bucket's message block under dir to half its
// size, as a full disk or a bad copy would.
func truncateBlock(t *testing.T, dir string) {
	t.Helper()
	blks, err := filepath.Glob(filepath.Join(dir, "jetstream", "*", "streams", "KV_"+jsstore.DefaultBucket, "msgs", "*.blk"))
	if err != nil || len(blks) == 0 {
		t.Fatalf("block files = %v, %v", blks, err)
	}
	fi, err := os.Stat(blks[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(blks[0], fi.Size()/2); err != nil {
		t.Fatal(err)
	}
}

// lostEvents records EventLost on a registry of its own, and what the
// default metric orchard_deadletter_lost_total counts of it.
type lostEvents struct {
	mu     sync.Mutex
	count  float64
	n      int
	metric map[string]float64 // series "name{labels}" -> value
}

func (l *lostEvents) attach(t *testing.T) *telemetry.Registry {
	tel := telemetry.New()
	if err := tel.Attach("lost", []string{deadletter.EventLost}, func(_ string, m telemetry.Measurements, _ telemetry.Metadata) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.n++
		l.count += m["count"]
	}); err != nil {
		t.Fatal(err)
	}
	l.metric = map[string]float64{}
	r := metricmap.NewRouter[string](tel, "metrics")
	for _, m := range metricmap.DefaultMetrics(nil, nil, "_total") {
		r.Add(m, m.Name)
	}
	if err := r.Attach(func(inst string, v float64, labels []string) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.metric[inst+"{"+strings.Join(labels, ",")+"}"] += v
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Detach() })
	return tel
}

// TestTruncatedStoreIsReported is a regression test: a store
// whose block file was cut in half opened and listed without an error
// while half its entries were gone.
func TestTruncatedStoreIsReported(t *testing.T) {
	const n = 1000
	dir := t.TempDir()
	fillDir(t, dir, n)
	truncateBlock(t, dir)

	var events lostEvents
	var logged bytes.Buffer
	store := openDir(t, dir, jsstore.DirConfig{Telemetry: events.attach(t),
		Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	ctx := context.Background()
	left, err := deadletter.List(ctx, store, deadletter.Filter{}, 0)
	if err != nil || len(left) == 0 || len(left) >= n {
		t.Fatalf("List after truncation = %d entries, %v; want some of %d", len(left), err, n)
	}
	err = store.Verify(ctx)
	var dmg *jsstore.DamagedError
	if !errors.Is(err, jsstore.ErrDamaged) || !errors.As(err, &dmg) {
		t.Fatalf("Verify() = %v; want a *DamagedError", err)
	}
	if lost := n - len(left); dmg.Msgs != uint64(lost) || dmg.Bucket != jsstore.DefaultBucket || dmg.Bytes == 0 {
		t.Errorf("Verify() = %+v; want %d records of %s lost", dmg, lost, jsstore.DefaultBucket)
	}
	if events.n != 1 || events.count != float64(dmg.Msgs) {
		t.Errorf("EventLost published %d times, count %v; want once, %d", events.n, events.count, dmg.Msgs)
	}
	series := "orchard_deadletter_lost_total{" + jsstore.DefaultBucket + "}"
	if got := events.metric[series]; got != float64(dmg.Msgs) {
		t.Errorf("%s = %v; want %d (metrics: %v)", series, got, dmg.Msgs, events.metric)
	}
	if !strings.Contains(logged.String(), "level=ERROR") || !strings.Contains(logged.String(), "lost data") {
		t.Errorf("log = %q; want an error about lost data", logged.String())
	}
	_ = store.Close()

	// Strict refuses to open; the report stays until acknowledged.
	if _, err := jsstore.OpenDir(ctx, dir, jsstore.DirConfig{Strict: true, Logger: slog.New(slog.DiscardHandler),
		Telemetry: telemetry.New()}); !errors.Is(err, jsstore.ErrDamaged) {
		t.Fatalf("OpenDir(Strict) = %v; want ErrDamaged", err)
	}
	store = openDir(t, dir, jsstore.DirConfig{Logger: slog.New(slog.DiscardHandler), Telemetry: telemetry.New()})
	if err := store.AcknowledgeDamage(); err != nil {
		t.Fatal(err)
	}
	if err := store.Verify(ctx); err != nil {
		t.Errorf("Verify() after AcknowledgeDamage = %v; want nil", err)
	}
	_ = store.Close()
	store = openDir(t, dir, jsstore.DirConfig{Strict: true})
	if err := store.Verify(ctx); err != nil {
		t.Errorf("Verify() after a clean reopen = %v; want nil", err)
	}
}

func TestVerifyCleanStore(t *testing.T) {
	dir := t.TempDir()
	fillDir(t, dir, 20)
	var events lostEvents
	store := openDir(t, dir, jsstore.DirConfig{Strict: true, Telemetry: events.attach(t)})
	if err := store.Verify(context.Background()); err != nil || events.n != 0 {
		t.Fatalf("Verify() = %v, %d EventLost; want nil, none", err, events.n)
	}
	_ = store.Close()
	if err := store.Verify(context.Background()); !errors.Is(err, deadletter.ErrClosed) {
		t.Errorf("Verify() after Close = %v; want ErrClosed", err)
	}
}

func TestDamagedErrorText(t *testing.T) {
	e := &jsstore.DamagedError{Bucket: "B", Msgs: 3, Bytes: 700, How: "count", Detected: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	want := "jsstore: bucket B lost data while closed: 3 records (700 bytes) gone (count), found 2026-01-02T03:04:05Z"
	if got := e.Error(); got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
	if !errors.Is(fmt.Errorf("wrapped: %w", e), jsstore.ErrDamaged) {
		t.Error("a wrapped *DamagedError does not match ErrDamaged")
	}
}
