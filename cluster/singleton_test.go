package cluster_test

import (
	"context"
	"fmt"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
	"github.com/seed-fe72f376/orchard/process"
)

// singletonCluster starts a (the collector's node) and two node
// processes that both run the singleton "single", and returns the
// collector, the children by name, and the first accepted act.
func singletonCluster(t *testing.T, prefix string) (<-chan Act, map[string]*child, Act) {
	a := startLocal(t, prefix+"-a", cluster.Config{Replicas: 3})
	kids := map[string]*child{}
	for _, s := range []string{"-b", "-c"} {
		kids[prefix+s] = startChild(t, prefix+s, []string{a.RouteURL()}, childEnv+"_SINGLETON=1", childEnv+"_REPLICAS=3")
	}
	awaitUp(t, a, prefix+"-b", prefix+"-c")
	awaitJetStream(t, a, prefix+"-a", prefix+"-b", prefix+"-c")
	acts := make(chan Act, 1024)
	col, err := a.Process().Spawn(func(p *process.Proc) error {
		for {
			m, err := p.Receive(p.Context())
			if err != nil {
				return nil
			}
			if act, ok := m.(Act); ok {
				acts <- act
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := a.RegisterGlobal(ctx, "collector", col); err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case act := <-acts:
			if act.OK {
				return acts, kids, act
			}
		case <-time.After(20 * time.Second):
			t.Fatal("no singleton act within 20 s")
		}
	}
}

// awaitMove returns the first act accepted from another node than
// old's, with the time it took, failing when its token is not above
// old's or when none comes within the bound.
func awaitMove(t *testing.T, acts <-chan Act, old Act, within time.Duration) (Act, time.Duration) {
	t.Helper()
	start := time.Now()
	timeout := time.After(within)
	var seen []string // what arrived meanwhile, for a failure's message
	for {
		var act Act
		select {
		case act = <-acts:
			seen = append(seen, fmt.Sprintf("%v %s/%d/%v", time.Since(start).Round(time.Millisecond), act.Node, act.Token, act.OK))
		case <-timeout:
			t.Fatalf("the singleton did not move from %s within %v; acts meanwhile: %v", old.Node, within, seen)
		}
		if act.OK && act.Node != old.Node {
			if act.Token <= old.Token {
				t.Fatalf("new holder %s acted with token %d, not above %d", act.Node, act.Token, old.Token)
			}
			return act, time.Since(start)
		}
	}
}

// moveWithin bounds a singleton's move after its node is lost: declared
// down within 1.5 s, then JetStream re-elects the leaders of the leases
// and fences streams the node led (4 to 9 s each in nats-server, in
// parallel, sometimes two rounds on a loaded machine), then the new
// holder's first act.
const moveWithin = 60 * time.Second

// TestSingletonFailover: kill -9 of the holder's node moves the
// singleton to the survivor with a higher fencing token.
func TestSingletonFailover(t *testing.T) {
	col, kids, first := singletonCluster(t, "sf")
	killed := time.Now()
	if err := kids[first.Node].cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	moved, _ := awaitMove(t, col, first, moveWithin)
	t.Logf("failover %s -> %s in %v (token %d -> %d)", first.Node, moved.Node, time.Since(killed).Round(time.Millisecond), first.Token, moved.Token)
}

// TestSingletonFrozen: a holder frozen (SIGSTOP) longer than its lease
// loses the singleton; after SIGCONT its stale token is rejected, so no
// act of it is accepted after the new holder's.
func TestSingletonFrozen(t *testing.T) {
	col, kids, first := singletonCluster(t, "sz")
	old := kids[first.Node]
	if err := old.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Skipf("cannot SIGSTOP: %v", err)
	}
	defer func() { _ = old.cmd.Process.Signal(syscall.SIGCONT) }()
	moved, _ := awaitMove(t, col, first, moveWithin)
	if err := old.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	// After the thaw, until three more acts were accepted: accepted
	// tokens never go down, so the stale holder's acts are all
	// rejected. (The lease may legitimately move again, with a higher
	// token.) The bound allows for JetStream settling its leaders after
	// a server comes back: an election takes nats-server 4 to 9 s, and
	// may take two rounds under load.
	const settle = 60 * time.Second
	thawed := time.Now()
	deadline := thawed.Add(settle)
	high, accepted := moved.Token, 0
	var seen []string // what arrived after the thaw, for a failure's message
	for time.Now().Before(deadline) && accepted < 3 {
		var act Act
		select {
		case act = <-col:
		case <-time.After(time.Until(deadline)):
			continue
		}
		seen = append(seen, fmt.Sprintf("%v %s/%d/%v", time.Since(thawed).Round(time.Millisecond), act.Node, act.Token, act.OK))
		if !act.OK {
			continue
		}
		if act.Token < high {
			t.Fatalf("%s acted with token %d after token %d was accepted (stale holder %s)", act.Node, act.Token, high, first.Node)
		}
		high = act.Token
		accepted++
	}
	if accepted < 3 {
		t.Errorf("%d acts accepted in %v after the thaw; want 3; acts after the thaw: %v", accepted, settle, seen)
	}
}

// TestSingletonStopHandsOver: a holder that stops its singleton ends
// its instance first, then releases the lease, so the other node takes
// it over with a higher token well before the lease would have lapsed,
// and the two instances never overlap.
func TestSingletonStopHandsOver(t *testing.T) {
	a := startLocal(t, "handsy-a", cluster.Config{})
	b := startLocal(t, "handsy-b", cluster.Config{Routes: []string{a.RouteURL()}})
	awaitUp(t, a, "handsy-b")
	awaitJetStream(t, a, "handsy-a", "handsy-b")
	type event struct {
		node  string
		token uint64
		start bool
	}
	events := make(chan event, 64)
	const lease = 3 * time.Second
	spec := func(node string) cluster.SingletonSpec {
		return cluster.SingletonSpec{Name: "handsy", Lease: lease, Run: func(p *process.Proc, token uint64) error {
			events <- event{node, token, true}
			<-p.Context().Done()
			events <- event{node, token, false}
			return nil
		}}
	}
	next := func(what string) event {
		t.Helper()
		select {
		case e := <-events:
			return e
		case <-time.After(20 * time.Second):
			t.Fatalf("no %s within 20 s", what)
			return event{}
		}
	}
	sa, err := a.StartSingleton(spec("a"))
	if err != nil {
		t.Fatal(err)
	}
	first := next("first start")
	if !first.start || first.node != "a" {
		t.Fatalf("first event %+v; want a start on a", first)
	}
	if _, err := b.StartSingleton(spec("b")); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	sa.Stop()
	if e := next("end of a's instance"); e.start || e.node != "a" {
		t.Fatalf("after Stop: %+v; want a's instance to end first", e)
	}
	moved := next("start on b")
	took := time.Since(stopped)
	if !moved.start || moved.node != "b" || moved.token <= first.token {
		t.Fatalf("then %+v; want a start on b with a token above %d", moved, first.token)
	}
	if took >= lease {
		t.Errorf("b took the lease %v after the stop; want it handed over before the %v lease lapses", took, lease)
	}
	if tok := sa.Token(); tok != 0 {
		t.Errorf("a's Token after Stop = %d; want 0", tok)
	}
}

// TestSingletonLeaseDeletedWhileHeld: when the lease its node holds is
// deleted, the manager takes it again with a new token and its first
// instance ends: it does not run on, untracked, beside the new one.
func TestSingletonLeaseDeletedWhileHeld(t *testing.T) {
	a := startJetStreamPair(t, "delsy")
	type event struct {
		token uint64
		start bool
	}
	events := make(chan event, 64)
	if _, err := a.StartSingleton(cluster.SingletonSpec{Name: "delsy", Run: func(p *process.Proc, token uint64) error {
		events <- event{token, true}
		<-p.Context().Done()
		events <- event{token, false}
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(30 * time.Second)
	next := func(what string) event {
		t.Helper()
		select {
		case e := <-events:
			return e
		case <-timeout:
			t.Fatalf("no %s within 30 s", what)
			return event{}
		}
	}
	first := next("first start")
	if !first.start {
		t.Fatalf("first event %+v; want a start", first)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	eng, err := natsengine.ForNode(ctx, a.Process())
	if err != nil {
		t.Fatal(err)
	}
	kv, err := eng.JetStream().KeyValue(ctx, cluster.LeasesBucket)
	if err != nil {
		t.Fatal(err)
	}
	if err := kv.Delete(ctx, "delsy"); err != nil {
		t.Fatal(err)
	}
	// In either order: the first instance ends, and a second starts with
	// a higher token.
	var ended, restarted bool
	for !ended || !restarted {
		e := next("end of the first instance and a start with a new token")
		switch {
		case !e.start && e.token == first.token:
			ended = true
		case e.start && e.token > first.token:
			restarted = true
		default:
			t.Fatalf("event %+v; want the first instance (token %d) to end and one with a higher token to start", e, first.token)
		}
	}
}

// TestSingletonStopLeavesNoHandOver: a singleton stopped on its own takes
// its hand-over out of the node's leave, so starting and stopping
// singletons does not pile hand-overs up for Node.Stop.
func TestSingletonStopLeavesNoHandOver(t *testing.T) {
	a := startJetStreamPair(t, "unleave")
	before := cluster.LeaveHooks(a)
	started := make(chan struct{}, 1)
	for i := range 2 {
		s, err := a.StartSingleton(cluster.SingletonSpec{Name: "unleave-" + strconv.Itoa(i), Lease: 3 * time.Second, Run: func(p *process.Proc, _ uint64) error {
			started <- struct{}{}
			<-p.Context().Done()
			return nil
		}})
		if err != nil {
			t.Fatalf("round %d: StartSingleton: %v", i, err)
		}
		if got := cluster.LeaveHooks(a); got != before+1 {
			t.Fatalf("round %d: %d hand-overs with the singleton running; want %d", i, got, before+1)
		}
		select {
		case <-started:
		case <-time.After(20 * time.Second):
			t.Fatalf("round %d: the singleton did not start within 20 s", i)
		}
		s.Stop()
		if got := cluster.LeaveHooks(a); got != before {
			t.Fatalf("round %d: %d hand-overs after Stop; want %d", i, got, before)
		}
	}
}
