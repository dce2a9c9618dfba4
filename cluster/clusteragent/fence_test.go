package clusteragent_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/cluster/clusteragent"
	"github.com/seed-fe72f376/orchard/otptest"
)

// TestStaleCopyStepsDown: node a hosts f1; its global name is removed
// as if the cluster had declared a down, and b wakes f1 with a higher
// token. a's copy, still alive, cannot overwrite b's snapshot (its save
// is fenced out) and steps down; the state is b's.
func TestStaleCopyStepsDown(t *testing.T) {
	a, b := startPair(t, "fence")
	la, lb := setupLocal(t, a), setupLocal(t, b)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := la.cs.Spawn(ctx, agent.Config{ID: "f1", Kind: counterKind()}); err != nil {
		t.Fatal(err)
	}
	if n, err := clusteragent.Run[int](ctx, la.cs, "f1", "add", map[string]int{"by": 5}); err != nil || n != 5 {
		t.Fatalf("Run on a = %d, %v", n, err)
	}
	in, err := la.cs.Whereis(ctx, "f1")
	if err != nil || in.Node != a.Name() {
		t.Fatalf("Whereis = %+v, %v", in, err)
	}
	// what every node's reaper does when a is declared down
	if err := b.UnregisterGlobal(ctx, clusteragent.GlobalName("f1"), in.Token); err != nil {
		t.Fatal(err)
	}
	otptest.Eventually(t, 10*time.Second, func() bool {
		_, _, ok := b.WhereIsGlobal(clusteragent.GlobalName("f1"))
		return !ok
	}, "b forgets a's registration")
	if n, err := clusteragent.Run[int](ctx, lb.cs, "f1", "add", map[string]int{"by": 1}); err != nil || n != 6 {
		t.Fatalf("Run from b after a's name went = %d, %v; want 6 (woken on b)", n, err)
	}
	if in2, err := lb.cs.Whereis(ctx, "f1"); err != nil || in2.Node != b.Name() || in2.Token <= in.Token {
		t.Fatalf("Whereis after the wake = %+v, %v; want on b with a token above %d", in2, err, in.Token)
	}
	// a's stale copy acts: its snapshot is refused
	_, err = agent.Run[int](ctx, la.sys, "f1", "add", map[string]int{"by": 100})
	t.Logf("stale copy's run: %v", err)
	otptest.Eventually(t, 10*time.Second, func() bool {
		_, err := la.sys.Status("f1")
		return errors.Is(err, agent.ErrUnknownAgent)
	}, "a's stale copy stepped down")
	// the snapshot is b's: hibernate on b, wake on a
	if err := lb.cs.Hibernate(ctx, "f1"); err != nil {
		t.Fatal(err)
	}
	if n, err := clusteragent.Run[int](ctx, la.cs, "f1", "add", map[string]int{"by": 0}); err != nil || n != 6 {
		t.Errorf("Run from a after b hibernated it = %d, %v; want 6 (the stale copy's 105 never saved)", n, err)
	}
}
