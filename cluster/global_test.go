package cluster_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// TestGlobalRegistry: names unique cluster-wide, seen on every node,
// removed when the holder dies or its node is lost, with increasing
// fencing tokens; under churn from two nodes, never two holders.
func TestGlobalRegistry(t *testing.T) {
	a := startLocal(t, "g-a", cluster.Config{})
	b := startChild(t, "g-b", []string{a.RouteURL()})
	startChild(t, "g-c", []string{a.RouteURL()})
	awaitUp(t, a, "g-b", "g-c")
	awaitJetStream(t, a, "g-a", "g-b", "g-c")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	echoB := a.RemoteName("g-b", "echo")
	callB := func(req string) (any, error) {
		return genserver.Call[any](ctx, echoB, req, genserver.WithTimeout(15*time.Second))
	}
	gone := func(name string) func() bool {
		return func() bool { _, _, ok := a.WhereIsGlobal(name); return !ok }
	}

	t.Run("register here, seen there, taken there", func(t *testing.T) {
		pr := otptest.NewProbe(t, a.Process())
		tok, err := a.RegisterGlobal(ctx, "svc", pr.PID())
		if err != nil || tok == 0 {
			t.Fatalf("RegisterGlobal = %d, %v", tok, err)
		}
		otptest.Eventually(t, 10*time.Second, func() bool {
			got, err := callB("whereis:svc")
			return err == nil && got == pr.PID()
		}, "g-b resolves svc to %v", pr.PID())
		if _, err := callB("gspawn:svc"); err == nil || !strings.Contains(err.Error(), "already registered") {
			t.Fatalf("second registration on g-b = %v; want name taken", err)
		}
		if _, err := a.RegisterGlobal(ctx, "svc", otptest.NewProbe(t, a.Process()).PID()); !errors.Is(err, process.ErrNameTaken) {
			t.Fatalf("second registration on g-a = %v; want ErrNameTaken", err)
		}
		if got := cluster.Global(a, "svc").Token(); got != tok {
			t.Errorf("Token = %d; want %d", got, tok)
		}
	})

	t.Run("remote holder dies: name removed", func(t *testing.T) {
		if _, err := callB("gspawn:remote1"); err != nil {
			t.Fatal(err)
		}
		g := cluster.Global(a, "remote1")
		otptest.Eventually(t, 10*time.Second, func() bool { _, err := g.Resolve(); return err == nil }, "remote1 known on g-a")
		pid, _ := g.Resolve()
		if pid.Node() != cluster.NodeNumber("g-b") {
			t.Fatalf("remote1 = %v; want a PID of g-b", pid)
		}
		if err := a.Process().SendDest(g, "exit:boom"); err != nil {
			t.Fatal(err)
		}
		otptest.Eventually(t, 10*time.Second, gone("remote1"), "remote1 removed after its holder died")
	})

	t.Run("via: genserver.WithVia registers globally", func(t *testing.T) {
		g := cluster.Global(a, "gs")
		pid, err := genserver.Start(a.Process(), &echo{node: "g-a"}, genserver.WithVia(g))
		if err != nil {
			t.Fatal(err)
		}
		got, err := genserver.Call[any](ctx, g, "whoami")
		if err != nil || got != "g-a" {
			t.Fatalf("Call via global name = %v, %v", got, err)
		}
		otptest.Eventually(t, 10*time.Second, func() bool {
			got, err := callB("whereis:gs")
			return err == nil && got == pid
		}, "g-b resolves gs")
		if err := genserver.Stop(g, process.Normal, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		otptest.Eventually(t, 10*time.Second, gone("gs"), "gs removed after Stop")
	})

	t.Run("churn: never two holders, tokens increase", func(t *testing.T) {
		var last uint64
		for round := range 8 {
			pr := otptest.NewProbe(t, a.Process())
			type res struct {
				tok uint64
				err error
			}
			fromB := make(chan res, 1)
			go func() {
				v, err := callB("gspawn:churn")
				tok, _ := v.(uint64)
				fromB <- res{tok, err}
			}()
			tokA, errA := a.RegisterGlobal(ctx, "churn", pr.PID())
			rb := <-fromB
			if (errA == nil) == (rb.err == nil) {
				t.Fatalf("round %d: g-a err %v, g-b err %v; want exactly one holder", round, errA, rb.err)
			}
			tok := tokA
			if errA != nil {
				tok = rb.tok
			}
			if tok <= last {
				t.Fatalf("round %d: token %d not above the previous %d", round, tok, last)
			}
			last = tok
			otptest.Eventually(t, 10*time.Second, func() bool { _, got, ok := a.WhereIsGlobal("churn"); return ok && got == tok }, "round %d: holder known", round)
			holder, _, _ := a.WhereIsGlobal("churn")
			if errA == nil {
				_ = a.Process().Exit(holder, process.Kill)
			} else if err := a.Process().Send(holder, "exit:normal"); err != nil {
				t.Fatal(err)
			}
			otptest.Eventually(t, 10*time.Second, gone("churn"), "round %d: churn released", round)
		}
	})

	t.Run("holder's node killed: name removed", func(t *testing.T) {
		if _, err := callB("gspawn:onb"); err != nil {
			t.Fatal(err)
		}
		otptest.Eventually(t, 10*time.Second, func() bool { _, _, ok := a.WhereIsGlobal("onb"); return ok }, "onb known")
		if err := b.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		otptest.Eventually(t, 15*time.Second, gone("onb"), "onb removed after g-b was lost")
		pr := otptest.NewProbe(t, a.Process())
		if _, err := a.RegisterGlobal(ctx, "onb", pr.PID()); err != nil {
			t.Fatalf("registering the freed name: %v", err)
		}
	})
}

// awaitJetStream waits until the cluster's JetStream answers: every node
// has written its membership record.
func awaitJetStream(t *testing.T, n *cluster.Node, names ...string) {
	t.Helper()
	otptest.Eventually(t, 30*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		got, err := n.Recorded(ctx)
		return err == nil && len(got) == len(names)
	}, "JetStream records %v", names)
}

