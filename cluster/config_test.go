package cluster_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		f    func() error
	}{
		{"nil ctx", func() error {
			//lint:ignore SA1012 a nil context is the bad input under test
			_, err := cluster.Start(nil, cluster.Config{Name: "x", Dir: dir})
			return err
		}},
		{"no name", func() error { _, err := cluster.Start(ctx, cluster.Config{Dir: dir}); return err }},
		{"no dir nor URL", func() error { _, err := cluster.Start(ctx, cluster.Config{Name: "x"}); return err }},
		{"dir and URL", func() error {
			_, err := cluster.Start(ctx, cluster.Config{Name: "x", Dir: dir, URL: "nats://x"})
			return err
		}},
		{"bad listen", func() error {
			_, err := cluster.Start(ctx, cluster.Config{Name: "x", Dir: dir, Listen: "nohost"})
			return err
		}},
		{"bad port", func() error {
			_, err := cluster.Start(ctx, cluster.Config{Name: "x", Dir: dir, Listen: "127.0.0.1:99999"})
			return err
		}},
		{"down before heartbeat", func() error {
			_, err := cluster.Start(ctx, cluster.Config{Name: "x", Dir: dir, Heartbeat: time.Second, DownAfter: time.Second})
			return err
		}},
		{"password without user", func() error {
			_, err := cluster.Start(ctx, cluster.Config{Name: "x", Dir: dir, Password: "p"})
			return err
		}},
		{"Register nil node", func() error { return cluster.Register[int](nil, "int") }},
		{"Register empty name", func() error { return cluster.Register[int](nil, "") }},
		{"RemoteName zero", func() error { _, err := cluster.RemoteName{}.Resolve(); return err }},
		{"GlobalName zero", func() error { _, err := cluster.GlobalName{}.Resolve(); return err }},
		{"GlobalName zero register", func() error { return cluster.GlobalName{}.RegisterName(process.PID{}) }},
	} {
		err := otptest.NoPanic(c.f)
		if !errors.Is(err, cluster.ErrInvalidArgument) {
			t.Errorf("%s: err = %v; want ErrInvalidArgument", c.name, err)
		}
	}
}

