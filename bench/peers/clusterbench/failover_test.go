package clusterbench

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

// w11Rounds is how many clusters W11 forms and kills a node of.
const w11Rounds = 5

// w11Result is one round of W11, times from the SIGKILL.
type w11Result struct {
	down      time.Duration // the node declared down (as the caller's node sees it)
	singleton time.Duration // the singleton answering a call on its new node
	children  time.Duration // the last of the killed node's distributed children answering elsewhere
	moved     int           // how many distributed children the killed node ran
}

// TestClusterFailover prints W11: on three node OS processes (this one,
// the caller, and two others; Replicas 3, so JetStream keeps a quorum
// after one is lost) that all run one singleton and one distributed
// supervisor with the default Config and leases, the time from the
// SIGKILL of the node running the singleton and two of the six
// distributed children to (a) the singleton answering a call on its new
// node and (b) every child of the killed node answering on another
// node. Each of w11Rounds rounds forms a new cluster.
func TestClusterFailover(t *testing.T) {
	if os.Getenv("ORCHARD_CLUSTER_BENCH") == "" {
		t.Skip("set ORCHARD_CLUSTER_BENCH=1 to run the cluster workloads (three OS processes)")
	}
	var res []w11Result
	for r := range w11Rounds {
		t.Run(fmt.Sprintf("round%d", r+1), func(t *testing.T) {
			res = append(res, w11Round(t, fmt.Sprintf("w11r%d", r+1)))
		})
	}
	if len(res) == 0 {
		return
	}
	median := func(f func(w11Result) time.Duration) time.Duration {
		ds := make([]time.Duration, len(res))
		for i, r := range res {
			ds[i] = f(r)
		}
		slices.Sort(ds)
		return ds[len(ds)/2].Round(time.Millisecond)
	}
	t.Logf("W11 median of %d rounds: node declared down %v, singleton answering on its new node %v, all children of the killed node answering elsewhere %v",
		len(res), median(func(r w11Result) time.Duration { return r.down }),
		median(func(r w11Result) time.Duration { return r.singleton }),
		median(func(r w11Result) time.Duration { return r.children }))
}

// w11Round forms a cluster of three nodes named prefix-a (this process),
// prefix-b and prefix-c, places the singleton and two children on
// prefix-b, kills it and measures.
func w11Round(t *testing.T, prefix string) w11Result {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// The embedded servers of a and c log to files: their JetStream
	// leader changes after the kill say which streams' leaders died
	// with b.
	logs := t.TempDir()
	alog, err := os.Create(filepath.Join(logs, "a.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer alog.Close()
	// stopA also runs at cleanup, after the node processes are killed
	// when the round fails.
	a, stopA := startBenchNode(ctx, t, cluster.Config{Name: prefix + "-a", Replicas: 3,
		ServerLogger: slog.New(slog.NewTextHandler(alog, nil))})
	d, err := a.StartDistributed(w11Dist(a))
	if err != nil {
		t.Fatal(err)
	}
	b := startNode(t, prefix+"-b", a.RouteURL(), "", "")
	c := startNode(t, prefix+"-c", a.RouteURL(), "", filepath.Join(logs, "c.log"))
	awaitCluster(t, a, a.Name(), b.name, c.name)
	b.ask(t, "DISTSUP")
	c.ask(t, "DISTSUP")

	// answers calls name on node (bounded) and reports whether the echo
	// came back.
	answers := func(node, name string) bool {
		cctx, ccancel := context.WithTimeout(ctx, 250*time.Millisecond)
		defer ccancel()
		v, err := genserver.Call[int](cctx, a.RemoteName(node, name), 1)
		return err == nil && v == 1
	}
	await := func(what string, within time.Duration, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(within)
		for !ok() {
			if time.Now().After(deadline) {
				fmt.Fprintln(c.in, "RUNNING")
				t.Logf("%s", c.line(5*time.Second))
				t.Fatalf("%s: not within %v (children as %s sees them: %v; running there: %v)", what, within, a.Name(), d.Children(), d.Running())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// The singleton starts on b first, so that b holds it; then the
	// others compete.
	b.ask(t, "SINGLETON")
	await("singleton on "+b.name, 30*time.Second, func() bool { return answers(b.name, "w11.single") })
	c.ask(t, "SINGLETON")
	if _, err := a.StartSingleton(w11Singleton(a)); err != nil {
		t.Fatal(err)
	}

	// Every node must have recorded its presence in the supervisor
	// before the placement (as in package cluster's tests): place
	// probes until one landed on each node, then terminate them.
	placedOn := map[string]bool{}
	var probes []string
	await("a probe placed on each node", 30*time.Second, func() bool {
		id := fmt.Sprintf("p%d", len(probes))
		pctx, pcancel := context.WithTimeout(ctx, 5*time.Second)
		defer pcancel()
		if node, err := d.StartChild(pctx, cluster.DistChild{ID: id, Kind: "echo", Arg: id}); err == nil {
			probes = append(probes, id)
			placedOn[node] = true
		}
		return len(placedOn) == 3
	})
	for _, id := range probes {
		if err := d.TerminateChild(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	// w0..w5 hash two to each node (ByKeyHash over the sorted names).
	var moving []string
	for i := range 6 {
		id := fmt.Sprintf("w%d", i)
		node, err := d.StartChild(ctx, cluster.DistChild{ID: id, Kind: "echo", Arg: id})
		if err != nil {
			t.Fatal(err)
		}
		await("child "+id+" on "+node, 30*time.Second, func() bool { return answers(node, "w11."+id) })
		if node == b.name {
			moving = append(moving, "w11."+id)
		}
	}
	if len(moving) == 0 {
		t.Fatalf("no distributed child on %s", b.name)
	}

	downs := make(chan time.Time, 1)
	w, err := a.Process().Spawn(func(p *process.Proc) error {
		if _, err := p.Receive(p.Context()); err == nil {
			downs <- time.Now()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.MonitorNode(w, b.name); err != nil {
		t.Fatal(err)
	}

	killed := time.Now()
	if err := b.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	pending := append([]string{"w11.single"}, moving...)
	at := map[string]time.Duration{}
	where := map[string]string{}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for len(pending) > 0 {
		if time.Since(killed) > 60*time.Second {
			t.Fatalf("not answering 60 s after the SIGKILL: %v", pending)
		}
		pending = slices.DeleteFunc(pending, func(name string) bool {
			for _, s := range []string{a.Name(), c.name} {
				if answers(s, name) {
					at[name], where[name] = time.Since(killed), s
					return true
				}
			}
			return false
		})
		<-tick.C
	}
	var res w11Result
	select {
	case d := <-downs:
		res.down = d.Sub(killed)
	case <-time.After(10 * time.Second):
		t.Fatalf("%s not declared down", b.name)
	}
	res.singleton, res.moved = at["w11.single"], len(moving)
	var kids []string
	for _, name := range moving {
		res.children = max(res.children, at[name])
		kids = append(kids, fmt.Sprintf("%s on %s after %v", strings.TrimPrefix(name, "w11."), where[name], at[name].Round(time.Millisecond)))
	}
	t.Logf("W11 %s killed: declared down after %v; singleton answering on %s after %v; its %d children: %s",
		b.name, res.down.Round(time.Millisecond), where["w11.single"], res.singleton.Round(time.Millisecond),
		len(moving), strings.Join(kids, ", "))
	t.Logf("W11 %s JetStream leader changes after the kill: %s: %v; %s: %v", b.name,
		a.Name(), elections(alog.Name(), killed), c.name, elections(filepath.Join(logs, "c.log"), killed))
	stopA()
	return res
}
