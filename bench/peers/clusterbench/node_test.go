package clusterbench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

// nodeEnv switches the test binary into a node process of the
// three-node workloads (W11 and the global registry): its value is the
// node's name; nodeEnv_DIR, _ROUTE, _RAW (a raw JetStream server's
// route, optional), _RAWDIR and _LOG (a file for the embedded
// nats-server's log, optional) configure it.
const nodeEnv = "ORCHARD_CLUSTERBENCH_NODE"

// w11Dist is the distributed supervisor of W11, run by every node with
// the default lease ([cluster.DefaultLease]): each child serves calls
// under the local name "w11.<id>" while it runs.
func w11Dist(n *cluster.Node) cluster.DistSpec {
	return cluster.DistSpec{Name: "w11", Kinds: map[string]cluster.DistRun{
		"echo": func(p *process.Proc, arg string, _ uint64) error { return serveAs(n, p, "w11."+arg) },
	}}
}

// w11Singleton is the singleton of W11, with the default lease: it
// serves calls under the local name "w11.single" on its node.
func w11Singleton(n *cluster.Node) cluster.SingletonSpec {
	return cluster.SingletonSpec{Name: "w11", Run: func(p *process.Proc, _ uint64) error {
		return serveAs(n, p, "w11.single")
	}}
}

// serveAs runs an echo server named name, linked to p (a singleton's
// or a distributed child's instance, killed when its node loses the
// lease), until p is told to stop.
func serveAs(n *cluster.Node, p *process.Proc, name string) error {
	pid, err := genserver.StartLink(p, echo{}, genserver.WithName(name))
	if err != nil {
		return err
	}
	<-p.Context().Done()
	_ = n.Process().Exit(pid, process.Kill)
	return nil
}

// idle is a process that holds names until its node stops.
func idle(p *process.Proc) error {
	<-p.Context().Done()
	return nil
}

// nodeChild is a node process of the three-node workloads: it joins the
// cluster (Replicas 3), names an idle process "idle", starts a raw
// JetStream server routed to nodeEnv_RAW if set, prints READY, and
// serves the parent's commands on stdin until it closes, answering each
// with OK or ERROR:
//
//	DISTSUP            start its part of W11's distributed supervisor
//	SINGLETON          compete for W11's singleton
//	REGISTER k PREFIX  register k global names PREFIX0..PREFIXk-1 (one idle process)
//	WATCH BUCKET       watch the raw KV bucket BUCKET (as the registry's cache does), until it ends
//	RUNNING            (after DISTSUP) print the children it runs and sees, and the nodes up
func nodeChild(name string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := cluster.Config{Name: name, Dir: os.Getenv(nodeEnv + "_DIR"),
		Routes: []string{os.Getenv(nodeEnv + "_ROUTE")}, Replicas: 3}
	if path := os.Getenv(nodeEnv + "_LOG"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Println("ERROR", err)
			return 1
		}
		defer f.Close()
		cfg.ServerLogger = slog.New(slog.NewTextHandler(f, nil))
	}
	n, err := cluster.Start(ctx, cfg)
	if err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	defer func() {
		sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer scancel()
		_ = n.Stop(sctx)
	}()
	if _, err := n.Process().Spawn(idle, process.WithName("idle")); err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	var js jetstream.JetStream
	if route := os.Getenv(nodeEnv + "_RAW"); route != "" {
		srv, nc, _, err := rawServer("raw-"+name, []string{route}, os.Getenv(nodeEnv+"_RAWDIR"))
		if err != nil {
			fmt.Println("ERROR", err)
			return 1
		}
		defer srv.Shutdown()
		defer nc.Close()
		if js, err = jetstream.New(nc); err != nil {
			fmt.Println("ERROR", err)
			return 1
		}
	}
	fmt.Println("READY")
	in := bufio.NewScanner(os.Stdin)
	var d *cluster.DistSupervisor
	for in.Scan() {
		f := strings.Fields(in.Text())
		switch {
		case len(f) == 1 && f[0] == "RUNNING" && d != nil:
			fmt.Println("RUNNING", d.Running(), d.Children(), n.Up())
			continue
		case len(f) == 1 && f[0] == "DISTSUP":
			d, err = n.StartDistributed(w11Dist(n))
		case len(f) == 1 && f[0] == "SINGLETON":
			_, err = n.StartSingleton(w11Singleton(n))
		case len(f) == 2 && f[0] == "WATCH" && js != nil:
			var stop func()
			if stop, err = drainWatch(js, f[1]); err == nil {
				defer stop()
			}
		case len(f) == 3 && f[0] == "REGISTER":
			err = registerMany(n, must(strconv.Atoi(f[1])), f[2])
		default:
			err = fmt.Errorf("unknown command %q", in.Text())
		}
		if err != nil {
			fmt.Println("ERROR", err)
		} else {
			fmt.Println("OK")
		}
	}
	return 0
}

