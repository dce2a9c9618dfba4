package clusteragent_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/agent/kvstore"
	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/cluster/clusteragent"
	"github.com/seed-fe72f376/orchard/coord"
	"github.com/seed-fe72f376/orchard/coord/kvcoord"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// childEnv switches the test binary into a node process: the
// multi-process tests re-execute it with this variable set (the same
// scheme as package cluster's tests).
const childEnv = "ORCHARD_CLUSTERAGENT_TEST_NODE"

func TestMain(m *testing.M) {
	if name := os.Getenv(childEnv); name != "" {
		os.Exit(runChild(name))
	}
	otptest.VerifyTestMain(m)
}

// counterKind is the test agents' kind: a counter snapshotted after
// every action.
func counterKind() agent.Kind {
	type addIn struct {
		By int `json:"by"`
	}
	k, err := agent.NewKind(agent.Spec[int]{Name: "counter", Persist: agent.Policy{EveryAction: true},
		Actions: []agent.Action[int]{
			agent.NewAction("add", "adds", func(_ context.Context, n *int, in addIn) (int, []agent.Directive, error) {
				*n += in.By
				return *n, nil, nil
			}),
			agent.NewAction("fail", "fails", func(_ context.Context, n *int, _ struct{}) (int, []agent.Directive, error) {
				return 0, nil, errors.New("told to fail")
			}),
		},
		Routes: []agent.Route{{Pattern: "count.*", Action: "add"}}})
	if err != nil {
		panic(err)
	}
	return k
}

// agents is one node's agent system and its part of the cluster-wide
// registry.
type agents struct {
	sys *agent.System
	cs  *clusteragent.System
}

// setup starts n's agent system, its snapshots in the cluster's KV
// (fenced), and its part of the cluster-wide registry.
func setup(ctx context.Context, n *cluster.Node) (*agents, error) {
	st, err := kvstore.OpenNodeStore(ctx, n.Process(), "")
	if err != nil {
		return nil, err
	}
	fs := clusteragent.Fenced(st)
	sys, err := agent.Start(n.Process(), agent.WithStore(fs), agent.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return nil, err
	}
	cs, err := clusteragent.Start(ctx, n, sys, clusteragent.Config{Kinds: []agent.Kind{counterKind()}, Fenced: fs})
	if err != nil {
		_ = sys.Stop(ctx)
		return nil, err
	}
	return &agents{sys: sys, cs: cs}, nil
}

func (a *agents) stop(ctx context.Context) error {
	return errors.Join(a.cs.Stop(ctx), a.sys.Stop(ctx))
}

// ctl is a node process's control server: "init" starts its agents,
// "spawn:ID" spawns agent ID there, "run:ID" adds 1 to agent ID from
// there, "hosts:ID" says whether its local
// system has agent ID, "up:NAME" whether it sees node NAME up.
type ctl struct {
	n *cluster.Node
	a *agents
	c *coord.Coordinator
}

func (c *ctl) Init(*genserver.Self) error { return nil }

func (c *ctl) HandleCall(s *genserver.Self, _ genserver.From, req any) (any, error) {
	r, _ := req.(string)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	switch {
	case r == "init":
		if c.a == nil {
			a, err := setup(ctx, c.n)
			if err != nil {
				return nil, err
			}
			c.a = a
		}
		return true, nil
	case r == "coord":
		if c.c == nil {
			co, err := startCoord(ctx, c.n)
			if err != nil {
				return nil, err
			}
			c.c = co
		}
		return true, nil
	case strings.HasPrefix(r, "lock:"):
		l, err := c.c.Lock(ctx, strings.TrimPrefix(r, "lock:"), coord.WithHolder(idle(c.n)), coord.WithLease(coordLease))
		if err != nil {
			return nil, err
		}
		return l.Token, nil
	case strings.HasPrefix(r, "elect:"):
		return true, c.c.Campaign(ctx, strings.TrimPrefix(r, "elect:"), coord.WithHolder(idle(c.n)), coord.WithLease(coordLease))
	case c.a == nil && !strings.HasPrefix(r, "up:"):
		return nil, errors.New("not initialised")
	case strings.HasPrefix(r, "spawn:"):
		_, err := c.a.cs.Spawn(ctx, agent.Config{ID: strings.TrimPrefix(r, "spawn:"), Kind: counterKind(), Capabilities: []string{"count"}})
		return err == nil, err
	case strings.HasPrefix(r, "run:"):
		return clusteragent.Run[int](ctx, c.a.cs, strings.TrimPrefix(r, "run:"), "add", map[string]int{"by": 1})
	case strings.HasPrefix(r, "hosts:"):
		in, err := c.a.sys.Status(strings.TrimPrefix(r, "hosts:"))
		return err == nil && in.Status == agent.Running, nil
	case strings.HasPrefix(r, "up:"):
		return slices.Contains(c.n.Up(), strings.TrimPrefix(r, "up:")), nil
	}
	return nil, fmt.Errorf("unknown request %q", r)
}

// coordLease is the lease of the coordination tests' locks and
// elections.
const coordLease = 2 * time.Second

