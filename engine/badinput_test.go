package engine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/engine"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// TestBadInput walks engine's API with nil, zero and invalid input: each
// call returns an error matching ErrInvalidArgument (docs/ERRORS.md), a
// stopped node is ErrNodeStopped, and nothing is configured.
func TestBadInput(t *testing.T) {
	node := otptest.NewNode(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		node *process.Node
		cfg  engine.Config
	}{
		{"nil node", nil, engine.Config{Dir: dir}},
		{"zero config", node, engine.Config{}},
		{"dir and url", node, engine.Config{Dir: dir, URL: "nats://127.0.0.1:4222"}},
		{"negative sync interval", node, engine.Config{Dir: dir, SyncInterval: -time.Second}},
		{"negative ready timeout", node, engine.Config{Dir: dir, ReadyTimeout: -time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := engine.Configure(tc.node, tc.cfg)
			var ae *engine.ArgumentError
			if !errors.Is(err, engine.ErrInvalidArgument) || !errors.As(err, &ae) {
				t.Fatalf("Configure(%v) = %v; want an *ArgumentError matching ErrInvalidArgument", tc.cfg, err)
			}
		})
	}
	// None of the refused calls configured the node.
	if err := engine.Configure(node, engine.Config{Dir: dir}); err != nil {
		t.Fatalf("Configure after the refused calls = %v; want nil (nothing was configured)", err)
	}

	stopped, err := process.NewNode()
	if err != nil {
		t.Fatal(err)
	}
	if err := stopped.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := engine.Configure(stopped, engine.Config{Dir: t.TempDir()}); !errors.Is(err, process.ErrNodeStopped) {
		t.Fatalf("Configure(stopped node) = %v; want ErrNodeStopped", err)
	}
}
