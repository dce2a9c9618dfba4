package cluster_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// setupSpawn registers the tests' spawnables and child factory on n and
// starts its supervisor "sup" (one_for_one, no children yet):
//
//   - "relay" (a Ping): sends the Ping's Seq to its ReplyTo, then
//     relays every Ping it receives;
//   - "crash" (a string): exits at once with that string as its error;
//   - "worker" (no argument): the worker of the link tests;
//   - child factory "echo" (a string): the echo server with that id.
func setupSpawn(n *cluster.Node) error {
	for _, err := range []error{
		cluster.RegisterSpawnable(n, "relay", func(p *process.Proc, ping Ping) error {
			if err := p.Send(ping.ReplyTo.PID(), ping.Seq); err != nil {
				return err
			}
			return relay(p)
		}),
		cluster.RegisterSpawnable(n, "crash", func(p *process.Proc, reason string) error { return errors.New(reason) }),
		cluster.RegisterSpawnable(n, "worker", func(p *process.Proc, _ any) error { return worker(p) }),
		cluster.RegisterChild(n, "echo", func(id string) (supervisor.ChildSpec, error) {
			return supervisor.GenServer(id, echo{node: n.Name(), n: n}), nil
		}),
		cluster.RegisterChild(n, "panics", func(string) (supervisor.ChildSpec, error) { panic("factory bug") }),
	} {
		if err != nil {
			return err
		}
	}
	_, err := supervisor.Start(n.Process(), supervisor.Spec{Flags: supervisor.Flags{MaxRestarts: 10}}, supervisor.WithName("sup"))
	return err
}

