package cluster_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// netns is a network namespace joined to this one by a veth pair: the
// host side has hostIP, the namespace's side nsIP.
type netns struct {
	name, hostIf, hostIP, nsIP string
}

// ipCmd runs ip with args, bounded in time.
func ipCmd(args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// newNetns makes a network namespace with a veth pair to this one, or
// skips the test when the machine cannot (not root, no ip, no netns
// support). Everything is removed at cleanup, even when the test fails.
func newNetns(t *testing.T) *netns {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("cluster: the network partition test needs root (ip netns); not root here")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("cluster: the network partition test needs the ip command (iproute2); not found")
	}
	id := os.Getpid() % 100000
	sub := 16 + os.Getpid()%200
	ns := &netns{name: fmt.Sprintf("orchard-part-%d", id), hostIf: fmt.Sprintf("orh%d", id),
		hostIP: fmt.Sprintf("10.213.%d.1", sub), nsIP: fmt.Sprintf("10.213.%d.2", sub)}
	nsIf := fmt.Sprintf("orn%d", id)
	if err := ipCmd("netns", "add", ns.name); err != nil {
		t.Skipf("cluster: cannot make a network namespace here (%v): no partition test", err)
	}
	t.Cleanup(func() {
		_ = ipCmd("link", "del", ns.hostIf) // deletes the pair
		if err := ipCmd("netns", "del", ns.name); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	for _, args := range [][]string{
		{"link", "add", ns.hostIf, "type", "veth", "peer", "name", nsIf},
		{"link", "set", nsIf, "netns", ns.name},
		{"addr", "add", ns.hostIP + "/24", "dev", ns.hostIf},
		{"link", "set", ns.hostIf, "up"},
		{"-n", ns.name, "addr", "add", ns.nsIP + "/24", "dev", nsIf},
		{"-n", ns.name, "link", "set", nsIf, "up"},
		{"-n", ns.name, "link", "set", "lo", "up"},
	} {
		if err := ipCmd(args...); err != nil {
			t.Fatalf("setting up the namespace: %v", err)
		}
	}
	return ns
}

// cut brings the veth pair down (the partition) or up (healed).
func (ns *netns) cut(t *testing.T, down bool) {
	t.Helper()
	state := "up"
	if down {
		state = "down"
	}
	if err := ipCmd("link", "set", ns.hostIf, state); err != nil {
		t.Fatal(err)
	}
}

// TestNetworkPartition: three nodes, c in its own network namespace
// joined by a veth pair, a and b in this one; the singleton runs on c,
// and a distributed supervisor on a and c places children on both.
// Cutting the link (a true partition: packets dropped, no connection
// closed) leaves c alone in the minority: it cannot renew its leases,
// so its instances step down, while the majority declares c down,
// moves the singleton to a with a higher fencing token and keeps
// acting, and restarts c's children on a (each once, a higher token)
// while a's own children stay. After the link comes back, c rejoins,
// no act with a stale token is accepted, and c runs none of the
// children: no duplicate.
func TestNetworkPartition(t *testing.T) {
	ns := newNetns(t)
	auth := cluster.Config{User: "orchard", Password: "partition", Replicas: 3}
	auth.Listen = ns.hostIP + ":-1"
	a := startLocal(t, "np-a", auth)
	env := []string{childEnv + "_USER=orchard", childEnv + "_PASSWORD=partition", childEnv + "_REPLICAS=3"}
	startChild(t, "np-b", []string{a.RouteURL()}, append(env, childEnv+"_LISTEN="+ns.hostIP+":-1")...)
	startChildVia(t, []string{"ip", "netns", "exec", ns.name}, "np-c", []string{a.RouteURL()},
		append(env, childEnv+"_LISTEN="+ns.nsIP+":-1", childEnv+"_SINGLETON=1", childEnv+"_DISTSUP=1")...)
	awaitUp(t, a, "np-b", "np-c")
	awaitJetStream(t, a, "np-a", "np-b", "np-c")

	acts := make(chan Act, 1024)
	starts := make(chan Started, 1024)
	col, err := a.Process().Spawn(func(p *process.Proc) error {
		for {
			m, err := p.Receive(p.Context())
			if err != nil {
				return nil
			}
			switch m := m.(type) {
			case Act:
				acts <- m
			case Started:
				starts <- m
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
	// a records its presence in the distributed supervisor while the
	// singleton starts on c.
	d, err := a.StartDistributed(distSpec(a))
	if err != nil {
		t.Fatal(err)
	}
	var first Act
	for !first.OK {
		select {
		case first = <-acts:
		case <-time.After(30 * time.Second):
			t.Fatal("no act of the singleton on np-c within 30 s")
		}
	}
	// The majority side competes for the singleton too, and runs the
	// distributed supervisor with c.
	if _, err := a.StartSingleton(cluster.SingletonSpec{Name: "single", Lease: 2 * time.Second, Run: actor(a)}); err != nil {
		t.Fatal(err)
	}
	placed := map[string]string{}
	for i := 0; len(placed) < 6; i++ {
		id := fmt.Sprintf("p%d", i)
		var node string
		otptest.Eventually(t, 30*time.Second, func() bool {
			node, err = d.StartChild(ctx, cluster.DistChild{ID: id, Kind: "report", Arg: id})
			return err == nil
		}, "StartChild(%s)", id)
		placed[id] = node
	}
	firstStarts := map[string]Started{}
	for len(firstStarts) < len(placed) {
		select {
		case st := <-starts:
			if _, dup := firstStarts[st.Child]; dup {
				t.Fatalf("child %s started twice before the partition: %+v", st.Child, st)
			}
			firstStarts[st.Child] = st
		case <-time.After(30 * time.Second):
			t.Fatalf("only %d of %d children started in 30 s: %v", len(firstStarts), len(placed), firstStarts)
		}
	}
	onC := 0
	for _, st := range firstStarts {
		if st.Node == "np-c" {
			onC++
		}
	}
	if onC == 0 || onC == len(firstStarts) {
		t.Logf("children by node before the partition: %v (want some on each side)", firstStarts)
	}

	ns.cut(t, true)
	cutAt := time.Now()
	moved, _ := awaitMove(t, acts, first, moveWithin)
	t.Logf("partition: singleton %s -> %s in %v (token %d -> %d)", first.Node, moved.Node,
		time.Since(cutAt).Round(time.Millisecond), first.Token, moved.Token)
	if slices.Contains(a.Up(), "np-c") {
		t.Errorf("np-c still up on np-a after the partition")
	}
	// The majority keeps acting while the partition lasts, past c's
	// lease: c's instance has stepped down (it could not renew), and no
	// act of it arrives.
	high, accepted := moved.Token, 0
	for accepted < 5 {
		select {
		case act := <-acts:
			if act.OK && act.Token < high {
				t.Fatalf("during the partition %s acted with token %d after %d", act.Node, act.Token, high)
			}
			if act.OK {
				high, accepted = act.Token, accepted+1
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("the majority's singleton stopped acting during the partition (%d acts)", accepted)
		}
	}

	// c's children start once each on a, with a higher token; a's stay.
	current := awaitMoved(t, d, starts, firstStarts, "np-c")

	ns.cut(t, false)
	awaitUp(t, a, "np-c")
	// After the healing, until five more acts were accepted: accepted
	// tokens never go down (c's stale instance, if it acts at all, is
	// rejected by the fence).
	// The bound allows for JetStream re-electing the leaders c disturbs
	// when it comes back (4 to 9 s an election, several under load).
	const settle = 60 * time.Second
	deadline := time.After(settle)
	var seen []Act
	for accepted = 0; accepted < 5; {
		select {
		case act := <-acts:
			seen = append(seen, act)
			if !act.OK {
				continue
			}
			if act.Token < high {
				t.Fatalf("after healing %s acted with token %d after %d was accepted; acts since healing: %+v", act.Node, act.Token, high, seen)
			}
			high, accepted = act.Token, accepted+1
		case <-deadline:
			t.Fatalf("%d acts accepted in %v after healing; want 5; acts: %+v", accepted, settle, seen)
		}
	}
	// c runs none of the children after healing, and none started on
	// c or moved: a start after healing is a child taking its lease
	// again on the node that owns it, with a higher token.
	otptest.Eventually(t, 30*time.Second, func() bool {
		cctx, ccancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer ccancel()
		running, err := genserver.Call[string](cctx, a.RemoteName("np-c", "echo"), "distrunning")
		return err == nil && running == ""
	}, "np-c runs none of the children after healing")
	for {
		select {
		case st := <-starts:
			if cur := current[st.Child]; st.Node == "np-c" || st.Node != cur.Node || st.Token <= cur.Token {
				t.Fatalf("child %s started after healing on %s with token %d; it ran on %s with token %d", st.Child, st.Node, st.Token, cur.Node, cur.Token)
			}
			current[st.Child] = st
		default:
			return
		}
	}
}