// startCoord starts a coordinator on n whose backend is kvcoord in the
// cluster's JetStream, its replica count following the cluster's.
func startCoord(ctx context.Context, n *cluster.Node) (*coord.Coordinator, error) {
	b, err := kvcoord.OpenNode(ctx, n.Process(), coordLease)
	if err != nil {
		return nil, err
	}
	return coord.Start(n.Process(), coord.WithBackend(b))
}

// idle spawns a process that waits until its node stops: a lock holder
// or candidate.
func idle(n *cluster.Node) process.PID {
	pid, _ := n.Process().Spawn(func(p *process.Proc) error {
		<-p.Context().Done()
		return nil
	})
	return pid
}

// runChild is a node process: it joins the cluster given by the
// environment with three replicas, starts "ctl", prints READY and its
// route URL, and leaves when its stdin closes or on SIGTERM.
func runChild(name string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var routes []string
	if r := os.Getenv(childEnv + "_ROUTES"); r != "" {
		routes = strings.Split(r, ",")
	}
	n, err := cluster.Start(ctx, cluster.Config{Name: name, Dir: os.Getenv(childEnv + "_DIR"), Routes: routes, Replicas: 3})
	if err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	c := &ctl{n: n}
	if _, err := genserver.Start(n.Process(), c, genserver.WithName("ctl")); err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	fmt.Println("READY", n.RouteURL())
	done := make(chan struct{})
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); close(done) }()
	select {
	case <-done:
	case <-sigs:
	}
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	if c.a != nil {
		_ = c.a.stop(sctx)
	}
	if err := n.Stop(sctx); err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	return 0
}

// child is a node process started by a test.
type child struct {
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser // closing it makes the node leave
	dead  chan struct{}
}

// startChild starts a node process named name joining through routes
// and waits for its READY line; it is killed at cleanup.
func startChild(t *testing.T, name string, routes []string) *child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Skipf("clusteragent: cannot re-execute the test binary for a node process: %v", err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+name, childEnv+"_DIR="+t.TempDir(),
		childEnv+"_ROUTES="+strings.Join(routes, ","))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("clusteragent: cannot start a node process: %v", err)
	}
	c := &child{name: name, cmd: cmd, stdin: stdin, dead: make(chan struct{})}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "READY") || strings.HasPrefix(line, "ERROR") {
				select {
				case ready <- line:
				default:
				}
			}
		}
		_ = cmd.Wait()
		close(c.dead)
	}()
	t.Cleanup(func() { c.kill(t) })
	select {
	case line := <-ready:
		if !strings.HasPrefix(line, "READY") {
			t.Fatalf("node %s: %s", name, line)
		}
	case <-c.dead:
		t.Fatalf("node %s exited before READY", name)
	case <-time.After(20 * time.Second):
		t.Fatalf("node %s not ready in 20 s", name)
	}
	return c
}

// kill kills the node process (SIGKILL) and waits for its end.
func (c *child) kill(t *testing.T) {
	_ = c.cmd.Process.Kill()
	select {
	case <-c.dead:
	case <-time.After(10 * time.Second):
		t.Errorf("node process %s did not end", c.name)
	}
}

// startLocal starts this test process's own node of the cluster, whose
// buckets have replicas replicas.
func startLocal(t *testing.T, name string, replicas int) *cluster.Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	n, err := cluster.Start(ctx, cluster.Config{Name: name, Dir: t.TempDir(), Replicas: replicas})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := n.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return n
}

// ask calls node's ctl server from n.
func ask[R any](n *cluster.Node, node, req string) (R, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return genserver.Call[R](ctx, n.RemoteName(node, "ctl"), req)
}

// awaitUp waits until n sees every node in names up, and each of those
// sees every other.
func awaitUp(t *testing.T, n *cluster.Node, names ...string) {
	t.Helper()
	otptest.Eventually(t, 30*time.Second, func() bool {
		for _, a := range names {
			if !slices.Contains(n.Up(), a) {
				return false
			}
			if a == n.Name() {
				continue
			}
			for _, b := range names {
				if up, err := ask[bool](n, a, "up:"+b); err != nil || !up {
					return false
				}
			}
		}
		return true
	}, "nodes %v up as seen by each other", names)
}

// startPair starts two nodes of one cluster in this process, routed to
// each other, and waits until each sees the other.
func startPair(t *testing.T, prefix string) (a, b *cluster.Node) {
	t.Helper()
	a = startLocal(t, prefix+"-a", 0)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	b, err := cluster.Start(ctx, cluster.Config{Name: prefix + "-b", Dir: t.TempDir(), Routes: []string{a.RouteURL()}})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := b.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	otptest.Eventually(t, 20*time.Second, func() bool {
		return slices.Contains(a.Up(), b.Name()) && slices.Contains(b.Up(), a.Name())
	}, "a and b see each other")
	return a, b
}

// setupLocal starts n's agents once JetStream answers, and stops them at
// cleanup.
func setupLocal(t *testing.T, n *cluster.Node) *agents {
	t.Helper()
	var a *agents
	otptest.Eventually(t, 30*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		a, _ = setup(ctx, n)
		return a != nil
	}, "agents of %s started", n.Name())
	if a == nil {
		t.FailNow()
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.stop(ctx); err != nil {
			t.Errorf("stop agents of %s: %v", n.Name(), err)
		}
	})
	return a
}
