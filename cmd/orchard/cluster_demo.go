package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/process"
)

// clusterNodeCommand is the hidden command a cluster demo runs its node
// processes with (the demo binary runs itself).
const clusterNodeCommand = "__cluster-node"

// demoWorkers is how many children the cluster demo places through its
// distributed supervisor; demoSingleton names its one singleton.
const (
	demoWorkers   = 6
	demoSingleton = "singleton"
)

// demoAct is what a demo child reports every 200 ms: where it runs and
// its fencing token.
type demoAct struct {
	Child string
	Node  string
	Token uint64
}

// clusterDemoNodes reports whether args ask for the cluster demo
// (--nodes N with N > 0), and N.
func clusterDemoNodes(args []string) (int, bool) {
	for i, a := range args {
		v, ok := strings.CutPrefix(strings.TrimLeft(a, "-"), "nodes")
		if !ok || !strings.HasPrefix(a, "-") {
			continue
		}
		if v == "" && i+1 < len(args) {
			v = "=" + args[i+1]
		}
		if n, err := strconv.Atoi(strings.TrimPrefix(v, "=")); err == nil && n > 0 {
			return n, true
		}
	}
	return 0, false
}

// demoNode is a node process of the cluster demo and its command pipes.
type demoNode struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// ask writes a command line to the node and returns its answer line.
func (d *demoNode) ask(cmd string) string {
	if _, err := fmt.Fprintln(d.in, cmd); err != nil {
		return "ERROR " + err.Error()
	}
	line, _ := d.out.ReadString('\n')
	return strings.TrimSpace(line)
}

