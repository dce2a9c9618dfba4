package cluster_test

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
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// childEnv switches the test binary into a cluster node process: the
// multi-process tests re-execute it with this variable set.
const childEnv = "ORCHARD_CLUSTER_TEST_NODE"

func TestMain(m *testing.M) {
	if name := os.Getenv(childEnv); name != "" {
		os.Exit(runChild(name))
	}
	otptest.VerifyTestMain(m)
}

// Ping is a test message: Seq, and where to send it back.
type Ping struct {
	Seq     int
	ReplyTo cluster.WirePID
}

// Act is what a singleton instance reports for every attempt to act:
// its node, its fencing token and whether the fence accepted it.
type Act struct {
	Node  string
	Token uint64
	OK    bool
}

// Started is what a distributed child reports when it starts: its id,
// its node and its fencing token.
type Started struct {
	Child string
	Node  string
	Token uint64
}

// reporter is the distributed children's body: it reports Started to
// the global name "collector" (retrying while the name or its node is
// not reachable) and then runs until killed.
func reporter(n *cluster.Node) cluster.DistRun {
	return func(p *process.Proc, arg string, token uint64) error {
		st := Started{Child: arg, Node: n.Name(), Token: token}
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for p.SendDest(cluster.Global(n, "collector"), st) != nil {
			select {
			case <-p.Context().Done():
				return nil
			case <-tick.C:
			}
		}
		<-p.Context().Done()
		return nil
	}
}

// childDist is a node process's distributed supervisor, if it runs one.
var childDist atomic.Pointer[cluster.DistSupervisor]

// distSpec is the distributed supervisor of the tests.
func distSpec(n *cluster.Node) cluster.DistSpec {
	return cluster.DistSpec{Name: "ds", Lease: 4 * time.Second, Kinds: map[string]cluster.DistRun{"report": reporter(n)}}
}

// Unencodable cannot be encoded as JSON.
type Unencodable struct{ C chan int }

// Unregistered is never registered.
type Unregistered struct{ X int }

func register(t testing.TB, n *cluster.Node) {
	for _, err := range []error{
		cluster.Register[Ping](n, "test.Ping"),
		cluster.Register[Unencodable](n, "test.Unencodable"),
		cluster.Register[Act](n, "test.Act"),
		cluster.Register[Started](n, "test.Started"),
	} {
		if err != nil {
			t.Fatalf("Register: %v", err)
		}
	}
}

// echo is the child's test server: a call returns its request, except
// "error" (HandleCall fails), "crash" (the server dies) and "whoami"
// (the node's name); a cast of a Ping sends its Seq back; a call or a
// plain message of a Ping with a negative Seq sends it back and blocks.
type echo struct {
	node string
	n    *cluster.Node
}

func (e *echo) Init(s *genserver.Self) error { return nil }

func (e *echo) HandleCall(s *genserver.Self, from genserver.From, req any) (any, error) {
	if p, ok := req.(Ping); ok && p.Seq < 0 {
		return nil, block(s, p)
	}
	switch req {
	case "error":
		return nil, errors.New("told to fail")
	case "crash":
		panic("told to crash")
	case "whoami":
		return e.node, nil
	case "deadline":
		_, has := s.Context().Deadline()
		return has, nil
	case "spawn":
		return s.Node().Spawn(worker)
	}
	if r, ok := req.(string); ok && strings.HasPrefix(r, "gspawn:") {
		pid, err := s.Node().Spawn(worker)
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		tok, err := e.n.RegisterGlobal(ctx, strings.TrimPrefix(r, "gspawn:"), pid)
		if err != nil {
			_ = s.Node().Exit(pid, process.Kill)
			return nil, err
		}
		return tok, nil
	}
	if r, ok := req.(string); ok && strings.HasPrefix(r, "callecho:") {
		// callecho:NODE:REQ calls the echo server of NODE with REQ.
		node, inner, _ := strings.Cut(strings.TrimPrefix(r, "callecho:"), ":")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return genserver.Call[any](ctx, e.n.RemoteName(node, "echo"), inner)
	}
	if req == "distrunning" {
		d := childDist.Load()
		if d == nil {
			return nil, errors.New("no distributed supervisor")
		}
		return strings.Join(d.Running(), ","), nil
	}
	if r, ok := req.(string); ok && strings.HasPrefix(r, "up:") {
		return slices.Contains(e.n.Up(), strings.TrimPrefix(r, "up:")), nil
	}
	if r, ok := req.(string); ok && strings.HasPrefix(r, "whereis:") {
		pid, _, ok := e.n.WhereIsGlobal(strings.TrimPrefix(r, "whereis:"))
		if !ok {
			return nil, errors.New("unregistered")
		}
		return pid, nil
	}
	return req, nil
}

