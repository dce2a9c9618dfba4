package kvstore_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/agent/kvstore"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

func TestErrorStore(t *testing.T) {
	dir := t.TempDir()
	node, _, ctx := startNode(t, dir)
	es, err := kvstore.OpenNodeErrorStore(ctx, node, "", 3)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		es.Record(agent.CrashRecord{AgentID: fmt.Sprint("a", i%2), Reason: fmt.Sprint("r", i), Time: t0.Add(time.Duration(i) * time.Minute), Restarts: i})
	}
	all := es.Query(agent.CrashFilter{})
	if len(all) != 3 || all[0].Reason != "r2" || all[2].Reason != "r4" {
		t.Fatalf("bounded to 3: %+v", all)
	}
	if got := es.Query(agent.CrashFilter{AgentID: "a0"}); len(got) != 2 {
		t.Errorf("by agent: %+v", got)
	}
	if got := es.Query(agent.CrashFilter{Reason: "r3"}); len(got) != 1 || got[0].Restarts != 3 {
		t.Errorf("by reason: %+v", got)
	}
	if got := es.Query(agent.CrashFilter{Since: t0.Add(3 * time.Minute), Until: t0.Add(4 * time.Minute)}); len(got) != 1 || got[0].Reason != "r3" {
		t.Errorf("by time: %+v", got)
	}
	// reopened, it goes on after what it holds
	es2, err := kvstore.OpenNodeErrorStore(ctx, node, "", 3)
	if err != nil {
		t.Fatal(err)
	}
	es2.Record(agent.CrashRecord{AgentID: "b", Reason: "r5"})
	if got := es2.Query(agent.CrashFilter{}); len(got) != 3 || got[2].Reason != "r5" || got[0].Reason != "r3" {
		t.Errorf("after reopen: %+v", got)
	}
	if es2.Dropped() != 0 {
		t.Errorf("dropped %d", es2.Dropped())
	}

	// a system records its agents' crashes there
	sys, err := agent.Start(node, agent.WithErrorStore(es2), agent.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Stop(ctx)
	k, _ := counterKind()
	pid, err := sys.Spawn(ctx, agent.Config{ID: "victim", Kind: k})
	if err != nil {
		t.Fatal(err)
	}
	_ = node.Exit(pid, process.Kill)
	otptest.Eventually(t, 10*time.Second, func() bool {
		got := sys.Errors(agent.CrashFilter{AgentID: "victim"})
		return len(got) == 1 && got[0].Reason == process.FormatReason(process.Killed) && got[0].Restarts == 1
	}, "crash not recorded in the KV store")
}

func TestErrorStoreBadInput(t *testing.T) {
	var nilCtx context.Context
	var nilES *kvstore.ErrorStore
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"OpenErrorStore nil ctx":     func() error { _, err := kvstore.OpenErrorStore(nilCtx, nil, "", 1); return err },
		"OpenErrorStore nil js":      func() error { _, err := kvstore.OpenErrorStore(ctx, nil, "", 1); return err },
		"OpenNodeErrorStore nil":     func() error { _, err := kvstore.OpenNodeErrorStore(ctx, nil, "", 1); return err },
		"OpenNodeErrorStore nil ctx": func() error { _, err := kvstore.OpenNodeErrorStore(nilCtx, nil, "", 1); return err },
	} {
		if err := otptest.NoPanic(call); !errors.Is(err, kvstore.ErrInvalidArgument) {
			t.Errorf("%s: %v", name, err)
		}
	}
	node, _, ctx2 := startNode(t, t.TempDir())
	if _, err := kvstore.OpenNodeErrorStore(ctx2, node, "", 0); !errors.Is(err, kvstore.ErrInvalidArgument) {
		t.Errorf("size 0: %v", err)
	}
	nilES.Record(agent.CrashRecord{})
	if nilES.Query(agent.CrashFilter{}) != nil || nilES.Dropped() != 0 {
		t.Error("nil store answered")
	}
}