// runClusterDemo starts nodes node processes on loopback; each runs the
// demo's distributed supervisor, through which one of them places
// demoWorkers children, and competes for a singleton started first on
// the node holding the most children. It shows where every child lives,
// SIGKILLs that node, prints a "failover" line for each child that moved
// with the time from the kill to the child running elsewhere, the time
// until all of them did, and stops everything. Its agents
// (demo_cluster_agents.go) are listed, run and moved alongside.
func runClusterDemo(ctx context.Context, nodes int, stdout, stderr io.Writer) int {
	if nodes < 2 {
		fmt.Fprintln(stderr, "orchard demo: --nodes needs at least 2 nodes to show a failover")
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "orchard demo: "+format+"\n", args...)
		return 1
	}
	dir, err := os.MkdirTemp("", "orchard-cluster-demo-")
	if err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(dir)
	obs, err := cluster.Start(ctx, cluster.Config{Name: "observer", Dir: dir + "/observer", Replicas: 3})
	if err != nil {
		return fail("%v", err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), stopBudget)
		defer cancel()
		_ = obs.Stop(sctx)
	}()
	if err := cluster.Register[demoAct](obs, "demo.Act"); err != nil {
		return fail("%v", err)
	}
	acts := make(chan demoAct, 1024)
	col, err := obs.Process().Spawn(func(p *process.Proc) error {
		for {
			m, err := p.Receive(p.Context())
			if err != nil {
				return nil
			}
			if a, ok := m.(demoAct); ok {
				select {
				case acts <- a:
				default:
				}
			}
		}
	})
	if err != nil {
		return fail("%v", err)
	}
	exe, err := os.Executable()
	if err != nil {
		return fail("cannot run node processes: %v", err)
	}
	children := map[string]*demoNode{}
	defer func() {
		for _, c := range children {
			_ = c.cmd.Process.Kill()
			_ = c.cmd.Wait()
		}
	}()
	var names []string
	for i := 1; i <= nodes; i++ {
		name := "node-" + strconv.Itoa(i)
		cmd := exec.CommandContext(ctx, exe, clusterNodeCommand, "--name", name, "--dir", dir+"/"+name, "--route", obs.RouteURL())
		cmd.Stderr = stderr
		in, _ := cmd.StdinPipe()
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			return fail("start %s: %v", name, err)
		}
		children[name] = &demoNode{cmd: cmd, in: in, out: bufio.NewReader(out)}
		names = append(names, name)
		fmt.Fprintf(stdout, "started %s (pid %d)\n", name, cmd.Process.Pid)
	}
	// A node answers READY once its part of the distributed supervisor
	// is a candidate for placement (JetStream elected its leaders).
	for _, name := range names {
		if line, _ := children[name].out.ReadString('\n'); !strings.HasPrefix(line, "READY") {
			return fail("%s did not start: %s", name, line)
		}
	}
	if _, err := obs.RegisterGlobal(ctx, "demo.collector", col); err != nil {
		return fail("%v", err)
	}
	if line := children[names[0]].ask("PLACE " + strconv.Itoa(demoWorkers)); line != "PLACED" {
		return fail("placing the children: %s", line)
	}
	where := map[string]demoAct{}
	await := func(done func() bool) bool {
		for !done() {
			select {
			case a := <-acts:
				if a.Token >= where[a.Child].Token {
					where[a.Child] = a
				}
			case <-ctx.Done():
				return false
			}
		}
		return true
	}
	if !await(func() bool { return len(where) == demoWorkers }) {
		return fail("the children did not all start: %v", where)
	}
	load := map[string]int{}
	for _, a := range where {
		load[a.Node]++
	}
	victim := slices.MaxFunc(names, func(a, b string) int { return load[a] - load[b] })
	// The singleton starts on the victim first, so that it moves too.
	if line := children[victim].ask("SINGLETON"); line != "OK" {
		return fail("singleton on %s: %s", victim, line)
	}
	if !await(func() bool { return where[demoSingleton].Node == victim }) {
		return fail("the singleton did not start on %s", victim)
	}
	for _, name := range names {
		if name == victim {
			continue
		}
		if line := children[name].ask("SINGLETON"); line != "OK" {
			return fail("singleton on %s: %s", name, line)
		}
	}
	ids := make([]string, 0, len(where))
	for id := range where {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	moved := map[string]demoAct{}
	for _, id := range ids {
		a := where[id]
		fmt.Fprintf(stdout, "%s lives on %s (fencing token %d)\n", id, a.Node, a.Token)
		if a.Node == victim {
			moved[id] = a
		}
	}
	agents, err := startDemoAgents(children, names, stdout) // demo_cluster_agents.go
	if err != nil {
		return fail("%v", err)
	}
	workers := len(moved) - 1
	fmt.Fprintf(stdout, "SIGKILL %s (pid %d): it runs %d distributed children and the singleton\n",
		victim, children[victim].cmd.Process.Pid, workers)
	killed := time.Now()
	_ = children[victim].cmd.Process.Signal(syscall.SIGKILL)
	_ = children[victim].cmd.Wait()
	delete(children, victim)
	agentsMoved := agents.failover(victim, killed)
	var allMoved, singletonMoved time.Duration
	for left := workers; len(moved) > 0; {
		select {
		case a := <-acts:
			old, ok := moved[a.Child]
			if !ok || a.Node == victim || a.Token <= old.Token {
				continue
			}
			took := time.Since(killed)
			fmt.Fprintf(stdout, "failover %s: %s -> %s in %v (token %d -> %d)\n", a.Child, victim, a.Node,
				took.Round(time.Millisecond), old.Token, a.Token)
			delete(moved, a.Child)
			if a.Child == demoSingleton {
				singletonMoved = took
			} else if left--; left == 0 {
				allMoved = took
			}
		case <-ctx.Done():
			return fail("no failover for %d children", len(moved))
		}
	}
	fmt.Fprintf(stdout, "failover done: all %d distributed children of %s ran elsewhere %v after the SIGKILL; the singleton %v\n",
		workers, victim, allMoved.Round(time.Millisecond), singletonMoved.Round(time.Millisecond))
	if err := agentsMoved(stdout); err != nil {
		return fail("%v", err)
	}
	for _, c := range children {
		_ = c.in.Close()
	}
	for name, c := range children {
		_ = c.cmd.Wait()
		delete(children, name)
	}
	fmt.Fprintln(stdout, "all nodes stopped")
	return 0
}

// demoReport is a demo child's body: it reports where it runs and its
// fencing token to the observer's collector every 200 ms.
func demoReport(n *cluster.Node, p *process.Proc, child string, token uint64) error {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		_ = p.SendDest(cluster.Global(n, "demo.collector"), demoAct{Child: child, Node: n.Name(), Token: token})
		select {
		case <-p.Context().Done():
			return nil
		case <-t.C:
		}
	}
}

