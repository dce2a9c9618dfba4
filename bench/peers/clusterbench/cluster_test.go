package clusterbench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

const childEnv = "ORCHARD_CLUSTERBENCH_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(child())
	}
	if name := os.Getenv(nodeEnv); name != "" {
		os.Exit(nodeChild(name))
	}
	os.Exit(m.Run())
}

// Count tells the sink how many messages to expect and whom to tell.
type Count struct {
	N       int
	ReplyTo cluster.WirePID
}

// rawServer starts a nats-server routed to routes (or to itself) and an
// in-process connection to it, the topology Orchard's nodes use; with
// JetStream (its data in jsDir) when jsDir is not empty.
func rawServer(name string, routes []string, jsDir string) (*server.Server, *nats.Conn, string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, "", err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	self := "nats-route://127.0.0.1:" + strconv.Itoa(port)
	if len(routes) == 0 {
		routes = []string{self}
	}
	var rs []*url.URL
	for _, r := range routes {
		u, _ := url.Parse(r)
		rs = append(rs, u)
	}
	srv, err := server.NewServer(&server.Options{ServerName: name, Host: "127.0.0.1", Port: -1, NoSigs: true, NoLog: true,
		Cluster: server.ClusterOpts{Name: "raw", Host: "127.0.0.1", Port: port}, Routes: rs,
		JetStream: jsDir != "", StoreDir: jsDir})
	if err != nil {
		return nil, nil, "", err
	}
	srv.Start()
	if !srv.ReadyForConnections(5 * time.Second) {
		return nil, nil, "", fmt.Errorf("raw server not ready")
	}
	nc, err := nats.Connect("", nats.InProcessServer(srv))
	return srv, nc, self, err
}

type echo struct{}

func (echo) Init(*genserver.Self) error { return nil }
func (echo) HandleCall(_ *genserver.Self, _ genserver.From, req any) (any, error) {
	return req, nil
}

func sink(p *process.Proc) error {
	var want, got int
	var to process.PID
	for {
		m, err := p.Receive(p.Context())
		if err != nil {
			return nil
		}
		switch m := m.(type) {
		case Count:
			want, got, to = m.N, 0, m.ReplyTo.PID()
		case int:
			got++
			if got == want {
				_ = p.Send(to, "done")
			}
		}
	}
}

func child() int {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	n, err := cluster.Start(ctx, cluster.Config{Name: "cb-b", Dir: os.Getenv(childEnv + "_DIR"),
		Routes: []string{os.Getenv(childEnv + "_ROUTE")}})
	if err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	_ = cluster.Register[Count](n, "bench.Count")
	_, _ = n.Process().Spawn(sink, process.WithName("sink"))
	_, _ = genserver.Start(n.Process(), echo{}, genserver.WithName("echo"))
	srv, nc, _, err := rawServer("raw-b", []string{os.Getenv(childEnv + "_RAW")}, "")
	if err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	defer srv.Shutdown()
	if port, err := strconv.Atoi(os.Getenv(childEnv + "_ERGO")); err == nil {
		en, err := ergoServe(uint16(port))
		if err != nil {
			fmt.Println("ERROR ergo", err)
			return 1
		}
		defer en.Stop()
	}
	// One subscription takes the count and the messages, in order (two
	// subscriptions would each have a goroutine of their own).
	var got, want int
	sub, _ := nc.Subscribe("raw.sink", func(m *nats.Msg) {
		if n, ok := bytes.CutPrefix(m.Data, []byte("count ")); ok {
			want, got = must(strconv.Atoi(string(n))), 0
			return
		}
		if got++; got == want {
			_ = nc.Publish("raw.done", nil)
		}
	})
	_ = sub.SetPendingLimits(-1, -1) // as the cluster's own subscription
	_, _ = nc.Subscribe("raw.echo", func(m *nats.Msg) { _ = m.Respond(m.Data) })
	_, _ = nc.Subscribe("raw.cpu", func(m *nats.Msg) {
		_ = m.Respond(strconv.AppendInt(nil, int64(cpuTime()), 10))
	})
	_, _ = nc.Subscribe("raw.mallocs", func(m *nats.Msg) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		_ = m.Respond(strconv.AppendUint(nil, ms.Mallocs, 10))
	})
	_ = nc.Flush()
	fmt.Println("READY")
	// The parent's lines "profile FILE" and "stop" start and stop a CPU
	// profile of this process (ORCHARD_CLUSTER_BENCH_PROFILE).
	in := bufio.NewScanner(os.Stdin)
	var prof *os.File
	for in.Scan() {
		switch f := strings.Fields(in.Text()); {
		case len(f) == 2 && f[0] == "profile":
			if prof, err = os.Create(f[1]); err == nil {
				err = pprof.StartCPUProfile(prof)
			}
			fmt.Println("OK", err)
		case len(f) == 1 && f[0] == "stop" && prof != nil:
			pprof.StopCPUProfile()
			fmt.Println("OK", prof.Close())
			prof = nil
		}
	}
	return 0
}