// TestBadInputOnNode walks the node's methods with bad input.
func TestBadInputOnNode(t *testing.T) {
	n := startLocal(t, "bad", cluster.Config{})
	ctx := context.Background()
	pid := otptest.NewProbe(t, n.Process()).PID()
	kinds := map[string]cluster.DistRun{"k": func(*process.Proc, string, uint64) error { return nil }}
	run := func(*process.Proc, uint64) error { return nil }
	dist, err := n.StartDistributed(cluster.DistSpec{Name: "bad", Kinds: kinds})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		f    func() error
	}{
		{"Stop nil ctx", func() error {
			//lint:ignore SA1012 a nil context is the bad input under test
			return n.Stop(nil)
		}},
		{"MonitorNode zero pid", func() error { _, err := n.MonitorNode(process.PID{}, "x"); return err }},
		{"MonitorNode empty node", func() error { _, err := n.MonitorNode(pid, ""); return err }},
		{"MonitorNodes zero pid", func() error { _, err := n.MonitorNodes(process.PID{}); return err }},
		{"RegisterGlobal nil ctx", func() error {
			//lint:ignore SA1012 a nil context is the bad input under test
			_, err := n.RegisterGlobal(nil, "x", pid)
			return err
		}},
		{"RegisterGlobal empty name", func() error { _, err := n.RegisterGlobal(ctx, "", pid); return err }},
		{"RegisterGlobal zero pid", func() error { _, err := n.RegisterGlobal(ctx, "x", process.PID{}); return err }},
		{"RegisterGlobal remote pid", func() error {
			_, err := n.RegisterGlobal(ctx, "x", cluster.WirePID{Node: cluster.NodeNumber("other"), ID: 1}.PID())
			return err
		}},
		{"UnregisterGlobal nil ctx", func() error {
			//lint:ignore SA1012 a nil context is the bad input under test
			return n.UnregisterGlobal(nil, "x", 1)
		}},
		{"Recorded nil ctx", func() error {
			//lint:ignore SA1012 a nil context is the bad input under test
			_, err := n.Recorded(nil)
			return err
		}},
		{"Global empty name", func() error { _, err := cluster.Global(n, "").Resolve(); return err }},
		{"RemoteName empty", func() error { _, err := n.RemoteName("", "").Resolve(); return err }},
		{"StartDistributed bad name", func() error { _, err := n.StartDistributed(cluster.DistSpec{Name: "a.b", Kinds: kinds}); return err }},
		{"StartDistributed no kinds", func() error { _, err := n.StartDistributed(cluster.DistSpec{Name: "x"}); return err }},
		{"StartDistributed nil kind", func() error {
			_, err := n.StartDistributed(cluster.DistSpec{Name: "x", Kinds: map[string]cluster.DistRun{"k": nil}})
			return err
		}},
		{"StartDistributed negative lease", func() error {
			_, err := n.StartDistributed(cluster.DistSpec{Name: "x", Kinds: kinds, Lease: -1})
			return err
		}},
		{"StartDistributed lease below DownAfter", func() error {
			_, err := n.StartDistributed(cluster.DistSpec{Name: "x", Kinds: kinds, Lease: time.Millisecond})
			return err
		}},
		{"StartDistributed bad placement", func() error {
			_, err := n.StartDistributed(cluster.DistSpec{Name: "x", Kinds: kinds, Placement: 9})
			return err
		}},
		{"StartDistributed MaxRestarts below NoRestarts", func() error {
			_, err := n.StartDistributed(cluster.DistSpec{Name: "x", Kinds: kinds, MaxRestarts: -2})
			return err
		}},
		{"StartDistributed negative period", func() error {
			_, err := n.StartDistributed(cluster.DistSpec{Name: "x", Kinds: kinds, Period: -time.Second})
			return err
		}},
		{"StartSingleton empty name", func() error { _, err := n.StartSingleton(cluster.SingletonSpec{Run: run}); return err }},
		{"StartSingleton nil run", func() error { _, err := n.StartSingleton(cluster.SingletonSpec{Name: "x"}); return err }},
		{"StartSingleton negative lease", func() error {
			_, err := n.StartSingleton(cluster.SingletonSpec{Name: "x", Run: run, Lease: -1})
			return err
		}},
		{"StartSingleton lease below DownAfter", func() error {
			_, err := n.StartSingleton(cluster.SingletonSpec{Name: "x", Run: run, Lease: time.Millisecond})
			return err
		}},
		{"StartSingleton MaxRestarts below NoRestarts", func() error {
			_, err := n.StartSingleton(cluster.SingletonSpec{Name: "x", Run: run, MaxRestarts: -2})
			return err
		}},
		{"StartSingleton negative period", func() error {
			_, err := n.StartSingleton(cluster.SingletonSpec{Name: "x", Run: run, Period: -time.Second})
			return err
		}},
		{"StartChild nil supervisor", func() error {
			_, err := (*cluster.DistSupervisor)(nil).StartChild(ctx, cluster.DistChild{ID: "c", Kind: "k"})
			return err
		}},
		{"StartChild nil ctx", func() error {
			//lint:ignore SA1012 a nil context is the bad input under test
			_, err := dist.StartChild(nil, cluster.DistChild{ID: "c", Kind: "k"})
			return err
		}},
		{"StartChild bad id", func() error { _, err := dist.StartChild(ctx, cluster.DistChild{ID: "c.d", Kind: "k"}); return err }},
		{"StartChild unknown kind", func() error { _, err := dist.StartChild(ctx, cluster.DistChild{ID: "c", Kind: "nope"}); return err }},
		{"TerminateChild nil ctx", func() error {
			//lint:ignore SA1012 a nil context is the bad input under test
			return dist.TerminateChild(nil, "c")
		}},
		{"TerminateChild empty id", func() error { return dist.TerminateChild(ctx, "") }},
	} {
		err := otptest.NoPanic(c.f)
		if !errors.Is(err, cluster.ErrInvalidArgument) {
			t.Errorf("%s: err = %v; want ErrInvalidArgument", c.name, err)
		}
	}
}

// TestInsecureListenRefused: a route listener on a non-loopback address
// needs authentication.
func TestInsecureListenRefused(t *testing.T) {
	_, err := cluster.Start(context.Background(), cluster.Config{Name: "x", Dir: t.TempDir(), Listen: "0.0.0.0:-1"})
	var ie *cluster.InsecureError
	if !errors.As(err, &ie) || !errors.Is(err, cluster.ErrInsecure) || ie.Host != "0.0.0.0" {
		t.Fatalf("Start(0.0.0.0 without auth) = %v; want *InsecureError", err)
	}
}