// runClusterNode is one node process of the cluster demo: it joins
// through --route, runs its part of the demo's distributed supervisor,
// answers READY once that part is a candidate for placement, then serves
// commands on stdin (PLACE n: place n children; SINGLETON: compete for
// the singleton; AGENT: demo_cluster_agents.go) and leaves when its
// stdin closes. The children report
// to the observer every 200 ms.
func runClusterNode(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("orchard "+clusterNodeCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "node name")
	dir := fs.String("dir", "", "data directory")
	route := fs.String("route", "", "route URL of a node to join")
	if err := fs.Parse(args); err != nil || *name == "" || *dir == "" {
		return 2
	}
	n, err := cluster.Start(ctx, cluster.Config{Name: *name, Dir: *dir, Routes: []string{*route}, Replicas: 3})
	if err != nil {
		fmt.Fprintf(stdout, "ERROR %v\n", err)
		return 1
	}
	if err := cluster.Register[demoAct](n, "demo.Act"); err != nil {
		fmt.Fprintf(stdout, "ERROR %v\n", err)
		return 1
	}
	d, err := n.StartDistributed(cluster.DistSpec{Name: "demo", Lease: 2 * time.Second, Kinds: map[string]cluster.DistRun{
		"worker": func(p *process.Proc, arg string, token uint64) error { return demoReport(n, p, arg, token) },
		"probe": func(p *process.Proc, _ string, _ uint64) error {
			<-p.Context().Done()
			return nil
		},
	}})
	if err != nil {
		fmt.Fprintf(stdout, "ERROR %v\n", err)
		return 1
	}
	if err := demoCandidate(ctx, d, "probe-"+*name); err != nil {
		fmt.Fprintf(stdout, "ERROR %v\n", err)
		return 1
	}
	agents, err := startNodeAgents(ctx, n) // demo_cluster_agents.go
	if err != nil {
		fmt.Fprintf(stdout, "ERROR %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "READY")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		cmd, arg, _ := strings.Cut(in.Text(), " ")
		switch cmd {
		case "PLACE":
			k, _ := strconv.Atoi(arg)
			var err error
			pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			for i := 1; i <= k && err == nil; i++ {
				id := "w-" + strconv.Itoa(i)
				_, err = d.StartChild(pctx, cluster.DistChild{ID: id, Kind: "worker", Arg: id})
			}
			cancel()
			if err != nil {
				fmt.Fprintf(stdout, "ERROR %v\n", err)
				continue
			}
			fmt.Fprintln(stdout, "PLACED")
		case "SINGLETON":
			_, err := n.StartSingleton(cluster.SingletonSpec{Name: demoSingleton, Lease: 2 * time.Second,
				Run: func(p *process.Proc, token uint64) error { return demoReport(n, p, demoSingleton, token) }})
			if err != nil {
				fmt.Fprintf(stdout, "ERROR %v\n", err)
				continue
			}
			fmt.Fprintln(stdout, "OK")
		case demoAgentCommand:
			fmt.Fprintln(stdout, agents.command(ctx, arg))
		default:
			fmt.Fprintf(stdout, "ERROR unknown command %q\n", cmd)
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := errors.Join(agents.stop(sctx), n.Stop(sctx)); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "%s: %v\n", *name, err)
		return 1
	}
	return 0
}

// demoCandidate waits (up to 60 s) until d's node is a candidate for
// placement: it places a probe child, waits until d's own view lists it
// (its manager recorded the node's presence in the same round), and
// terminates the probe.
func demoCandidate(ctx context.Context, d *cluster.DistSupervisor, probe string) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	poll := time.NewTicker(100 * time.Millisecond)
	defer poll.Stop()
	for placed := false; ; {
		if !placed {
			actx, acancel := context.WithTimeout(ctx, 5*time.Second)
			_, err := d.StartChild(actx, cluster.DistChild{ID: probe, Kind: "probe"})
			acancel()
			placed = err == nil || errors.Is(err, cluster.ErrChildExists)
		}
		if placed && slices.ContainsFunc(d.Children(), func(c cluster.ChildInfo) bool { return c.ID == probe }) {
			return d.TerminateChild(ctx, probe)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the distributed supervisor is not ready: %w", ctx.Err())
		case <-poll.C:
		}
	}
}
