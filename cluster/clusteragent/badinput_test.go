package clusteragent_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/cluster/clusteragent"
	"github.com/seed-fe72f376/orchard/otptest"
)

// TestBadInput walks the exported API with nil, zero and empty input:
// every call returns an error matching ErrInvalidArgument, none panics.
func TestBadInput(t *testing.T) {
	var (
		nilCtx context.Context
		nilCS  *clusteragent.System
	)
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"Start nil ctx":            func() error { _, err := clusteragent.Start(nilCtx, nil, nil, clusteragent.Config{}); return err },
		"Start nil node":           func() error { _, err := clusteragent.Start(ctx, nil, nil, clusteragent.Config{}); return err },
		"Stop nil":                 func() error { return nilCS.Stop(ctx) },
		"Spawn nil":                func() error { _, err := nilCS.Spawn(ctx, agent.Config{ID: "x"}); return err },
		"Run nil":                  func() error { _, err := clusteragent.Run[int](ctx, nilCS, "x", "a", nil); return err },
		"RunJSON nil":              func() error { _, err := nilCS.RunJSON(ctx, "x", "a", nil); return err },
		"Hibernate nil":            func() error { return nilCS.Hibernate(ctx, "x") },
		"Whereis nil":              func() error { _, err := nilCS.Whereis(ctx, "x"); return err },
		"Status nil":               func() error { _, err := nilCS.Status(ctx, "x"); return err },
		"FindByCapability nil":     func() error { _, err := nilCS.FindByCapability(ctx, "x"); return err },
		"Signal nil":               func() error { _, err := nilCS.Signal(ctx, "x", agent.Signal{Type: "t"}); return err },
		"Publish nil":              func() error { _, err := nilCS.Publish(ctx, agent.Signal{Type: "t"}); return err },
		"Dispatch nil":             func() error { _, _, err := clusteragent.Dispatch[int](ctx, nilCS, "c", "", "a", nil); return err },
		"WithReplicas nil options": func() error { return clusteragentBad() },
	} {
		if err := otptest.NoPanic(call); !errors.Is(err, clusteragent.ErrInvalidArgument) {
			t.Errorf("%s: %v; want ErrInvalidArgument", name, err)
		}
	}
}

// TestBadInputLive: the same on a running system of a one-node cluster.
func TestBadInputLive(t *testing.T) {
	n, _ := startPair(t, "bad")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	la := setupLocal(t, n)
	sys, cs := la.sys, la.cs
	var nilCtx context.Context
	other := otptest.NewNode(t)
	otherSys, err := agent.Start(other, agent.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer otherSys.Stop(ctx)
	for name, call := range map[string]func() error{
		"Start nil sys":     func() error { _, err := clusteragent.Start(ctx, n, nil, clusteragent.Config{}); return err },
		"Start foreign sys": func() error { _, err := clusteragent.Start(ctx, n, otherSys, clusteragent.Config{}); return err },
		"Start nil kind": func() error {
			_, err := clusteragent.Start(ctx, n, sys, clusteragent.Config{Kinds: []agent.Kind{nil}})
			return err
		},
		"Spawn nil ctx":      func() error { _, err := cs.Spawn(nilCtx, agent.Config{ID: "x", Kind: counterKind()}); return err },
		"Spawn empty id":     func() error { _, err := cs.Spawn(ctx, agent.Config{Kind: counterKind()}); return err },
		"Spawn nil kind":     func() error { _, err := cs.Spawn(ctx, agent.Config{ID: "x"}); return err },
		"Run nil ctx":        func() error { _, err := clusteragent.Run[int](nilCtx, cs, "x", "a", nil); return err },
		"Run empty id":       func() error { _, err := clusteragent.Run[int](ctx, cs, "", "a", nil); return err },
		"Run empty action":   func() error { _, err := clusteragent.Run[int](ctx, cs, "x", "", nil); return err },
		"RunJSON empty id":   func() error { _, err := cs.RunJSON(ctx, "", "a", nil); return err },
		"Hibernate nil ctx":  func() error { return cs.Hibernate(nilCtx, "x") },
		"Hibernate empty id": func() error { return cs.Hibernate(ctx, "") },
		"Whereis empty id":   func() error { _, err := cs.Whereis(ctx, ""); return err },
		"Status nil ctx":     func() error { _, err := cs.Status(nilCtx, "x"); return err },
		"Find nil ctx":       func() error { _, err := cs.FindByCapability(nilCtx, "x"); return err },
		"Stop nil ctx":       func() error { return cs.Stop(nilCtx) },
		"Signal empty id":    func() error { _, err := cs.Signal(ctx, "", agent.Signal{Type: "t"}); return err },
		"Signal empty type":  func() error { _, err := cs.Signal(ctx, "x", agent.Signal{}); return err },
		"Publish empty type": func() error { _, err := cs.Publish(ctx, agent.Signal{}); return err },
		"Dispatch nil ctx":   func() error { _, _, err := clusteragent.Dispatch[int](nilCtx, cs, "c", "", "a", nil); return err },
		"Dispatch empty cap": func() error { _, _, err := clusteragent.Dispatch[int](ctx, cs, "", "", "a", nil); return err },
	} {
		if err := otptest.NoPanic(call); !errors.Is(err, clusteragent.ErrInvalidArgument) {
			t.Errorf("%s: %v; want ErrInvalidArgument", name, err)
		}
	}
	other2, err := agent.NewKind(agent.Spec[int]{Name: "other"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.Spawn(ctx, agent.Config{ID: "y", Kind: other2}); !errors.Is(err, clusteragent.ErrUnknownKind) {
		t.Errorf("Spawn of an unlisted kind = %v; want ErrUnknownKind", err)
	}
	if _, err := cs.Whereis(ctx, "y"); !errors.Is(err, agent.ErrUnknownAgent) {
		t.Errorf("a failed Spawn left a catalog entry: %v", err)
	}
}

func clusteragentBad() error {
	_, err := clusteragent.Start(context.Background(), nil, nil, clusteragent.Config{Replicas: -1})
	return err
}