// registerMany registers k global names prefix0..prefix(k-1), all held
// by one idle process of n.
func registerMany(n *cluster.Node, k int, prefix string) error {
	holder, err := n.Process().Spawn(idle)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for i := range k {
		if _, err := n.RegisterGlobal(ctx, prefix+strconv.Itoa(i), holder); err != nil {
			return err
		}
	}
	return nil
}

// nodeProc is a node process started by a test.
type nodeProc struct {
	name  string
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan string // its stdout, line by line; closed at its end
}

// startNode starts a node process named name, joining the cluster
// through route (and the raw JetStream cluster through raw, if not
// empty; its embedded nats-server logging to the file log, if not
// empty), and waits for its READY line. It is killed at cleanup.
func startNode(t *testing.T, name, route, raw, log string) *nodeProc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Skipf("cannot re-execute the test binary: %v", err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), nodeEnv+"="+name, nodeEnv+"_DIR="+t.TempDir(), nodeEnv+"_ROUTE="+route)
	if raw != "" {
		cmd.Env = append(cmd.Env, nodeEnv+"_RAW="+raw, nodeEnv+"_RAWDIR="+t.TempDir())
	}
	if log != "" {
		cmd.Env = append(cmd.Env, nodeEnv+"_LOG="+log)
	}
	cmd.Stderr = os.Stderr
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start a node process: %v", err)
	}
	np := &nodeProc{name: name, cmd: cmd, in: in, lines: make(chan string, 16)}
	go func() { // ends with the process's stdout
		defer close(np.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			np.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { _ = np.cmd.Process.Kill(); _ = np.cmd.Wait() })
	if line := np.line(30 * time.Second); line != "READY" {
		t.Fatalf("node %s: %q", name, line)
	}
	return np
}

// line returns the node's next output line, or a description of why
// there is none within d.
func (np *nodeProc) line(d time.Duration) string {
	select {
	case l, ok := <-np.lines:
		if !ok {
			return "(exited)"
		}
		return l
	case <-time.After(d):
		return "(no answer in " + d.String() + ")"
	}
}

// ask sends a command to the node and fails the test unless it answers
// OK within 60 s.
func (np *nodeProc) ask(t *testing.T, cmd string) {
	t.Helper()
	if _, err := fmt.Fprintln(np.in, cmd); err != nil {
		t.Fatalf("node %s: %v", np.name, err)
	}
	if l := np.line(60 * time.Second); l != "OK" {
		t.Fatalf("node %s, %s: %s", np.name, cmd, l)
	}
}

// awaitCluster waits (up to 60 s) until n sees every node of names up
// and JetStream records them all: the buckets (Replicas 3) can then be
// made.
func awaitCluster(t *testing.T, n *cluster.Node, names ...string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		up := n.Up()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		rec, err := n.Recorded(ctx)
		cancel()
		ok := err == nil && len(rec) == len(names)
		for _, nm := range names {
			ok = ok && (nm == n.Name() || slices.Contains(up, nm))
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nodes %v not all up and recorded in 60 s (up %v, recorded %v, %v)", names, up, rec, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// elections returns the JetStream leader changes that the embedded
// nats-server logged to the file path (a slog text log) after since,
// each as "+D what", D the time from since.
func elections(path string, since time.Time) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for line := range strings.Lines(string(b)) {
		if !strings.Contains(line, "new stream leader") && !strings.Contains(line, "metadata leader") {
			continue
		}
		ts, rest, _ := strings.Cut(strings.TrimPrefix(line, "time="), " ")
		at, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil || at.Before(since) {
			continue
		}
		_, msg, _ := strings.Cut(rest, "msg=")
		msg, _, _ = strings.Cut(msg, " component=")
		msg = strings.Trim(msg, `"`)
		msg = strings.TrimPrefix(msg, "JetStream cluster ")
		out = append(out, "+"+at.Sub(since).Round(time.Millisecond).String()+" "+msg)
	}
	return out
}

// drainWatch watches every key of the raw KV bucket, as a node's
// global registry cache watches the registry bucket, and drops the
// updates; stop ends the watch and waits for its goroutine.
func drainWatch(js jetstream.JetStream, bucket string) (stop func(), err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	kv, err := js.KeyValue(ctx, bucket)
	if err != nil {
		return nil, err
	}
	w, err := kv.WatchAll(context.Background())
	if err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() { // ends when Stop closes the updates
		defer close(done)
		for range w.Updates() {
		}
	}()
	return func() {
		_ = w.Stop()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
	}, nil
}

// rawKV opens (creating it) the raw JetStream KV bucket name with the
// registry bucket's configuration, retrying for up to 60 s while the raw
// JetStream cluster elects its leaders.
func rawKV(t *testing.T, js jetstream.JetStream, name string, replicas int) jetstream.KeyValue {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: name, History: 1,
			Storage: jetstream.FileStorage, Replicas: replicas})
		cancel()
		if err == nil {
			return kv
		}
		if time.Now().After(deadline) {
			t.Fatalf("raw JetStream bucket %s: %v", name, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
