package engine_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/seed-fe72f376/orchard/app"
	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/deadletter/jsstore"
	"github.com/seed-fe72f376/orchard/engine"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/schedule"
	"github.com/seed-fe72f376/orchard/send"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// TestTwoUsersShareOneEngine: the dead-letter store and the durable
// schedule store of one node live in the node's one engine, started by
// the first of them; neither starts nor stops it.
func TestTwoUsersShareOneEngine(t *testing.T) {
	ctx := context.Background()
	node := otptest.NewNode(t)
	if _, err := jsstore.OpenNodeStore(ctx, node, ""); !errors.Is(err, engine.ErrNotConfigured) {
		t.Fatalf("OpenNodeStore before Configure = %v; want ErrNotConfigured", err)
	}
	if err := engine.Configure(node, engine.Config{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	letters, err := jsstore.OpenNodeStore(ctx, node, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := schedule.OpenNodeStore(ctx, node, ""); err != nil {
		t.Fatal(err)
	}
	eng, err := natsengine.ForNode(ctx, node)
	if err != nil {
		t.Fatal(err)
	}
	if letters.JetStream() != eng.JetStream() {
		t.Error("the dead-letter store is not in the node's engine")
	}
	for _, bucket := range []string{jsstore.DefaultBucket, schedule.DefaultBucket} {
		if _, err := eng.JetStream().KeyValue(ctx, bucket); err != nil {
			t.Errorf("bucket %s in the node's engine: %v", bucket, err)
		}
	}
	if err := letters.Close(); err != nil || eng.Conn().IsClosed() {
		t.Errorf("closing a user: %v, engine closed %v; want nil, false", err, eng.Conn().IsClosed())
	}
	// A node that runs no application closes its engine when it stops,
	// after its processes are gone.
	if err := node.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if !eng.Conn().IsClosed() {
		t.Error("the engine still runs after its node stopped")
	}
}

// TestAppStopsTheEngineLast: an application whose parts use the node's
// engine (a dead-letter queue and a durable scheduler) stops its parts in
// reverse order, each while the engine still runs (a dead letter is
// written after each part stopped), then its OnStop hooks, then the
// engine.
func TestAppStopsTheEngineLast(t *testing.T) {
	ctx := context.Background()
	node := otptest.NewNode(t)
	if err := engine.Configure(node, engine.Config{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	var (
		mu     sync.Mutex
		events []string
		eng    *natsengine.Engine
		q      *deadletter.Queue
	)
	note := func(what string) {
		mu.Lock()
		defer mu.Unlock()
		_, werr := q.Add(ctx, send.Letter{Dest: node.Name("gone"), Msg: "m", Reason: errors.New("noproc")})
		events = append(events, fmt.Sprintf("%s engine-up=%v write=%v", what, !eng.Conn().IsClosed(), werr))
	}
	spec := app.Spec{Name: "durable", Parts: []app.Part{
		{Name: "deadletters", Start: func(node *process.Node) (process.PID, error) {
			store, err := jsstore.OpenNodeStore(ctx, node, "")
			if err != nil {
				return process.PID{}, err
			}
			if eng, err = natsengine.ForNode(ctx, node); err != nil {
				return process.PID{}, err
			}
			if q, err = deadletter.New(node, store, deadletter.WithAutoRetry(time.Hour, 3)); err != nil {
				return process.PID{}, err
			}
			return q.StartRetrier()
		}},
		{Name: "schedules", Start: func(node *process.Node) (process.PID, error) {
			store, err := schedule.OpenNodeStore(ctx, node, "")
			if err != nil {
				return process.PID{}, err
			}
			s, err := schedule.Start(node, schedule.WithStore(store))
			if err != nil {
				return process.PID{}, err
			}
			return s.PID()
		}},
	}}
	a, err := app.New(node, spec, app.WithStopHook(func(part string, _ time.Duration, err error) {
		note("stopped " + part)
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	a.RegisterOnStop(func() { note("hook") })
	if err := a.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"stopped schedules engine-up=true write=<nil>",
		"stopped deadletters engine-up=true write=<nil>",
		"hook engine-up=true write=<nil>",
	}
	if !slices.Equal(events, want) {
		t.Errorf("stop order:\n%q\nwant\n%q", events, want)
	}
	if !eng.Conn().IsClosed() {
		t.Error("the engine still runs after the application stopped")
	}
	if _, err := jsstore.OpenNodeStore(ctx, node, ""); err == nil {
		t.Error("OpenNodeStore after the application stopped succeeded")
	}
}

// TestExternalURL: a node configured with an external server's URL keeps
// its durable data there. The server is an embedded nats-server started
// by the test with a listener on 127.0.0.1 only.
func TestExternalURL(t *testing.T) {
	ctx := context.Background()
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	defer srv.Shutdown()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("test server not ready")
	}
	node := otptest.NewNode(t)
	if err := engine.Configure(node, engine.Config{URL: srv.ClientURL()}); err != nil {
		t.Fatal(err)
	}
	letters, err := jsstore.OpenNodeStore(ctx, node, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := letters.Put(ctx, deadletter.Entry{ID: "e1"}); err != nil {
		t.Fatal(err)
	}
	if err := node.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	// The data is in the external server, which the engine left running.
	direct, err := natsengine.Connect(ctx, srv.ClientURL(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = direct.Shutdown(ctx) }()
	kv, err := direct.JetStream().KeyValue(ctx, jsstore.DefaultBucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Get(ctx, "e1"); err != nil {
		t.Errorf("entry in the external server: %v", err)
	}
}

func TestConfigureBadInput(t *testing.T) {
	node := otptest.NewNode(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		node *process.Node
		cfg  engine.Config
	}{
		{"nil node", nil, engine.Config{Dir: dir}},
		{"neither", node, engine.Config{}},
		{"both", node, engine.Config{Dir: dir, URL: "nats://127.0.0.1:4222"}},
		{"negative sync", node, engine.Config{Dir: dir, SyncInterval: -1}},
		{"negative ready", node, engine.Config{Dir: dir, ReadyTimeout: -1}},
	} {
		if err := engine.Configure(tc.node, tc.cfg); !errors.Is(err, engine.ErrInvalidArgument) {
			t.Errorf("%s: Configure = %v; want ErrInvalidArgument", tc.name, err)
		}
	}
	if err := engine.Configure(node, engine.Config{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	if err := engine.Configure(node, engine.Config{Dir: dir}); err != nil {
		t.Errorf("same Configure again = %v; want nil", err)
	}
	if err := engine.Configure(node, engine.Config{Dir: t.TempDir()}); !errors.Is(err, engine.ErrConfigured) {
		t.Errorf("other Configure = %v; want ErrConfigured", err)
	}
}

// TestOpenNodeStoreBadInput: the durable services' node stores refuse a
// nil ctx and a nil node as bad input, and fail without a configured
// engine with an error matching ErrNotConfigured.
func TestOpenNodeStoreBadInput(t *testing.T) {
	node := otptest.NewNode(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		open func(context.Context, *process.Node) error
	}{
		{"deadletter", func(ctx context.Context, n *process.Node) error {
			_, err := jsstore.OpenNodeStore(ctx, n, "")
			return err
		}},
		{"schedule", func(ctx context.Context, n *process.Node) error {
			_, err := schedule.OpenNodeStore(ctx, n, "")
			return err
		}},
	} {
		if err := tc.open(nil, node); !errors.Is(err, engine.ErrInvalidArgument) {
			t.Errorf("%s: OpenNodeStore(nil ctx) = %v; want ErrInvalidArgument", tc.name, err)
		}
		if err := tc.open(ctx, nil); !errors.Is(err, engine.ErrInvalidArgument) {
			t.Errorf("%s: OpenNodeStore(nil node) = %v; want ErrInvalidArgument", tc.name, err)
		}
		if err := tc.open(ctx, node); !errors.Is(err, engine.ErrNotConfigured) {
			t.Errorf("%s: OpenNodeStore before Configure = %v; want ErrNotConfigured", tc.name, err)
		}
	}
}
