package cluster_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
)

// TestRemoteSemantics runs the remote call, cast and send table between
// this test process's node and a node in another OS process, and calls
// between two other node processes (c calls b), three OS processes in
// all.
func TestRemoteSemantics(t *testing.T) {
	a := startLocal(t, "a", cluster.Config{})
	b := startChild(t, "b", []string{a.RouteURL()})
	startChild(t, "c", []string{a.RouteURL()})
	awaitUp(t, a, "b", "c")
	awaitSeen(t, a, "b", "a")
	awaitSeen(t, a, "c", "b")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	echo := a.RemoteName("b", "echo")
	echoPID, err := echo.Resolve()
	if err != nil {
		t.Fatalf("Resolve(echo@b) = %v", err)
	}
	if echoPID.Node() != cluster.NodeNumber("b") {
		t.Fatalf("echo@b resolved to %v, not a PID of node b (%d)", echoPID, cluster.NodeNumber("b"))
	}
	dead := deadPID(echoPID)

	cases := []struct {
		name  string
		dest  process.Dest
		req   any
		want  any
		check func(error) bool
	}{
		{"call by remote name", echo, "hello", "hello", nil},
		{"call by PID", echoPID, 42, 42, nil},
		{"call returning the node", echoPID, "whoami", "b", nil},
		{"call, registered struct", echoPID, Ping{Seq: 7}, Ping{Seq: 7}, nil},
		{"HandleCall error", echoPID, "error", nil, func(err error) bool {
			var re *cluster.RemoteError
			return errors.As(err, &re) && re.Msg == "told to fail"
		}},
		{"dead PID: noproc", dead, "x", nil, func(err error) bool { return errors.Is(err, process.NoProc) }},
		{"unknown name: noproc", a.RemoteName("b", "nobody"), "x", nil, func(err error) bool { return errors.Is(err, process.NoProc) }},
		{"unregistered type at the sender", echoPID, Unregistered{1}, nil, func(err error) bool {
			var ue *cluster.UnregisteredError
			return errors.As(err, &ue) && errors.Is(err, cluster.ErrUnregistered)
		}},
		{"unencodable at the sender", echoPID, Unencodable{C: make(chan int)}, nil, func(err error) bool {
			return errors.Is(err, cluster.ErrEncode)
		}},
		{"unknown node: noconnection", a.RemoteName("nowhere", "echo"), "x", nil, func(err error) bool {
			return errors.Is(err, cluster.NoConnection)
		}},
		{"c calls b", a.RemoteName("c", "echo"), "callecho:b:whoami", "b", nil},
		{"c calls b, HandleCall error", a.RemoteName("c", "echo"), "callecho:b:error", nil, func(err error) bool {
			return err != nil && strings.Contains(err.Error(), "told to fail")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := genserver.Call[any](ctx, c.dest, c.req, genserver.WithTimeout(5*time.Second))
			if c.check != nil {
				if err == nil || !c.check(err) {
					t.Fatalf("Call = %v, %v; want the error of %q", got, err, c.name)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("Call = %#v, %v; want %#v", got, err, c.want)
			}
		})
	}

	t.Run("the caller's context deadline travels to the remote handler", func(t *testing.T) {
		cctx, ccancel := context.WithTimeout(ctx, 5*time.Second)
		defer ccancel()
		got, err := genserver.Call[any](cctx, echoPID, "deadline")
		if err != nil || got != true {
			t.Fatalf("Call(deadline) with a context deadline = %v, %v; want the handler's context to have a deadline", got, err)
		}
	})

	t.Run("send and cast keep per-pair FIFO", func(t *testing.T) {
		pr := otptest.NewProbe(t, a.Process())
		relayPID, err := a.RemoteName("b", "relay").Resolve()
		if err != nil {
			t.Fatal(err)
		}
		const n = 500
		for i := range n {
			if err := pr.Send(relayPID, Ping{Seq: i, ReplyTo: cluster.Wire(pr.PID())}); err != nil {
				t.Fatalf("Send %d: %v", i, err)
			}
		}
		for i := range n {
			if got := pr.Expect(t, 10*time.Second); got != i {
				t.Fatalf("message %d = %v; want %d (FIFO per pair)", i, got, i)
			}
		}
		for i := range 50 {
			if err := genserver.Cast(echoPID, Ping{Seq: i, ReplyTo: cluster.Wire(pr.PID())}); err != nil {
				t.Fatalf("Cast: %v", err)
			}
		}
		for i := range 50 {
			if got := pr.Expect(t, 10*time.Second); got != i {
				t.Fatalf("cast %d = %v; want %d", i, got, i)
			}
		}
	})

	t.Run("send errors at the sender", func(t *testing.T) {
		pr := otptest.NewProbe(t, a.Process())
		if err := pr.Send(echoPID, Unregistered{1}); !errors.Is(err, cluster.ErrUnregistered) {
			t.Errorf("Send(unregistered) = %v; want ErrUnregistered", err)
		}
		if err := a.Process().Send(dead, "x"); err != nil {
			t.Errorf("Send(dead remote PID) = %v; want nil (dropped there, as in OTP)", err)
		}
	})

	t.Run("supervised send confirms or fails, never silently", func(t *testing.T) {
		pr := otptest.NewProbe(t, a.Process())
		ping := Ping{Seq: 1, ReplyTo: cluster.Wire(pr.PID())}
		for _, level := range []send.Level{send.Enqueued, send.Handled} {
			if err := send.Send(ctx, echoPID, ping, send.WithConfirm(level), send.WithTimeout(5*time.Second)); err != nil {
				t.Fatalf("send %v to echo@b = %v; want confirmed", level, err)
			}
			if got := pr.Expect(t, 10*time.Second); got != 1 {
				t.Fatalf("echo@b answered %v; want 1", got)
			}
			if err := send.Send(ctx, dead, ping, send.WithConfirm(level), send.WithTimeout(5*time.Second)); !errors.Is(err, send.ErrNoProc) {
				t.Errorf("send %v to a dead remote PID = %v; want ErrNoProc", level, err)
			}
			err := send.Send(ctx, a.RemoteName("b", "nobody"), ping, send.WithConfirm(level), send.WithTimeout(5*time.Second))
			if !errors.Is(err, send.ErrNoProc) {
				t.Errorf("send %v to an unknown remote name = %v; want ErrNoProc", level, err)
			}
			if err := send.Send(ctx, echoPID, Unregistered{1}, send.WithConfirm(level)); !errors.Is(err, cluster.ErrUnregistered) {
				t.Errorf("send %v of an unregistered type = %v; want ErrUnregistered", level, err)
			}
		}
	})

	t.Run("remote server crash is the call's exit reason", func(t *testing.T) {
		_, err := genserver.Call[any](ctx, echoPID, "crash", genserver.WithTimeout(5*time.Second))
		var ce *genserver.CallError
		var re *cluster.RemoteError
		if !errors.As(err, &ce) || !errors.As(err, &re) {
			t.Fatalf("Call(crash) = %v; want a CallError with the remote exit reason", err)
		}
	})

	t.Run("node killed: monitor_node and noconnection", func(t *testing.T) {
		pr := otptest.NewProbe(t, a.Process())
		if _, err := a.MonitorNode(pr.PID(), "b"); err != nil {
			t.Fatal(err)
		}
		killed := time.Now()
		if err := b.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		m := pr.Expect(t, 5*time.Second)
		took := time.Since(killed)
		nd, ok := m.(cluster.NodeDown)
		if !ok || nd.Node != "b" || !errors.Is(nd.Reason, cluster.NoConnection) {
			t.Fatalf("got %#v; want NodeDown{b, noconnection}", m)
		}
		if took > 1500*time.Millisecond {
			t.Errorf("node declared down after %v; want within 1.5 s", took)
		}
		if err := a.Process().Send(echoPID, "x"); !errors.Is(err, cluster.NoConnection) {
			t.Errorf("Send to a PID of a down node = %v; want NoConnection", err)
		}
		_, err := genserver.Call[any](ctx, echoPID, "x", genserver.WithTimeout(time.Second))
		if !errors.Is(err, cluster.NoConnection) {
			t.Errorf("Call to a down node = %v; want NoConnection", err)
		}
		// Between the two node processes left: c's call to b fails with
		// noconnection, which comes back to a as HandleCall's error.
		otptest.Eventually(t, 10*time.Second, func() bool {
			_, err := genserver.Call[any](ctx, a.RemoteName("c", "echo"), "callecho:b:x", genserver.WithTimeout(10*time.Second))
			return err != nil && strings.Contains(err.Error(), "noconnection")
		}, "c's call to the killed b fails with noconnection")
	})
}

// deadPID returns a PID of pid's node that no process has.
func deadPID(pid process.PID) process.PID {
	return cluster.WirePID{Node: pid.Node(), ID: pid.ID() + 1<<40}.PID()
}