// TestGlobalUnregisterDropsExitHook: a process that lives on while it
// registers and unregisters a global name keeps no exit hook per past
// registration, and the record of a holder that dies goes with it.
// TestGlobalLostCreateRemoved: a registration whose create succeeded
// after RegisterGlobal's ctx ended (its caller was told it failed, so it
// would never unregister it) is removed by the reaper; one that the node
// records (an earlier RegisterGlobal of the same process) is kept.
func TestGlobalLostCreateRemoved(t *testing.T) {
	a := startJetStreamPair(t, "gl")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pr := otptest.NewProbe(t, a.Process())
	if _, err := a.RegisterGlobal(ctx, "gl-kept", pr.PID()); err != nil {
		t.Fatal(err)
	}
	if err := cluster.CreateGlobalRaw(ctx, a, "gl-lost", pr.PID()); err != nil {
		t.Fatal(err)
	}
	otptest.Eventually(t, 10*time.Second, func() bool { _, _, ok := a.WhereIsGlobal("gl-lost"); return ok },
		"the lost create is seen")
	// The reaper takes them in order: once gl-lost is gone, gl-kept was
	// looked at.
	if err := cluster.LoseCreate(a, "gl-kept", pr.PID()); err != nil {
		t.Fatal(err)
	}
	if err := cluster.LoseCreate(a, "gl-lost", pr.PID()); err != nil {
		t.Fatal(err)
	}
	otptest.Eventually(t, 10*time.Second, func() bool { _, _, ok := a.WhereIsGlobal("gl-lost"); return !ok },
		"the lost create is removed")
	if pid, _, ok := a.WhereIsGlobal("gl-kept"); !ok || pid != pr.PID() {
		t.Errorf("gl-kept resolves to %v, %v; want %v: a recorded registration is kept", pid, ok, pr.PID())
	}
}

func TestGlobalUnregisterDropsExitHook(t *testing.T) {
	a := startJetStreamPair(t, "gu")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pr := otptest.NewProbe(t, a.Process())
	for i := range 3 {
		tok, err := a.RegisterGlobal(ctx, "gu", pr.PID())
		if err != nil {
			t.Fatalf("RegisterGlobal #%d: %v", i, err)
		}
		if got := cluster.LocalRegistrations(a); got != 1 {
			t.Fatalf("after RegisterGlobal #%d: %d hook records; want 1", i, got)
		}
		if err := a.UnregisterGlobal(ctx, "gu", tok); err != nil {
			t.Fatalf("UnregisterGlobal #%d: %v", i, err)
		}
		if got := cluster.LocalRegistrations(a); got != 0 {
			t.Fatalf("after UnregisterGlobal #%d: %d hook records; want 0", i, got)
		}
	}
	dying := otptest.NewProbe(t, a.Process())
	if _, err := a.RegisterGlobal(ctx, "gu", dying.PID()); err != nil {
		t.Fatal(err)
	}
	if err := a.Process().Exit(dying.PID(), process.Kill); err != nil {
		t.Fatal(err)
	}
	if got := cluster.LocalRegistrations(a); got != 0 {
		t.Errorf("after the holder died: %d hook records; want 0", got)
	}
	otptest.Eventually(t, 10*time.Second, func() bool { _, _, ok := a.WhereIsGlobal("gu"); return !ok },
		"gu removed after its holder died")
}
