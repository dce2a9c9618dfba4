package clusteragent_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/cluster/clusteragent"
	"github.com/seed-fe72f376/orchard/otptest"
)

// TestAgentsAcrossNodes runs three nodes (this process "b", and OS
// processes "a" and "c") with the agents' snapshots and catalog in R3
// buckets: an agent spawned on a resolves from b with the local typed
// errors; hibernated from b, it wakes on b, the node a message arrived
// at; an agent of a that is killed (SIGKILL) goes on on b from its last
// snapshot; never two nodes run one agent.
func TestAgentsAcrossNodes(t *testing.T) {
	b := startLocal(t, "b", 3)
	a := startChild(t, "a", []string{b.RouteURL()})
	c := startChild(t, "c", []string{b.RouteURL()})
	awaitUp(t, b, "a", "b", "c")
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()

	// JetStream elects its leaders a moment after the servers meet:
	// start the agent systems once it answers.
	var local *agents
	otptest.Eventually(t, 30*time.Second, func() bool {
		if local == nil {
			sctx, scancel := context.WithTimeout(ctx, 5*time.Second)
			local, _ = setup(sctx, b)
			scancel()
		}
		if local == nil {
			return false
		}
		okA, errA := ask[bool](b, "a", "init")
		okC, errC := ask[bool](b, "c", "init")
		return errA == nil && errC == nil && okA && okC
	}, "agent systems started")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = local.stop(ctx)
	})
	cs := local.cs

	var firstToken uint64
	t.Run("spawned on a, resolved from b", func(t *testing.T) {
		if ok, err := ask[bool](b, "a", "spawn:c1"); err != nil || !ok {
			t.Fatalf("spawn on a = %v, %v", ok, err)
		}
		n, err := clusteragent.Run[int](ctx, cs, "c1", "add", map[string]int{"by": 2})
		if err != nil || n != 2 {
			t.Fatalf("Run from b = %d, %v; want 2", n, err)
		}
		in, err := cs.Whereis(ctx, "c1")
		if err != nil || in.Node != "a" || in.Token == 0 || in.PID.Node() != cluster.NodeNumber("a") {
			t.Fatalf("Whereis = %+v, %v; want on a with a token", in, err)
		}
		firstToken = in.Token
		st, err := cs.Status(ctx, "c1")
		if err != nil || st.Status != agent.Running || st.Node != "a" {
			t.Errorf("Status = %+v, %v; want Running on a", st, err)
		}
		raw, err := cs.RunJSON(ctx, "c1", "add", json.RawMessage(`{"by":1}`))
		if err != nil || string(raw) != "3" {
			t.Errorf("RunJSON = %s, %v; want 3", raw, err)
		}
		if _, err := cs.Spawn(ctx, agent.Config{ID: "c1", Kind: counterKind()}); !errors.Is(err, agent.ErrAlreadyRegistered) {
			t.Errorf("Spawn of c1 on b = %v; want ErrAlreadyRegistered", err)
		}
		found, err := cs.FindByCapability(ctx, "count")
		if err != nil || len(found) != 1 || found[0].ID != "c1" || found[0].Node != "a" {
			t.Errorf("FindByCapability = %+v, %v", found, err)
		}
	})

	t.Run("typed errors across nodes", func(t *testing.T) {
		var (
			ua *agent.UnknownAgentError
			uc *agent.UnknownActionError
			ii *agent.InvalidInputError
			re *cluster.RemoteError
		)
		_, err := clusteragent.Run[int](ctx, cs, "nobody", "add", map[string]int{"by": 1})
		if !errors.As(err, &ua) || ua.ID != "nobody" {
			t.Errorf("unknown agent: %v", err)
		}
		_, err = clusteragent.Run[int](ctx, cs, "c1", "jump", nil)
		if !errors.As(err, &uc) || uc.Action != "jump" || uc.ID != "c1" {
			t.Errorf("unknown action: %v", err)
		}
		_, err = clusteragent.Run[int](ctx, cs, "c1", "add", json.RawMessage(`{"by":"x"}`))
		if !errors.As(err, &ii) || ii.Action != "add" || !errors.Is(err, agent.ErrInvalidInput) {
			t.Errorf("invalid input: %v", err)
		}
		_, err = clusteragent.Run[int](ctx, cs, "c1", "fail", struct{}{})
		if !errors.As(err, &re) || re.Node != "a" || re.Msg != "told to fail" {
			t.Errorf("action error: %v", err)
		}
	})

	t.Run("signals and dispatch across nodes", func(t *testing.T) {
		sig, _ := agent.NewSignal("test", "count.up", map[string]int{"by": 100})
		if n, err := cs.Signal(ctx, "c1", sig); err != nil || n != 1 {
			t.Fatalf("Signal(c1) from b = %d, %v; want 1", n, err)
		}
		zero, _ := agent.NewSignal("test", "count.none", map[string]int{"by": 0})
		if n, err := cs.Publish(ctx, zero); err != nil || n != 1 {
			t.Errorf("Publish = %d, %v; want 1 (c1)", n, err)
		}
		other, _ := agent.NewSignal("test", "other.thing", map[string]int{"by": 5})
		if n, err := cs.Publish(ctx, other); err != nil || n != 0 {
			t.Errorf("Publish of an unrouted type = %d, %v; want 0", n, err)
		}
		n, id, err := clusteragent.Dispatch[int](ctx, cs, "count", "some key", "add", map[string]int{"by": 0})
		if err != nil || id != "c1" || n != 103 {
			t.Errorf("Dispatch = %d, %q, %v; want 103 from c1 (the signal ran before)", n, id, err)
		}
		if _, _, err := clusteragent.Dispatch[int](ctx, cs, "nothing", "", "add", nil); !errors.Is(err, agent.ErrNoAgent) {
			t.Errorf("Dispatch to no agent = %v; want ErrNoAgent", err)
		}
	})

	t.Run("hibernated from b, woken on b", func(t *testing.T) {
		if err := cs.Hibernate(ctx, "c1"); err != nil {
			t.Fatalf("Hibernate: %v", err)
		}
		if hosts, err := ask[bool](b, "a", "hosts:c1"); err != nil || hosts {
			t.Fatalf("a still hosts c1 after Hibernate: %v, %v", hosts, err)
		}
		otptest.Eventually(t, 10*time.Second, func() bool {
			st, err := cs.Status(ctx, "c1")
			return err == nil && st.Status == agent.Hibernated && st.Node == ""
		}, "c1 hibernated, hosted nowhere")
		n, err := clusteragent.Run[int](ctx, cs, "c1", "add", map[string]int{"by": 10})
		if err != nil || n != 113 {
			t.Fatalf("Run after hibernation = %d, %v; want 113 (state from the snapshot)", n, err)
		}
		in, err := cs.Whereis(ctx, "c1")
		if err != nil || in.Node != "b" || in.Token <= firstToken {
			t.Fatalf("Whereis after wake = %+v, %v; want on b with a token above %d", in, err, firstToken)
		}
		if st, err := local.sys.Status("c1"); err != nil || st.Status != agent.Running {
			t.Errorf("b's system: %+v, %v", st, err)
		}
	})

	t.Run("woken from two nodes at once: one host, no update lost", func(t *testing.T) {
		if err := cs.Hibernate(ctx, "c1"); err != nil {
			t.Fatalf("Hibernate: %v", err)
		}
		const each = 10
		fromC := make(chan error, 1)
		go func() {
			for range each {
				if _, err := ask[int](b, "c", "run:c1"); err != nil {
					fromC <- err
					return
				}
			}
			fromC <- nil
		}()
		for range each {
			if _, err := clusteragent.Run[int](ctx, cs, "c1", "add", map[string]int{"by": 1}); err != nil {
				t.Fatalf("Run from b: %v", err)
			}
		}
		if err := <-fromC; err != nil {
			t.Fatalf("Run from c: %v", err)
		}
		n, err := clusteragent.Run[int](ctx, cs, "c1", "add", map[string]int{"by": 0})
		if err != nil || n != 113+2*each {
			t.Fatalf("c1 = %d, %v; want %d (every run on one instance)", n, err, 113+2*each)
		}
		onB, _ := local.sys.Status("c1")
		onC, err := ask[bool](b, "c", "hosts:c1")
		if err != nil || (onB.Status == agent.Running) == onC {
			t.Errorf("running on b: %v, on c: %v (%v); want exactly one", onB.Status == agent.Running, onC, err)
		}
	})

	t.Run("node killed: the agent goes on on a survivor", func(t *testing.T) {
		if ok, err := ask[bool](b, "a", "spawn:c2"); err != nil || !ok {
			t.Fatalf("spawn on a = %v, %v", ok, err)
		}
		for i := 1; i <= 3; i++ {
			if n, err := clusteragent.Run[int](ctx, cs, "c2", "add", map[string]int{"by": 5}); err != nil || n != 5*i {
				t.Fatalf("Run %d = %d, %v", i, n, err)
			}
		}
		a.kill(t)
		rctx, rcancel := context.WithTimeout(ctx, 30*time.Second)
		defer rcancel()
		n, err := clusteragent.Run[int](rctx, cs, "c2", "add", map[string]int{"by": 1})
		if err != nil || n != 16 {
			t.Fatalf("Run after a was killed = %d, %v; want 16 (state from the last snapshot)", n, err)
		}
		in, err := cs.Whereis(ctx, "c2")
		if err != nil || in.Node != "b" {
			t.Fatalf("Whereis after failover = %+v, %v; want on b", in, err)
		}
		if hosts, err := ask[bool](b, "c", "hosts:c2"); err != nil || hosts {
			t.Errorf("c hosts c2 as well: %v, %v", hosts, err)
		}
		// c resolves it to b
		if st, err := cs.Status(ctx, "c2"); err != nil || st.Status != agent.Running || st.Node != "b" {
			t.Errorf("Status = %+v, %v", st, err)
		}
	})
	_ = c
}
