package natsengine_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/internal/natsengine"
	"github.com/seed-fe72f376/orchard/otptest"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

func startEngine(t *testing.T, cfg natsengine.Config) *natsengine.Engine {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e, err := natsengine.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("Start(%+v) = %v", cfg, err)
	}
	t.Cleanup(func() { _ = e.Shutdown(context.Background()) })
	return e
}

func TestDataSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i, sync := range []bool{true, false} {
		e := startEngine(t, natsengine.Config{Dir: dir, SyncAlways: sync})
		kv, err := e.JetStream().CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: "t", Storage: jetstream.FileStorage})
		if err != nil {
			t.Fatalf("CreateOrUpdateKeyValue: %v", err)
		}
		if i == 0 {
			if _, err := kv.Put(ctx, "k", []byte("v")); err != nil {
				t.Fatalf("Put: %v", err)
			}
		} else {
			got, err := kv.Get(ctx, "k")
			if err != nil || string(got.Value()) != "v" {
				t.Fatalf("Get(k) after restart = %v, %v; want v", got, err)
			}
		}
		if err := e.Shutdown(ctx); err != nil {
			t.Fatalf("Shutdown: %v", err)
		}
	}
}

func TestNoListenerByDefault(t *testing.T) {
	e := startEngine(t, natsengine.Config{Dir: t.TempDir()})
	if addr := e.Server().Addr(); addr != nil {
		t.Errorf("Server().Addr() = %v; want nil (no listener)", addr)
	}
	if !e.Conn().IsConnected() {
		t.Errorf("Conn().IsConnected() = false; want true")
	}
}

func TestListenWhenAsked(t *testing.T) {
	e := startEngine(t, natsengine.Config{Dir: t.TempDir(), Listen: true, Host: "127.0.0.1", Port: -1})
	if addr := e.Server().Addr(); addr == nil {
		t.Errorf("Server().Addr() = nil; want a listener")
	}
}

func TestDirInUse(t *testing.T) {
	dir := t.TempDir()
	e := startEngine(t, natsengine.Config{Dir: dir})
	_, err := natsengine.Start(context.Background(), natsengine.Config{Dir: dir})
	if !errors.Is(err, natsengine.ErrDirInUse) {
		t.Fatalf("second Start = %v; want ErrDirInUse", err)
	}
	if err := e.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := e.Shutdown(context.Background()); err != nil {
		t.Fatalf("second Shutdown = %v; want nil", err)
	}
	startEngine(t, natsengine.Config{Dir: dir}) // free again
}

func TestInvalidConfig(t *testing.T) {
	for _, cfg := range []natsengine.Config{
		{},
		{Dir: t.TempDir(), SyncInterval: -time.Second},
		{Dir: t.TempDir(), ReadyTimeout: -time.Second},
	} {
		if _, err := natsengine.Start(context.Background(), cfg); !errors.Is(err, natsengine.ErrInvalidConfig) {
			t.Errorf("Start(%+v) = %v; want ErrInvalidConfig", cfg, err)
		}
	}
	var nilCtx context.Context
	if _, err := natsengine.Start(nilCtx, natsengine.Config{Dir: t.TempDir()}); !errors.Is(err, natsengine.ErrInvalidConfig) {
		t.Errorf("Start(nil ctx) = %v; want ErrInvalidConfig", err)
	}
}

func TestStartCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := natsengine.Start(ctx, natsengine.Config{Dir: t.TempDir()}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Start(cancelled ctx) = %v; want context.Canceled", err)
	}
}

func TestShutdownWithEndedContextReleasesDir(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e := startEngine(t, natsengine.Config{Dir: dir})
	if err := e.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown(cancelled ctx) = %v; want nil", err)
	}
	if e.Server().Running() {
		t.Errorf("Server().Running() after Shutdown(cancelled ctx) = true; want false")
	}
	startEngine(t, natsengine.Config{Dir: dir}) // the directory is free again
}