// TestRemoteSpawn runs spawn, spawn_link and spawn_monitor on a node in
// another OS process, and the remote supervisor operations on its
// supervisor "sup", then kills that node.
func TestRemoteSpawn(t *testing.T) {
	a := startLocal(t, "sp-a", cluster.Config{})
	b := startChild(t, "sp-b", []string{a.RouteURL()})
	awaitUp(t, a, "sp-b")
	awaitSeen(t, a, "sp-b", "sp-a")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const wait = 5 * time.Second

	t.Run("spawn: a remote PID that answers", func(t *testing.T) {
		pr := otptest.NewProbe(t, a.Process())
		pid, err := a.Spawn(ctx, "sp-b", "relay", Ping{Seq: 1, ReplyTo: cluster.Wire(pr.PID())})
		if err != nil {
			t.Fatalf("Spawn = %v", err)
		}
		if pid.Node() != cluster.NodeNumber("sp-b") {
			t.Fatalf("Spawn = %v; want a PID of node sp-b", pid)
		}
		if got := pr.Expect(t, wait); got != 1 {
			t.Fatalf("first message %v; want 1 (the spawn's argument)", got)
		}
		if err := pr.Send(pid, Ping{Seq: 2, ReplyTo: cluster.Wire(pr.PID())}); err != nil {
			t.Fatal(err)
		}
		if got := pr.Expect(t, wait); got != 2 {
			t.Fatalf("answer %v; want 2", got)
		}
		_ = a.Process().Exit(pid, process.Kill)
	})

	t.Run("spawn_link to a child that crashes at once: its exit", func(t *testing.T) {
		pr := otptest.NewProbe(t, a.Process())
		pr.TrapExit(true)
		var pid process.PID
		var err error
		pr.Do(func(p *process.Proc) { pid, err = a.SpawnLink(ctx, p, "sp-b", "crash", "boom") })
		if err != nil {
			t.Fatalf("SpawnLink = %v", err)
		}
		if e := pr.ExpectExit(t, wait); e.From != pid || !remoteText(e.Reason, "boom") {
			t.Fatalf("Exit = %+v; want from %v with boom", e, pid)
		}
	})

	t.Run("spawn_link: the caller's death kills the child", func(t *testing.T) {
		watcher := otptest.NewProbe(t, a.Process())
		pr := otptest.NewProbe(t, a.Process())
		var pid process.PID
		var err error
		pr.Do(func(p *process.Proc) { pid, err = a.SpawnLink(ctx, p, "sp-b", "worker", nil) })
		if err != nil {
			t.Fatalf("SpawnLink = %v", err)
		}
		watcher.Monitor(pid)
		watcher.Sync()
		pr.Do(func(p *process.Proc) { _ = p.Exit(p.PID(), errors.New("caller died")) })
		if d := watcher.ExpectDown(t, wait); !remoteText(d.Reason, "caller died") {
			t.Fatalf("Down = %+v; want the child dead with the caller's reason", d)
		}
	})

	t.Run("spawn_monitor to a child that crashes at once: Down with its reason", func(t *testing.T) {
		pr := otptest.NewProbe(t, a.Process())
		var pid process.PID
		var ref process.Ref
		var err error
		pr.Do(func(p *process.Proc) { pid, ref, err = a.SpawnMonitor(ctx, p, "sp-b", "crash", "bang") })
		if err != nil {
			t.Fatalf("SpawnMonitor = %v", err)
		}
		if d := pr.ExpectDown(t, wait); d.Ref != ref || d.PID != pid || !remoteText(d.Reason, "bang") {
			t.Fatalf("Down = %+v; want ref %v, pid %v, reason bang", d, ref, pid)
		}
	})

	errCases := []struct {
		name  string
		node  string
		fn    string
		arg   any
		check func(error) bool
	}{
		{"unknown spawnable", "sp-b", "nope", nil, func(err error) bool {
			var ue *cluster.UnknownSpawnableError
			return errors.As(err, &ue) && errors.Is(err, cluster.ErrUnknownSpawnable) && ue.Node == "sp-b" && ue.Name == "nope"
		}},
		{"argument of the wrong type", "sp-b", "relay", "not a Ping", func(err error) bool {
			var se *cluster.SpawnArgError
			return errors.As(err, &se) && errors.Is(err, cluster.ErrInvalidArgument)
		}},
		{"unregistered argument", "sp-b", "relay", Unregistered{1}, func(err error) bool { return errors.Is(err, cluster.ErrUnregistered) }},
		{"unencodable argument", "sp-b", "relay", Unencodable{C: make(chan int)}, func(err error) bool { return errors.Is(err, cluster.ErrEncode) }},
		{"unknown node", "nowhere", "relay", nil, func(err error) bool { return errors.Is(err, cluster.NoConnection) }},
	}
	for _, c := range errCases {
		t.Run("spawn error: "+c.name, func(t *testing.T) {
			pid, err := a.Spawn(ctx, c.node, c.fn, c.arg)
			if err == nil || !c.check(err) {
				t.Fatalf("Spawn(%s, %s, %v) = %v, %v; want the error of %s", c.node, c.fn, c.arg, pid, err, c.name)
			}
		})
	}

	sup := a.RemoteName("sp-b", "sup")
	t.Run("StartChild on a remote supervisor: the child restarts there", func(t *testing.T) {
		pid, err := a.StartChild(ctx, sup, "echo", "e1")
		if err != nil {
			t.Fatalf("StartChild = %v", err)
		}
		if who, err := genserver.Call[string](ctx, pid, "whoami"); err != nil || who != "sp-b" {
			t.Fatalf("Call(whoami) = %q, %v; want sp-b", who, err)
		}
		if _, err := a.StartChild(ctx, sup, "echo", "e1"); !errors.As(err, new(*supervisor.AlreadyStartedError)) {
			t.Fatalf("StartChild again = %v; want *supervisor.AlreadyStartedError", err)
		}
		pr := otptest.NewProbe(t, a.Process())
		pr.Monitor(pid)
		if _, err := genserver.Call[any](ctx, pid, "crash"); err == nil {
			t.Fatal("Call(crash) = nil error")
		}
		pr.ExpectDown(t, wait)
		var again process.PID
		otptest.Eventually(t, 10*time.Second, func() bool {
			cs, err := a.WhichChildren(ctx, sup)
			if err != nil || len(cs) != 1 || cs[0].ID != "e1" || cs[0].PID.IsZero() || cs[0].PID == pid {
				return false
			}
			again = cs[0].PID
			return true
		}, "e1 restarted on sp-b")
		if again.Node() != cluster.NodeNumber("sp-b") {
			t.Fatalf("restarted child %v is not on sp-b", again)
		}
		if got, err := genserver.Call[string](ctx, again, "hello"); err != nil || got != "hello" {
			t.Fatalf("Call to the restarted child = %q, %v", got, err)
		}
		supPID, err := sup.Resolve()
		if err != nil {
			t.Fatal(err)
		}
		if c, err := a.CountChildren(ctx, supPID); err != nil || c.Active != 1 || c.Workers != 1 {
			t.Fatalf("CountChildren = %+v, %v; want one active worker", c, err)
		}
		if err := a.DeleteChild(ctx, sup, "e1"); !errors.Is(err, supervisor.ErrRunning) {
			t.Fatalf("DeleteChild of a running child = %v; want ErrRunning", err)
		}
		if err := a.TerminateChild(ctx, sup, "e1"); err != nil {
			t.Fatalf("TerminateChild = %v", err)
		}
		restarted, err := a.RestartChild(ctx, sup, "e1")
		if err != nil || restarted.Node() != cluster.NodeNumber("sp-b") {
			t.Fatalf("RestartChild = %v, %v", restarted, err)
		}
		if err := a.TerminateChild(ctx, sup, "e1"); err != nil {
			t.Fatalf("TerminateChild = %v", err)
		}
		if err := a.DeleteChild(ctx, sup, "e1"); err != nil {
			t.Fatalf("DeleteChild = %v", err)
		}
		if err := a.TerminateChild(ctx, sup, "e1"); !errors.Is(err, supervisor.ErrNotFound) {
			t.Fatalf("TerminateChild of a deleted child = %v; want ErrNotFound", err)
		}
	})

	t.Run("StartChild errors", func(t *testing.T) {
		if _, err := a.StartChild(ctx, sup, "nope", nil); !errors.Is(err, cluster.ErrUnknownSpawnable) {
			t.Errorf("unknown factory: %v; want ErrUnknownSpawnable", err)
		}
		if _, err := a.StartChild(ctx, sup, "echo", 7); !errors.Is(err, cluster.ErrInvalidArgument) {
			t.Errorf("argument of the wrong type: %v; want ErrInvalidArgument", err)
		}
		spec := supervisor.GenServer("direct", echo{node: "sp-a"})
		if _, err := supervisor.StartChild(ctx, sup, spec); !errors.Is(err, cluster.ErrUnregistered) {
			t.Errorf("supervisor.StartChild to a remote supervisor: %v; want ErrUnregistered at the sender", err)
		}
		if _, err := a.StartChild(ctx, sup, "panics", "x"); !remoteText(err, "factory bug") {
			t.Errorf("panicking factory: %v; want a *RemoteError with the panic", err)
		}
		if _, err := a.StartChild(ctx, sup, "echo", ""); !errors.Is(err, supervisor.ErrInvalidSpec) {
			t.Errorf("empty child id: %v; want a *supervisor.SpecError", err)
		}
		if _, err := a.WhichChildren(ctx, a.RemoteName("sp-b", "nosup")); !errors.Is(err, process.NoProc) {
			t.Errorf("unknown supervisor: %v; want noproc", err)
		}
		echoPID, err := a.RemoteName("sp-b", "echo").Resolve()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.WhichChildren(ctx, deadPID(echoPID)); !errors.Is(err, process.NoProc) {
			t.Errorf("dead supervisor: %v; want noproc", err)
		}
	})

	t.Run("node killed: noconnection on spawn_link and spawn_monitor", func(t *testing.T) {
		lnk := otptest.NewProbe(t, a.Process())
		lnk.TrapExit(true)
		mon := otptest.NewProbe(t, a.Process())
		var lpid, mpid process.PID
		var ref process.Ref
		var err1, err2 error
		lnk.Do(func(p *process.Proc) { lpid, err1 = a.SpawnLink(ctx, p, "sp-b", "worker", nil) })
		mon.Do(func(p *process.Proc) { mpid, ref, err2 = a.SpawnMonitor(ctx, p, "sp-b", "worker", nil) })
		if err1 != nil || err2 != nil {
			t.Fatalf("SpawnLink = %v; SpawnMonitor = %v", err1, err2)
		}
		// The spawns' confirmations reach sp-b before the kill.
		if _, err := genserver.Call[any](ctx, a.RemoteName("sp-b", "echo"), "sync"); err != nil {
			t.Fatal(err)
		}
		if err := b.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		if e := lnk.ExpectExit(t, wait); e.From != lpid || !errors.Is(e.Reason, cluster.NoConnection) {
			t.Fatalf("Exit = %+v; want noconnection from %v", e, lpid)
		}
		if d := mon.ExpectDown(t, wait); d.Ref != ref || d.PID != mpid || !errors.Is(d.Reason, cluster.NoConnection) {
			t.Fatalf("Down = %+v; want noconnection for %v", d, mpid)
		}
		if _, err := a.Spawn(ctx, "sp-b", "worker", nil); !errors.Is(err, cluster.NoConnection) {
			t.Fatalf("Spawn on the lost node = %v; want noconnection", err)
		}
		if _, err := a.StartChild(ctx, sup, "echo", "e2"); !errors.Is(err, cluster.NoConnection) {
			t.Fatalf("StartChild on the lost node = %v; want noconnection", err)
		}
	})
}