// TestRegisterConflicts: a wire name and a type map one to one.
func TestRegisterConflicts(t *testing.T) {
	a := startLocal(t, "reg", cluster.Config{})
	if err := cluster.Register[Ping](a, "test.Ping"); err != nil {
		t.Errorf("registering the same pair again = %v; want nil", err)
	}
	if err := cluster.Register[Unregistered](a, "test.Ping"); !errors.Is(err, cluster.ErrInvalidArgument) {
		t.Errorf("a second type under one name = %v; want ErrInvalidArgument", err)
	}
	if err := cluster.Register[Ping](a, "test.Other"); !errors.Is(err, cluster.ErrInvalidArgument) {
		t.Errorf("one type under a second name = %v; want ErrInvalidArgument", err)
	}
	if err := cluster.Register[error](a, "test.error"); !errors.Is(err, cluster.ErrInvalidArgument) {
		t.Errorf("an interface type = %v; want ErrInvalidArgument", err)
	}
}

// TestRouteAuthentication: a node with the wrong password never joins;
// one with the right password does.
func TestRouteAuthentication(t *testing.T) {
	a := startLocal(t, "auth-a", cluster.Config{User: "orchard", Password: "s3cret"})
	startChild(t, "auth-bad", []string{a.RouteURL()}, childEnv+"_USER=orchard", childEnv+"_PASSWORD=wrong")
	startChild(t, "auth-good", []string{a.RouteURL()}, childEnv+"_USER=orchard", childEnv+"_PASSWORD=s3cret")
	awaitUp(t, a, "auth-good")
	// auth-bad started first and had as long to join as auth-good.
	for _, m := range a.Members() {
		if m.Name == "auth-bad" {
			t.Fatalf("a node with the wrong password joined: %+v", m)
		}
	}
}

// TestGracefulLeave: a node that stops says so; the others declare it
// down at once with reason Leaving, and node monitors get NodeUp and
// NodeDown.
func TestGracefulLeave(t *testing.T) {
	a := startLocal(t, "leave-a", cluster.Config{})
	pr := otptest.NewProbe(t, a.Process())
	cancel, err := a.MonitorNodes(pr.PID())
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	b := startChild(t, "leave-b", []string{a.RouteURL()})
	if m, ok := pr.Expect(t, 20*time.Second).(cluster.NodeUp); !ok || m.Node != "leave-b" {
		t.Fatalf("got %#v; want NodeUp{leave-b}", m)
	}
	b.leave(t)
	m, ok := pr.Expect(t, 5*time.Second).(cluster.NodeDown)
	if !ok || m.Node != "leave-b" || !errors.Is(m.Reason, cluster.Leaving) {
		t.Fatalf("got %#v; want NodeDown{leave-b, Leaving}", m)
	}
}

// TestLocalStaysLocal: between two nodes of one program, calls and
// sends go straight to the process (no codec: an unregistered type
// works), as before clustering.
func TestLocalStaysLocal(t *testing.T) {
	a := startLocal(t, "local-a", cluster.Config{})
	pid, err := genserver.Start(a.Process(), &echo{node: "local-a"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := genserver.Call[any](ctx, pid, Unregistered{3})
	if err != nil || got != (Unregistered{3}) {
		t.Fatalf("local Call = %v, %v; want the request back", got, err)
	}
	if err := genserver.Stop(pid, process.Normal, 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestMembershipRecord: joined nodes are recorded in the members KV
// bucket (three nodes: replicated); a node that leaves gracefully is
// removed.
func TestMembershipRecord(t *testing.T) {
	a := startLocal(t, "rec-a", cluster.Config{})
	b := startChild(t, "rec-b", []string{a.RouteURL()})
	startChild(t, "rec-c", []string{a.RouteURL()})
	awaitUp(t, a, "rec-b", "rec-c")
	has := func(want ...string) func() bool {
		return func() bool {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			got, err := a.Recorded(ctx)
			return err == nil && slices.Equal(got, want)
		}
	}
	otptest.Eventually(t, 20*time.Second, has("rec-a", "rec-b", "rec-c"), "the three nodes recorded")
	b.leave(t)
	otptest.Eventually(t, 20*time.Second, has("rec-a", "rec-c"), "rec-b's record gone after it left")
}
