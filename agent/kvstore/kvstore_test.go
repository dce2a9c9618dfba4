package kvstore_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/agent/kvstore"
	"github.com/seed-fe72f376/orchard/engine"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// helperEnv, when set to a directory, makes the test binary act as the
// first OS process of TestSurvivesProcessRestart: it saves state through
// an agent and exits without stopping anything.
const helperEnv = "ORCHARD_AGENT_KV_HELPER"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		os.Exit(helper(dir))
	}
	otptest.VerifyTestMain(m)
}

func counterKind() (agent.Kind, error) {
	type addIn struct {
		By int `json:"by"`
	}
	return agent.NewKind(agent.Spec[int]{Name: "counter", Persist: agent.Policy{EveryAction: true},
		Actions: []agent.Action[int]{
			agent.NewAction("add", "adds", func(_ context.Context, n *int, in addIn) (int, []agent.Directive, error) {
				*n += in.By
				return *n, nil, nil
			}),
		}})
}

func helper(dir string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	node, err := process.NewNode(process.Config{Logger: slog.New(slog.DiscardHandler)})
	if err == nil {
		err = engine.Configure(node, engine.Config{Dir: dir})
	}
	var st *kvstore.Store
	if err == nil {
		st, err = kvstore.OpenNodeStore(ctx, node, "")
	}
	var sys *agent.System
	if err == nil {
		sys, err = agent.Start(node, agent.WithStore(st))
	}
	k, kerr := counterKind()
	if err == nil {
		err = kerr
	}
	if err == nil {
		_, err = sys.Spawn(ctx, agent.Config{ID: "survivor", Kind: k})
	}
	var n int
	if err == nil {
		n, err = agent.Run[int](ctx, sys, "survivor", "add", json.RawMessage(`{"by":42}`))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 3
	}
	fmt.Println("saved", n)
	return 0 // exits with the agent still running: no graceful stop
}

func startNode(t *testing.T, dir string) (*process.Node, *kvstore.Store, context.Context) {
	t.Helper()
	node := otptest.NewNode(t, process.Config{Logger: slog.New(slog.DiscardHandler)})
	if err := engine.Configure(node, engine.Config{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	st, err := kvstore.OpenNodeStore(ctx, node, "")
	if err != nil {
		t.Fatal(err)
	}
	return node, st, ctx
}

func TestStore(t *testing.T) {
	_, st, ctx := startNode(t, t.TempDir())
	if _, err := st.Load(ctx, "x/y z"); !errors.Is(err, agent.ErrNoSnapshot) {
		t.Fatalf("Load of nothing = %v", err)
	}
	snap := agent.Snapshot{Version: 2, Seq: 7, Time: time.Now().UTC().Truncate(time.Millisecond), Data: json.RawMessage(`{"n":1}`)}
	if err := st.Save(ctx, "x/y z", snap); err != nil {
		t.Fatal(err)
	}
	got, err := st.Load(ctx, "x/y z")
	if err != nil || got.Version != 2 || got.Seq != 7 || !got.Time.Equal(snap.Time) || string(got.Data) != `{"n":1}` {
		t.Fatalf("Load = %+v, %v", got, err)
	}
	if err := st.Delete(ctx, "x/y z"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Load(ctx, "x/y z"); !errors.Is(err, agent.ErrNoSnapshot) {
		t.Fatalf("Load after Delete = %v", err)
	}
}

// TestSurvivesAgentRestart: an agent killed resumes from its snapshot
// in the KV store.
func TestSurvivesAgentRestart(t *testing.T) {
	node, st, ctx := startNode(t, t.TempDir())
	sys, err := agent.Start(node, agent.WithStore(st), agent.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Stop(ctx)
	k, _ := counterKind()
	pid, err := sys.Spawn(ctx, agent.Config{ID: "a", Kind: k})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := agent.Run[int](ctx, sys, "a", "add", json.RawMessage(`{"by":5}`)); err != nil {
		t.Fatal(err)
	}
	_ = node.Exit(pid, process.Kill)
	otptest.Eventually(t, 10*time.Second, func() bool {
		s, _ := sys.Status("a")
		return s.Status == agent.Running && s.PID != pid
	})
	if n, err := agent.Run[int](ctx, sys, "a", "add", json.RawMessage(`{"by":1}`)); err != nil || n != 6 {
		t.Errorf("after restart = %d, %v; want 6", n, err)
	}
}

// TestSurvivesProcessRestart: a first OS process (this test binary again)
// runs an action and exits without stopping; this process finds the
// agent's state in the same engine directory.
func TestSurvivesProcessRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second OS process")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skipf("cannot re-run the test binary: %v", err)
	}
	dir := t.TempDir()
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start a second OS process: %v", err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	_, _ = io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil || line != "saved 42\n" {
		t.Fatalf("first process: %q, %v\n%s", line, err, stderr.String())
	}

	node, st, ctx := startNode(t, dir)
	sys, err := agent.Start(node, agent.WithStore(st))
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Stop(ctx)
	k, _ := counterKind()
	if _, err := sys.Spawn(ctx, agent.Config{ID: "survivor", Kind: k}); err != nil {
		t.Fatal(err)
	}
	if n, err := agent.Run[int](ctx, sys, "survivor", "add", json.RawMessage(`{"by":1}`)); err != nil || n != 43 {
		t.Errorf("in the second process = %d, %v; want 43", n, err)
	}
}

func TestBadInput(t *testing.T) {
	var nilStore *kvstore.Store
	var nilCtx context.Context
	ctx := context.Background()
	cases := map[string]func() error{
		"New nil":               func() error { _, err := kvstore.New(nil); return err },
		"Open nil ctx":          func() error { _, err := kvstore.Open(nilCtx, nil, ""); return err },
		"Open nil js":           func() error { _, err := kvstore.Open(ctx, nil, ""); return err },
		"OpenNodeStore nil ctx": func() error { _, err := kvstore.OpenNodeStore(nilCtx, nil, ""); return err },
		"OpenNodeStore nil":     func() error { _, err := kvstore.OpenNodeStore(ctx, nil, ""); return err },
		"Save nil store":        func() error { return nilStore.Save(ctx, "a", agent.Snapshot{}) },
		"Load nil store":        func() error { _, err := nilStore.Load(ctx, "a"); return err },
		"Delete nil store":      func() error { return nilStore.Delete(ctx, "a") },
	}
	for name, call := range cases {
		if err := otptest.NoPanic(call); !errors.Is(err, kvstore.ErrInvalidArgument) {
			t.Errorf("%s: %v", name, err)
		}
	}
	_, st, ctx2 := startNode(t, t.TempDir())
	if err := st.Save(nilCtx, "a", agent.Snapshot{}); !errors.Is(err, kvstore.ErrInvalidArgument) {
		t.Errorf("Save nil ctx: %v", err)
	}
	if _, err := st.Load(ctx2, ""); !errors.Is(err, kvstore.ErrInvalidArgument) {
		t.Errorf("Load empty id: %v", err)
	}
}