// TestSpawnLocal: a spawn on the caller's own node runs there, with the
// same links, monitors and errors; the supervisor operations on a local
// supervisor are the supervisor package's own.
func TestSpawnLocal(t *testing.T) {
	n := startLocal(t, "sp-local", cluster.Config{})
	if err := setupSpawn(n); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pr := otptest.NewProbe(t, n.Process())
	pid, err := n.Spawn(ctx, n.Name(), "relay", Ping{Seq: 3, ReplyTo: cluster.Wire(pr.PID())})
	if err != nil || pid.Node() != n.ID() {
		t.Fatalf("Spawn = %v, %v; want a local PID", pid, err)
	}
	if got := pr.Expect(t, 5*time.Second); got != 3 {
		t.Fatalf("got %v; want 3", got)
	}
	var ref process.Ref
	pr.Do(func(p *process.Proc) { pid, ref, err = n.SpawnMonitor(ctx, p, n.Name(), "crash", "local") })
	if d := pr.ExpectDown(t, 5*time.Second); err != nil || d.Ref != ref || d.PID != pid || d.Reason == nil || d.Reason.Error() != "local" {
		t.Fatalf("SpawnMonitor: %v; Down = %+v; want reason local", err, d)
	}
	if _, err := n.Spawn(ctx, n.Name(), "nope", nil); !errors.Is(err, cluster.ErrUnknownSpawnable) {
		t.Fatalf("unknown spawnable: %v", err)
	}
	sup := n.Process().Name("sup")
	child, err := n.StartChild(ctx, sup, "echo", "l1")
	if err != nil {
		t.Fatalf("StartChild = %v", err)
	}
	if cs, err := n.WhichChildren(ctx, sup); err != nil || len(cs) != 1 || cs[0].PID != child {
		t.Fatalf("WhichChildren = %+v, %v", cs, err)
	}
	if _, err := n.StartChild(ctx, sup, "echo", "l1"); !errors.As(err, new(*supervisor.AlreadyStartedError)) {
		t.Fatalf("StartChild again = %v", err)
	}

	// A node of this same program: links and monitors do not cross
	// nodes of one program, so SpawnMonitor fails and the process it
	// started is killed before it runs.
	n2 := startLocal(t, "sp-local2", cluster.Config{Routes: []string{n.RouteURL()}})
	if err := setupSpawn(n2); err != nil {
		t.Fatal(err)
	}
	awaitUp(t, n, "sp-local2")
	before := len(n2.Process().Processes())
	pr.Do(func(p *process.Proc) { _, _, err = n.SpawnMonitor(ctx, p, "sp-local2", "worker", nil) })
	if !errors.As(err, new(*process.WrongNodeError)) {
		t.Fatalf("SpawnMonitor to a node of this program = %v; want a *process.WrongNodeError", err)
	}
	otptest.Eventually(t, 5*time.Second, func() bool { return len(n2.Process().Processes()) == before },
		"the process spawned on sp-local2 is gone")
}