func must(v int, _ error) int { return v }

// TestClusterWorkloads prints W8, W9 and W10 for Orchard, and W8 and W9
// for raw NATS and ergo.
func TestClusterWorkloads(t *testing.T) {
	if os.Getenv("ORCHARD_CLUSTER_BENCH") == "" {
		t.Skip("set ORCHARD_CLUSTER_BENCH=1 to run the cluster workloads (two OS processes)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	a, err := cluster.Start(ctx, cluster.Config{Name: "cb-a", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Stop(context.Background())
	_ = cluster.Register[Count](a, "bench.Count")
	srv, nc, rawRoute, err := rawServer("raw-a", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	exe, _ := os.Executable()
	cmd := exec.Command(exe, "-test.run=^$")
	ergoPort, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), childEnv+"=1", childEnv+"_DIR="+t.TempDir(), childEnv+"_ROUTE="+a.RouteURL(), childEnv+"_RAW="+rawRoute,
		childEnv+"_ERGO="+strconv.Itoa(int(ergoPort)))
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start a node process: %v", err)
	}
	defer func() { _ = stdin.Close(); _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	childOut := bufio.NewReader(out)
	line, _ := childOut.ReadString('\n')
	if !strings.HasPrefix(line, "READY") {
		t.Fatalf("child: %s", line)
	}
	// profile starts CPU profiles of both processes for one workload
	// when ORCHARD_CLUSTER_BENCH_PROFILE names a directory (DIR/NAME-a.prof
	// for this process, DIR/NAME-b.prof for the other); the returned
	// function stops them.
	profile := func(name string) func() {
		dir := os.Getenv("ORCHARD_CLUSTER_BENCH_PROFILE")
		if dir == "" {
			return func() {}
		}
		ask := func(line string) {
			fmt.Fprintln(stdin, line)
			if got, _ := childOut.ReadString('\n'); got != "OK <nil>\n" {
				t.Fatalf("child profile: %q", got)
			}
		}
		f, err := os.Create(filepath.Join(dir, name+"-a.prof"))
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			t.Fatal(err)
		}
		ask("profile " + filepath.Join(dir, name+"-b.prof"))
		return func() { pprof.StopCPUProfile(); _ = f.Close(); ask("stop") }
	}
	joined := time.Now().Add(30 * time.Second)
	for !slices.Contains(a.Up(), "cb-b") || srv.NumRoutes() == 0 {
		if time.Now().After(joined) {
			t.Fatal("the second node or the raw route did not come up within 30 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	const msgs = 200_000
	const calls = 2_000

	// cpu returns the CPU time both processes used so far: under a
	// loaded machine, W8's CPU per message is steadier than its rate.
	cpu := func() (time.Duration, time.Duration) {
		m, err := nc.Request("raw.cpu", nil, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return cpuTime(), time.Duration(must(strconv.Atoi(string(m.Data))))
	}
	perMsg := func(what string, a0, b0 time.Duration) {
		a1, b1 := cpu()
		t.Logf("%s CPU per message: sender %v, receiver %v", what, (a1-a0)/msgs, (b1-b0)/msgs)
	}

	// W8 Orchard: one process sends msgs ints to the remote sink.
	ca, cb := cpu()
	stop := profile("w8")
	done := make(chan struct{}, 1)
	sender, _ := a.Process().Spawn(func(p *process.Proc) error {
		to, err := a.RemoteName("cb-b", "sink").Resolve()
		if err != nil {
			return err
		}
		_ = p.Send(to, Count{N: msgs, ReplyTo: cluster.Wire(p.PID())})
		start := time.Now()
		for i := range msgs {
			if err := p.Send(to, i); err != nil {
				return err
			}
		}
		if _, err := p.Receive(p.Context()); err != nil {
			return err
		}
		t.Logf("W8 orchard remote send: %.0f msgs/s", msgs/time.Since(start).Seconds())
		done <- struct{}{}
		return nil
	})
	_ = sender
	<-done
	stop()
	perMsg("W8 orchard", ca, cb)

	// W8 raw NATS: publish msgs on a subject the other process counts.
	doneSub, _ := nc.SubscribeSync("raw.done")
	_ = nc.Publish("raw.sink", []byte("count "+strconv.Itoa(msgs)))
	_ = nc.Flush()
	ca, cb = cpu()
	start := time.Now()
	payload := []byte("12345")
	for range msgs {
		_ = nc.Publish("raw.sink", payload)
	}
	if _, err := doneSub.NextMsg(60 * time.Second); err != nil {
		t.Fatal(err)
	}
	t.Logf("W8 raw NATS pub/sub:    %.0f msgs/s", msgs/time.Since(start).Seconds())
	perMsg("W8 raw NATS", ca, cb)

	// W9: sequential calls, p50 and p99.
	echoDest := a.RemoteName("cb-b", "echo")
	echoPID, err := echoDest.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	// The Orchard and raw NATS calls alternate, so that both see the
	// same load of the machine; the allocations of both processes per
	// Orchard call are counted on a separate run of calls.
	orchardCall := func() error { _, err := genserver.Call[int](ctx, echoPID, 7); return err }
	rawCall := func() error { _, err := nc.Request("raw.echo", payload, 5*time.Second); return err }
	ds := [2][]time.Duration{make([]time.Duration, calls), make([]time.Duration, calls)}
	stop = profile("w9")
	for i := range calls {
		for k, f := range []func() error{orchardCall, rawCall} {
			s := time.Now()
			if err := f(); err != nil {
				t.Fatal(err)
			}
			ds[k][i] = time.Since(s)
		}
	}
	stop()
	for k, what := range []string{"W9 orchard remote call:", "W9 raw NATS request:   "} {
		slices.Sort(ds[k])
		t.Logf("%s p50 %v p99 %v", what, ds[k][calls/2], ds[k][calls*99/100])
	}
	mallocs := func() (uint64, uint64) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		m, err := nc.Request("raw.mallocs", nil, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return ms.Mallocs, uint64(must(strconv.Atoi(string(m.Data))))
	}
	a0, b0 := mallocs()
	for range calls {
		if err := orchardCall(); err != nil {
			t.Fatal(err)
		}
	}
	a1, b1 := mallocs()
	t.Logf("W9 orchard allocations per call: caller %.1f, callee %.1f (raw NATS request included)",
		float64(a1-a0)/calls, float64(b1-b0)/calls)

	// W8 and W9 on ergo's own network transport.
	if er, err := ergoWorkloads(ergoPort, msgs, calls); err != nil {
		t.Logf("W8/W9 ergo: %v", err)
	} else {
		t.Logf("W8 ergo remote send:    %.0f msgs/s (%d of them out of order)", er.msgsPerS, er.disordered)
		t.Logf("W9 ergo remote call:    p50 %v p99 %v", er.p50, er.p99)
	}

	// W10: time from SIGKILL to the node declared down.
	downs := make(chan time.Time, 1)
	w, _ := a.Process().Spawn(func(p *process.Proc) error {
		if _, err := p.Receive(p.Context()); err == nil {
			downs <- time.Now()
		}
		return nil
	})
	if _, err := a.MonitorNode(w, "cb-b"); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	_ = cmd.Process.Kill()
	select {
	case at := <-downs:
		t.Logf("W10 killed node declared down after %v", at.Sub(killed).Round(time.Millisecond))
	case <-time.After(10 * time.Second):
		t.Fatal("node not declared down")
	}
}

// startBenchNode starts the in-process node of a cluster workload in a
// fresh data directory, and returns it with its stop, which also runs at
// the test's cleanup (stopping twice is harmless).
func startBenchNode(ctx context.Context, t *testing.T, cfg cluster.Config) (*cluster.Node, func()) {
	t.Helper()
	cfg.Dir = t.TempDir()
	n, err := cluster.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	stop := func() {
		sctx, scancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer scancel()
		_ = n.Stop(sctx)
	}
	t.Cleanup(stop)
	return n, stop
}
