package cluster_test

import (
	"context"
	"fmt"
	"maps"
	"syscall"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// distCluster starts a (the collector's node, running the supervisor
// too) and two node processes running it, places six children, and
// returns a's supervisor, the children processes by name, the starts
// channel and where each child first started.
func distCluster(t *testing.T, prefix string) (*cluster.DistSupervisor, map[string]*child, <-chan Started, map[string]Started) {
	a := startLocal(t, prefix+"-a", cluster.Config{Replicas: 3})
	kids := map[string]*child{}
	for _, s := range []string{"-b", "-c"} {
		kids[prefix+s] = startChild(t, prefix+s, []string{a.RouteURL()}, childEnv+"_DISTSUP=1", childEnv+"_REPLICAS=3")
	}
	awaitUp(t, a, prefix+"-b", prefix+"-c")
	awaitJetStream(t, a, prefix+"-a", prefix+"-b", prefix+"-c")
	starts := make(chan Started, 1024)
	col, err := a.Process().Spawn(func(p *process.Proc) error {
		for {
			m, err := p.Receive(p.Context())
			if err != nil {
				return nil
			}
			if st, ok := m.(Started); ok {
				starts <- st
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := a.RegisterGlobal(ctx, "collector", col); err != nil {
		t.Fatal(err)
	}
	d, err := a.StartDistributed(distSpec(a))
	if err != nil {
		t.Fatal(err)
	}
	// Every node must have recorded its presence before the placement:
	// place probes (each its own id, so they hash apart) until one
	// landed on each node.
	placedOn := map[string]bool{}
	probes := 0
	otptest.Eventually(t, 30*time.Second, func() bool {
		id := fmt.Sprintf("probe%d", probes)
		node, err := d.StartChild(ctx, cluster.DistChild{ID: id, Kind: "report", Arg: id})
		if err == nil {
			probes++
			placedOn[node] = true
		}
		return len(placedOn) == 3
	}, "probes placed on every node (placed on %v)", placedOn)
	first := map[string]Started{}
	for i := range 6 {
		id := fmt.Sprintf("k%d", i)
		if _, err := d.StartChild(ctx, cluster.DistChild{ID: id, Kind: "report", Arg: id}); err != nil {
			t.Fatalf("StartChild(%s): %v", id, err)
		}
	}
	want := probes + 6
	timeout := time.After(30 * time.Second)
	for len(first) < want {
		select {
		case st := <-starts:
			if _, dup := first[st.Child]; dup {
				t.Fatalf("child %s started twice before any failure: %+v", st.Child, st)
			}
			first[st.Child] = st
		case <-timeout:
			t.Fatalf("only %d of %d children started in 30 s: %v", len(first), want, first)
		}
	}
	return d, kids, starts, first
}

// awaitMoved waits until every child of first that ran on gone has
// started once on another node with a higher token, then watches the
// starts for two more leases: no child starts on another node again
// (exactly once), and no child that did not run on gone starts
// elsewhere. A child may start again on the node that owns it, with a
// higher token: its lease lapsed there (JetStream busy), so it killed
// its instance and took the lease again.
func awaitMoved(t *testing.T, d *cluster.DistSupervisor, starts <-chan Started, first map[string]Started, gone string) (current map[string]Started) {
	t.Helper()
	moving := map[string]bool{}
	for id, st := range first {
		if st.Node == gone {
			moving[id] = true
		}
	}
	if len(moving) == 0 {
		t.Fatalf("no child ran on %s: %v", gone, first)
	}
	began := time.Now()
	moved := map[string]Started{}
	current = maps.Clone(first)
	var quiet <-chan time.Time
	timeout := time.After(moveWithin)
	for {
		select {
		case st := <-starts:
			if cur := current[st.Child]; st.Node == cur.Node && st.Token > cur.Token {
				// Its owner could not renew in time (JetStream busy) and
				// took the lease again: the same node, a new token, the
				// old instance killed first. Not a second copy.
				t.Logf("child %s restarted on its own node %s (token %d -> %d)", st.Child, st.Node, cur.Token, st.Token)
				current[st.Child] = st
				continue
			}
			switch {
			case !moving[st.Child]:
				t.Fatalf("child %s of a live node started elsewhere: %+v after %+v", st.Child, st, current[st.Child])
			case st.Node == gone:
				t.Fatalf("child %s started again on the node that left: %+v", st.Child, st)
			case moved[st.Child] != (Started{}):
				t.Fatalf("child %s started twice after %s went: %+v then %+v", st.Child, gone, moved[st.Child], st)
			case st.Token <= first[st.Child].Token:
				t.Fatalf("child %s moved with token %d, not above %d", st.Child, st.Token, first[st.Child].Token)
			}
			current[st.Child] = st
			moved[st.Child] = st
			t.Logf("failover %s: %s -> %s in %v (token %d -> %d)", st.Child, gone, st.Node,
				time.Since(began).Round(time.Millisecond), first[st.Child].Token, st.Token)
			if len(moved) == len(moving) {
				quiet = time.After(4 * time.Second) // two leases
			}
		case <-quiet:
			return current
		case <-timeout:
			t.Fatalf("%d of %d children of %s moved in %v; children as seen here: %+v", len(moved), len(moving), gone, moveWithin, d.Children())
		}
	}
}

// TestDistSupervisorKill: kill -9 of a node restarts each of its
// children exactly once on the survivors, with a higher fencing token.
func TestDistSupervisorKill(t *testing.T) {
	d, kids, starts, first := distCluster(t, "dk")
	gone := "dk-b"
	if err := kids[gone].cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	awaitMoved(t, d, starts, first, gone)
}

// TestDistSupervisorLeave: a node that leaves gracefully hands its
// children over; each starts exactly once on a node that stays.
func TestDistSupervisorLeave(t *testing.T) {
	d, kids, starts, first := distCluster(t, "dl")
	gone := "dl-c"
	kids[gone].leave(t)
	awaitMoved(t, d, starts, first, gone)
}

// TestDistSupervisorFrozen: a node frozen (SIGSTOP) longer than its
// leases loses its children, which start exactly once elsewhere; after
// SIGCONT it finds its leases taken and runs none of them.
func TestDistSupervisorFrozen(t *testing.T) {
	d, kids, starts, first := distCluster(t, "dz")
	gone := "dz-b"
	old := kids[gone]
	if err := old.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Skipf("cannot SIGSTOP: %v", err)
	}
	defer func() { _ = old.cmd.Process.Signal(syscall.SIGCONT) }()
	current := awaitMoved(t, d, starts, first, gone)
	if err := old.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	a := d.Node()
	otptest.Eventually(t, 30*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		running, err := genserver.Call[string](ctx, a.RemoteName(gone, "echo"), "distrunning")
		return err == nil && running == ""
	}, "the thawed node %s runs none of its former children", gone)
	// No child started on the thawed node, nor moved: a start after the
	// thaw is a child taking its lease again on the node that owns it
	// (JetStream re-elected its leaders when the node came back, and a
	// lease that could not be renewed meanwhile lapsed), with a higher
	// token.
	for {
		select {
		case st := <-starts:
			if st.Node == gone {
				t.Fatalf("child %s started on the thawed node: %+v", st.Child, st)
			}
			if cur := current[st.Child]; st.Node != cur.Node || st.Token <= cur.Token {
				t.Fatalf("child %s started after the thaw on %s with token %d; it ran on %s with token %d", st.Child, st.Node, st.Token, cur.Node, cur.Token)
			}
			current[st.Child] = st
		default:
			return
		}
	}
}
