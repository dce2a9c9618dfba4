package cluster_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
)

// TestRejoinAfterCrash: a node killed with SIGKILL is declared down
// with noconnection; a new node process with the same name and the same
// data directory joins again: it is seen up, its servers answer calls,
// it registers global names (JetStream took its server back), and it is
// recorded as a member.
func TestRejoinAfterCrash(t *testing.T) {
	a := startLocal(t, "rj-a", cluster.Config{Replicas: 3})
	dir := t.TempDir()
	env := []string{childEnv + "_DIR=" + dir, childEnv + "_REPLICAS=3"}
	b := startChild(t, "rj-b", []string{a.RouteURL()}, env...)
	startChild(t, "rj-c", []string{a.RouteURL()}, childEnv+"_REPLICAS=3")
	awaitUp(t, a, "rj-b", "rj-c")
	awaitJetStream(t, a, "rj-a", "rj-b", "rj-c")

	pr := otptest.NewProbe(t, a.Process())
	if _, err := a.MonitorNode(pr.PID(), "rj-b"); err != nil {
		t.Fatal(err)
	}
	if err := b.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if d, ok := pr.Expect(t, 5*time.Second).(cluster.NodeDown); !ok || d.Node != "rj-b" || !errors.Is(d.Reason, cluster.NoConnection) {
		t.Fatalf("got %#v; want NodeDown{rj-b, noconnection}", d)
	}
	<-b.dead

	startChild(t, "rj-b", []string{a.RouteURL()}, env...)
	awaitUp(t, a, "rj-b")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	echo := a.RemoteName("rj-b", "echo")
	otptest.Eventually(t, 20*time.Second, func() bool {
		got, err := genserver.Call[string](ctx, echo, "whoami", genserver.WithTimeout(2*time.Second))
		return err == nil && got == "rj-b"
	}, "the rejoined rj-b answers calls")
	var tok uint64
	otptest.Eventually(t, 40*time.Second, func() bool {
		v, err := genserver.Call[uint64](ctx, echo, "gspawn:rejoined", genserver.WithTimeout(15*time.Second))
		tok = v
		return err == nil && v > 0
	}, "the rejoined rj-b registers a global name")
	otptest.Eventually(t, 10*time.Second, func() bool {
		pid, got, ok := a.WhereIsGlobal("rejoined")
		return ok && got == tok && pid.Node() == cluster.NodeNumber("rj-b")
	}, "rj-a resolves the name registered on the rejoined rj-b")
	otptest.Eventually(t, 20*time.Second, func() bool {
		rctx, rcancel := context.WithTimeout(ctx, 2*time.Second)
		defer rcancel()
		got, err := a.Recorded(rctx)
		return err == nil && slices.Contains(got, "rj-b")
	}, "rj-b is recorded as a member")
}
