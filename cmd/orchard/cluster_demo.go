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

// demoSingletons are the distributed children of the cluster demo.
var demoSingletons = []string{"worker-1", "worker-2", "worker-3"}

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

// runClusterDemo starts nodes node processes on loopback, shows where
// the demo's distributed children live, SIGKILLs the node of the first
// one, prints a "failover" line for each child that moved with the time
// it took, and stops everything.
func runClusterDemo(ctx context.Context, nodes int, stdout, stderr io.Writer) int {
	if nodes < 2 {
		fmt.Fprintln(stderr, "orchard demo: --nodes needs at least 2 nodes to show a failover")
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "orchard-cluster-demo-")
	if err != nil {
		fmt.Fprintf(stderr, "orchard demo: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	obs, err := cluster.Start(ctx, cluster.Config{Name: "observer", Dir: dir + "/observer", Replicas: 3})
	if err != nil {
		fmt.Fprintf(stderr, "orchard demo: %v\n", err)
		return 1
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), stopBudget)
		defer cancel()
		_ = obs.Stop(sctx)
	}()
	if err := cluster.Register[demoAct](obs, "demo.Act"); err != nil {
		fmt.Fprintf(stderr, "orchard demo: %v\n", err)
		return 1
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
		fmt.Fprintf(stderr, "orchard demo: %v\n", err)
		return 1
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "orchard demo: cannot run node processes: %v\n", err)
		return 1
	}
	children := map[string]*exec.Cmd{}
	stdins := map[string]io.WriteCloser{}
	defer func() {
		for _, c := range children {
			_ = c.Process.Kill()
			_ = c.Wait()
		}
	}()
	for i := 1; i <= nodes; i++ {
		name := "node-" + strconv.Itoa(i)
		cmd := exec.CommandContext(ctx, exe, clusterNodeCommand, "--name", name, "--dir", dir+"/"+name, "--route", obs.RouteURL())
		cmd.Stderr = stderr
		in, _ := cmd.StdinPipe()
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			fmt.Fprintf(stderr, "orchard demo: start %s: %v\n", name, err)
			return 1
		}
		children[name], stdins[name] = cmd, in
		line, _ := bufio.NewReader(out).ReadString('\n')
		if !strings.HasPrefix(line, "READY") {
			fmt.Fprintf(stderr, "orchard demo: %s did not start: %s\n", name, line)
			return 1
		}
		fmt.Fprintf(stdout, "started %s (pid %d)\n", name, cmd.Process.Pid)
	}
	if _, err := obs.RegisterGlobal(ctx, "demo.collector", col); err != nil {
		fmt.Fprintf(stderr, "orchard demo: %v\n", err)
		return 1
	}
	where := map[string]demoAct{}
	for len(where) < len(demoSingletons) {
		select {
		case a := <-acts:
			where[a.Child] = a
		case <-ctx.Done():
			fmt.Fprintln(stderr, "orchard demo: the children did not all start")
			return 1
		}
	}
	for _, c := range demoSingletons {
		fmt.Fprintf(stdout, "%s lives on %s (fencing token %d)\n", c, where[c].Node, where[c].Token)
	}
	victim := where[demoSingletons[0]].Node
	moved := map[string]demoAct{}
	for c, a := range where {
		if a.Node == victim {
			moved[c] = a
		}
	}
	fmt.Fprintf(stdout, "SIGKILL %s (pid %d)\n", victim, children[victim].Process.Pid)
	killed := time.Now()
	_ = children[victim].Process.Signal(syscall.SIGKILL)
	_ = children[victim].Wait()
	delete(children, victim)
	for len(moved) > 0 {
		select {
		case a := <-acts:
			old, ok := moved[a.Child]
			if ok && a.Node != victim && a.Token > old.Token {
				fmt.Fprintf(stdout, "failover %s: %s -> %s in %v (token %d -> %d)\n", a.Child, victim, a.Node,
					time.Since(killed).Round(time.Millisecond), old.Token, a.Token)
				delete(moved, a.Child)
			}
		case <-ctx.Done():
			fmt.Fprintf(stderr, "orchard demo: no failover for %d children\n", len(moved))
			return 1
		}
	}
	for name, in := range stdins {
		if _, alive := children[name]; alive {
			_ = in.Close()
		}
	}
	for name, c := range children {
		_ = c.Wait()
		delete(children, name)
	}
	fmt.Fprintln(stdout, "all nodes stopped")
	return 0
}

// runClusterNode is one node process of the cluster demo: it joins
// through --route, competes for the demo's children (singletons), whose
// instances report to the observer every 200 ms, and leaves when its
// stdin closes.
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
	for _, c := range demoSingletons {
		_, err := n.StartSingleton(cluster.SingletonSpec{Name: c, Lease: 2 * time.Second,
			Run: func(p *process.Proc, token uint64) error {
				t := time.NewTicker(200 * time.Millisecond)
				defer t.Stop()
				for {
					_ = p.SendDest(cluster.Global(n, "demo.collector"), demoAct{Child: c, Node: *name, Token: token})
					select {
					case <-p.Context().Done():
						return nil
					case <-t.C:
					}
				}
			}})
		if err != nil {
			fmt.Fprintf(stdout, "ERROR %v\n", err)
			return 1
		}
	}
	fmt.Fprintln(stdout, "READY")
	_, _ = io.Copy(io.Discard, os.Stdin)
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := n.Stop(sctx); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "%s: %v\n", *name, err)
		return 1
	}
	return 0
}