func (e *echo) HandleCast(s *genserver.Self, msg any) error {
	if p, ok := msg.(Ping); ok {
		return s.Send(p.ReplyTo.PID(), p.Seq)
	}
	return nil
}

// HandleInfo answers a Ping sent as a plain message (a supervised send)
// by sending its Seq back to ReplyTo before the delivery is confirmed.
func (e *echo) HandleInfo(s *genserver.Self, msg any) error {
	if p, ok := msg.(Ping); ok && p.Seq < 0 {
		return block(s, p)
	}
	if p, ok := msg.(Ping); ok {
		return s.Send(p.ReplyTo.PID(), p.Seq)
	}
	return nil
}

// block sends p's (negative) Seq back and then blocks the server until
// it stops: a call or delivery of p never completes.
func block(s *genserver.Self, p Ping) error {
	if err := s.Send(p.ReplyTo.PID(), p.Seq); err != nil {
		return err
	}
	<-s.Context().Done()
	return nil
}

// actor is the singleton's body: every 100 ms it passes its token to
// the fence of the resource "acts" and reports the outcome to the global
// name "collector"; a rejected token ends it.
func actor(n *cluster.Node) func(p *process.Proc, token uint64) error {
	return func(p *process.Proc, token uint64) error {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.Context().Done():
				return nil
			case <-tick.C:
			}
			ctx, cancel := context.WithTimeout(p.Context(), 2*time.Second)
			err := n.Fence(ctx, "acts", token)
			cancel()
			if err != nil && !errors.Is(err, cluster.ErrStaleToken) {
				continue // JetStream busy: try again
			}
			_ = p.SendDest(cluster.Global(n, "collector"), Act{Node: n.Name(), Token: token, OK: err == nil})
			if err != nil {
				return nil
			}
		}
	}
}

// worker ends when told: "exit:normal" returns nil, "exit:X" the error
// X.
func worker(p *process.Proc) error {
	for {
		m, err := p.Receive(p.Context())
		if err != nil {
			return nil
		}
		if s, ok := m.(string); ok && strings.HasPrefix(s, "exit:") {
			if s == "exit:normal" {
				return nil
			}
			return errors.New(strings.TrimPrefix(s, "exit:"))
		}
	}
}

// relay sends every Ping's Seq back to its ReplyTo, in order.
func relay(p *process.Proc) error {
	for {
		m, err := p.Receive(p.Context())
		if err != nil {
			return nil
		}
		if ping, ok := m.(Ping); ok {
			if err := p.Send(ping.ReplyTo.PID(), ping.Seq); err != nil {
				return err
			}
		}
	}
}