// TestBadInputSpawn walks the spawn and remote supervisor API with bad
// input: every call returns an error matching ErrInvalidArgument.
func TestBadInputSpawn(t *testing.T) {
	n := startLocal(t, "sp-bad", cluster.Config{})
	if err := setupSpawn(n); err != nil {
		t.Fatal(err)
	}
	other, err := process.NewNode()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Stop(context.Background()) })
	foreign := otptest.NewProbe(t, other)
	ctx := context.Background()
	var nilNode *cluster.Node
	sup := n.Process().Name("sup")
	for _, c := range []struct {
		name string
		f    func() error
	}{
		{"RegisterSpawnable nil node", func() error {
			return cluster.RegisterSpawnable(nil, "x", func(*process.Proc, int) error { return nil })
		}},
		{"RegisterSpawnable empty name", func() error {
			return cluster.RegisterSpawnable(n, "", func(*process.Proc, int) error { return nil })
		}},
		{"RegisterSpawnable nil fn", func() error { return cluster.RegisterSpawnable[int](n, "x", nil) }},
		{"RegisterSpawnable twice", func() error {
			return cluster.RegisterSpawnable(n, "relay", func(*process.Proc, int) error { return nil })
		}},
		{"RegisterChild nil node", func() error {
			return cluster.RegisterChild(nil, "x", func(int) (supervisor.ChildSpec, error) { return supervisor.ChildSpec{}, nil })
		}},
		{"RegisterChild empty name", func() error {
			return cluster.RegisterChild(n, "", func(int) (supervisor.ChildSpec, error) { return supervisor.ChildSpec{}, nil })
		}},
		{"RegisterChild nil factory", func() error { return cluster.RegisterChild[int](n, "x", nil) }},
		{"RegisterChild twice", func() error {
			return cluster.RegisterChild(n, "echo", func(int) (supervisor.ChildSpec, error) { return supervisor.ChildSpec{}, nil })
		}},
		{"Spawn nil node", func() error { _, err := nilNode.Spawn(ctx, "a", "relay", nil); return err }},
		{"Spawn nil ctx", func() error {
			//lint:ignore SA1012 a nil context is the bad input under test
			_, err := n.Spawn(nil, "a", "relay", nil)
			return err
		}},
		{"Spawn empty node", func() error { _, err := n.Spawn(ctx, "", "relay", nil); return err }},
		{"Spawn empty name", func() error { _, err := n.Spawn(ctx, "a", "", nil); return err }},
		{"Spawn argument of the wrong type", func() error { _, err := n.Spawn(ctx, n.Name(), "relay", 1); return err }},
		{"SpawnLink nil process", func() error { _, err := n.SpawnLink(ctx, nil, "a", "relay", nil); return err }},
		{"SpawnMonitor nil process", func() error { _, _, err := n.SpawnMonitor(ctx, nil, "a", "relay", nil); return err }},
		{"SpawnLink process of another node", func() error {
			var err error
			foreign.Do(func(p *process.Proc) { _, err = n.SpawnLink(ctx, p, n.Name(), "worker", nil) })
			return err
		}},
		{"StartChild nil node", func() error { _, err := nilNode.StartChild(ctx, sup, "echo", "x"); return err }},
		{"StartChild nil ctx", func() error {
			//lint:ignore SA1012 a nil context is the bad input under test
			_, err := n.StartChild(nil, sup, "echo", "x")
			return err
		}},
		{"StartChild nil sup", func() error { _, err := n.StartChild(ctx, nil, "echo", "x"); return err }},
		{"StartChild empty factory", func() error { _, err := n.StartChild(ctx, sup, "", "x"); return err }},
		{"StartDynamicChild empty factory", func() error { _, err := n.StartDynamicChild(ctx, sup, "", "x"); return err }},
		{"StartChild argument of the wrong type", func() error { _, err := n.StartChild(ctx, sup, "echo", 1); return err }},
		{"TerminateChild empty id", func() error { return n.TerminateChild(ctx, sup, "") }},
		{"DeleteChild empty id", func() error { return n.DeleteChild(ctx, sup, "") }},
		{"RestartChild empty id", func() error { _, err := n.RestartChild(ctx, sup, ""); return err }},
		{"WhichChildren nil sup", func() error { _, err := n.WhichChildren(ctx, nil); return err }},
		{"CountChildren nil ctx", func() error {
			//lint:ignore SA1012 a nil context is the bad input under test
			_, err := n.CountChildren(nil, sup)
			return err
		}},
	} {
		err := otptest.NoPanic(c.f)
		if !errors.Is(err, cluster.ErrInvalidArgument) {
			t.Errorf("%s: err = %v; want ErrInvalidArgument", c.name, err)
		}
	}
}