func TestJetStreamFailureIsReportedAtOnce(t *testing.T) {
	dir := t.TempDir()
	// A regular file where JetStream wants its store directory.
	if err := os.WriteFile(filepath.Join(dir, "jetstream"), []byte("not a dir"), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := natsengine.Start(context.Background(), natsengine.Config{Dir: dir, ReadyTimeout: time.Minute})
	if !errors.Is(err, natsengine.ErrStartFailed) {
		t.Fatalf("Start(unusable store) = %v; want ErrStartFailed", err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("Start took %v; want a failure well before the ready timeout", d)
	}
	startEngine(t, natsengine.Config{Dir: t.TempDir()}) // nothing left running or locked
}

// fillBucket starts an engine on dir, puts n keys into bucket "t" and
// shuts the engine down cleanly.
func fillBucket(t *testing.T, dir string, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e := startEngine(t, natsengine.Config{Dir: dir})
	kv, err := e.JetStream().CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "t", Storage: jetstream.FileStorage, History: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := kv.Put(ctx, fmt.Sprintf("k%d", i), []byte(strings.Repeat("v", 100))); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

// blockFile returns the single message block of bucket "t" under dir.
func blockFile(t *testing.T, dir string) string {
	t.Helper()
	blks, err := filepath.Glob(filepath.Join(dir, "jetstream", "*", "streams", "KV_t", "msgs", "*.blk"))
	if err != nil || len(blks) != 1 {
		t.Fatalf("block files = %v, %v; want one", blks, err)
	}
	return blks[0]
}

func losses(t *testing.T, e *natsengine.Engine) []natsengine.StreamLoss {
	t.Helper()
	ls, err := e.Losses()
	if err != nil {
		t.Fatalf("Losses() = %v", err)
	}
	return ls
}

// TestTruncatedBlockIsReported is a regression test: a block
// file cut in half loses half the messages, which nats-server recovers
// from without reporting anything.
func TestTruncatedBlockIsReported(t *testing.T) {
	dir := t.TempDir()
	fillBucket(t, dir, 2000)
	blk := blockFile(t, dir)
	fi, err := os.Stat(blk)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(blk, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	e := startEngine(t, natsengine.Config{Dir: dir})
	ls := losses(t, e)
	if len(ls) != 1 || ls[0].Stream != "KV_t" || ls[0].How != natsengine.LossCount || ls[0].Msgs < 900 || ls[0].Msgs > 1100 || ls[0].Bytes == 0 {
		t.Fatalf("Losses() = %+v; want about 1000 messages of KV_t lost (count)", ls)
	}
	if e.Unclean() {
		t.Errorf("Unclean() = true after a clean shutdown")
	}
	_ = e.Shutdown(context.Background())

	// The loss stays reported across starts until it is cleared.
	e = startEngine(t, natsengine.Config{Dir: dir})
	if ls := losses(t, e); len(ls) != 1 {
		t.Fatalf("Losses() on the next start = %+v; want the same one loss", ls)
	}
	if err := e.ClearLosses("other"); err != nil || len(losses(t, e)) != 1 {
		t.Fatalf("ClearLosses(other) = %v; want the loss of KV_t kept", err)
	}
	if err := e.ClearLosses("KV_t"); err != nil {
		t.Fatal(err)
	}
	if ls := losses(t, e); ls != nil {
		t.Errorf("Losses() after ClearLosses = %+v; want none", ls)
	}
	_ = e.Shutdown(context.Background())
	e = startEngine(t, natsengine.Config{Dir: dir})
	if ls := losses(t, e); ls != nil {
		t.Errorf("Losses() after a clean restart = %+v; want none", ls)
	}
}

func TestMissingStreamIsReported(t *testing.T) {
	dir := t.TempDir()
	fillBucket(t, dir, 10)
	if err := os.RemoveAll(filepath.Dir(filepath.Dir(blockFile(t, dir)))); err != nil {
		t.Fatal(err)
	}
	e := startEngine(t, natsengine.Config{Dir: dir})
	ls := losses(t, e)
	if len(ls) != 1 || ls[0].How != natsengine.LossMissing || ls[0].Msgs != 10 {
		t.Fatalf("Losses() = %+v; want the 10 messages of KV_t (missing)", ls)
	}
}

func TestNoLossOnCleanRestart(t *testing.T) {
	dir := t.TempDir()
	fillBucket(t, dir, 10)
	fillBucket(t, dir, 5) // rewrites 5 keys: no message lost
	e := startEngine(t, natsengine.Config{Dir: dir})
	if ls := losses(t, e); ls != nil || e.Unclean() {
		t.Fatalf("Losses() = %+v, Unclean() = %t; want none, false", ls, e.Unclean())
	}
}

// TestUncleanStart: after a crash the state file still says "running"
// (what Start writes), so sizes cannot be compared: the start says so.
func TestUncleanStart(t *testing.T) {
	dir := t.TempDir()
	fillBucket(t, dir, 100)
	if err := os.WriteFile(filepath.Join(dir, "orchard.state.json"), []byte(`{"clean": false}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(blockFile(t, dir), 0); err != nil {
		t.Fatal(err)
	}
	e := startEngine(t, natsengine.Config{Dir: dir})
	if !e.Unclean() {
		t.Errorf("Unclean() = false after a crash record")
	}
	if ls := losses(t, e); ls != nil {
		t.Errorf("Losses() = %+v; want none (nothing to compare with)", ls)
	}
}