// runChild is a node process: it joins the cluster given by the
// environment, starts "echo" and "relay", prints READY and its route
// URL, and leaves gracefully when its stdin closes or on SIGTERM.
func runChild(name string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var routes []string
	if r := os.Getenv(childEnv + "_ROUTES"); r != "" {
		routes = strings.Split(r, ",")
	}
	replicas, _ := strconv.Atoi(os.Getenv(childEnv + "_REPLICAS"))
	n, err := cluster.Start(ctx, cluster.Config{Name: name, Dir: os.Getenv(childEnv + "_DIR"), Routes: routes,
		User: os.Getenv(childEnv + "_USER"), Password: os.Getenv(childEnv + "_PASSWORD"), Replicas: replicas,
		Listen: os.Getenv(childEnv + "_LISTEN")})
	if err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	if err := cluster.Register[Ping](n, "test.Ping"); err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	if err := cluster.Register[Act](n, "test.Act"); err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	if err := cluster.Register[Started](n, "test.Started"); err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	if os.Getenv(childEnv+"_DISTSUP") != "" {
		d, err := n.StartDistributed(distSpec(n))
		if err != nil {
			fmt.Println("ERROR", err)
			return 1
		}
		childDist.Store(d)
	}
	if os.Getenv(childEnv+"_SINGLETON") != "" {
		if _, err := n.StartSingleton(cluster.SingletonSpec{Name: "single", Lease: 2 * time.Second, Run: actor(n)}); err != nil {
			fmt.Println("ERROR", err)
			return 1
		}
	}
	if _, err := genserver.Start(n.Process(), &echo{node: name, n: n}, genserver.WithName("echo")); err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	if _, err := n.Process().Spawn(relay, process.WithName("relay")); err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	if err := setupSpawn(n); err != nil { // spawn_test.go
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
	stdin io.WriteCloser
	route string
	dead  chan struct{}
}

// startChild starts a node process named name joining through routes,
// and waits for its READY line. The process is killed at cleanup.
func startChild(t *testing.T, name string, routes []string, env ...string) *child {
	t.Helper()
	return startChildVia(t, nil, name, routes, env...)
}

// startChildVia is startChild with the node process started through
// the command wrap (such as ip netns exec NS), if any.
func startChildVia(t *testing.T, wrap []string, name string, routes []string, env ...string) *child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Skipf("cluster: cannot re-execute the test binary for a node process: %v", err)
	}
	args := append(append(slices.Clone(wrap), exe), "-test.run=^$")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), childEnv+"="+name, childEnv+"_DIR="+t.TempDir(),
		childEnv+"_ROUTES="+strings.Join(routes, ","))
	cmd.Env = append(cmd.Env, env...)
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
		t.Skipf("cluster: cannot start a node process: %v", err)
	}
	c := &child{name: name, cmd: cmd, stdin: stdin, dead: make(chan struct{})}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "READY") || strings.HasPrefix(line, "ERROR") {
				select {
				case ready <- line:
				default:
				}
			}
		}
		_ = cmd.Wait()
		close(c.dead)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		select {
		case <-c.dead:
		case <-time.After(10 * time.Second):
			t.Errorf("node process %s did not end", name)
		}
	})
	select {
	case line := <-ready:
		if !strings.HasPrefix(line, "READY") {
			t.Fatalf("node %s: %s", name, line)
		}
		c.route = strings.TrimSpace(strings.TrimPrefix(line, "READY"))
	case <-c.dead:
		t.Fatalf("node %s exited before READY", name)
	case <-time.After(20 * time.Second):
		t.Fatalf("node %s not ready in 20 s", name)
	}
	return c
}

// leave closes the child's stdin (a graceful leave) and waits for its
// exit.
func (c *child) leave(t *testing.T) {
	t.Helper()
	_ = c.stdin.Close()
	select {
	case <-c.dead:
	case <-time.After(15 * time.Second):
		t.Fatalf("node %s did not leave", c.name)
	}
	if code := c.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("node %s exited with %d", c.name, code)
	}
}

// awaitSeen waits until the node process named node sees the node named
// peer up (asked through its "echo" server from n).
func awaitSeen(t *testing.T, n *cluster.Node, node, peer string) {
	t.Helper()
	otptest.Eventually(t, 20*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		up, err := genserver.Call[bool](ctx, n.RemoteName(node, "echo"), "up:"+peer)
		return err == nil && up
	}, "node %s sees %s up", node, peer)
}

// startLocal starts this test process's own node of the cluster.
func startLocal(t *testing.T, name string, cfg cluster.Config, opts ...process.Option) *cluster.Node {
	t.Helper()
	cfg.Name = name
	if cfg.Dir == "" && cfg.URL == "" {
		cfg.Dir = t.TempDir()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if os.Getenv("DBG") != "" {
		cfg.ServerLogger = slog.Default()
	}
	n, err := cluster.Start(ctx, cfg, opts...)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	register(t, n)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := n.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return n
}

// awaitUp waits until n sees every node in names up.
func awaitUp(t *testing.T, n *cluster.Node, names ...string) {
	t.Helper()
	otptest.Eventually(t, 20*time.Second, func() bool {
		up := map[string]bool{}
		for _, u := range n.Up() {
			up[u] = true
		}
		for _, nm := range names {
			if !up[nm] {
				return false
			}
		}
		return true
	}, "nodes %v up as seen by %s", names, n.Name())
}

// startJetStreamPair starts two local nodes, prefix-a and prefix-b,
// routed to each other, waits until each sees the other and both are in
// JetStream's records, and returns prefix-a.
func startJetStreamPair(t *testing.T, prefix string) *cluster.Node {
	t.Helper()
	a := startLocal(t, prefix+"-a", cluster.Config{})
	startLocal(t, prefix+"-b", cluster.Config{Routes: []string{a.RouteURL()}})
	awaitUp(t, a, prefix+"-b")
	awaitJetStream(t, a, prefix+"-a", prefix+"-b")
	return a
}
