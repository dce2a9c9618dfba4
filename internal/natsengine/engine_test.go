package natsengine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
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
