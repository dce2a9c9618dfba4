package cluster_test

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// remoteText reports whether reason is a remote reason whose text
// contains s.
func remoteText(reason error, s string) bool {
	var re *cluster.RemoteError
	return errors.As(reason, &re) && strings.Contains(re.Msg, s)
}

// TestRemoteLinksAndMonitors runs the link, monitor and exit-signal table
// across two OS processes, the same cases as the local table, plus
// noconnection when the other node is killed.
func TestRemoteLinksAndMonitors(t *testing.T) {
	a := startLocal(t, "sig-a", cluster.Config{})
	b := startChild(t, "sig-b", []string{a.RouteURL()})
	awaitUp(t, a, "sig-b")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	spawn := func(t *testing.T) process.PID {
		t.Helper()
		pid, err := genserver.Call[process.PID](ctx, a.RemoteName("sig-b", "echo"), "spawn")
		if err != nil {
			t.Fatalf("remote spawn: %v", err)
		}
		return pid
	}
	const wait = 5 * time.Second

	monitorCases := []struct {
		name  string
		end   string // message that ends the worker
		check func(error) bool
	}{
		{"normal exit", "exit:normal", func(r error) bool { return r == process.Normal }},
		{"error exit", "exit:boom", func(r error) bool { return remoteText(r, "boom") }},
	}
	for _, c := range monitorCases {
		t.Run("monitor: "+c.name, func(t *testing.T) {
			w := spawn(t)
			pr := otptest.NewProbe(t, a.Process())
			ref := pr.Monitor(w)
			if err := pr.Send(w, c.end); err != nil {
				t.Fatal(err)
			}
			d := pr.ExpectDown(t, wait)
			if d.Ref != ref || d.PID != w || !c.check(d.Reason) {
				t.Fatalf("Down = %+v; want ref %v, pid %v and the %s reason", d, ref, w, c.name)
			}
		})
		t.Run("link: "+c.name, func(t *testing.T) {
			w := spawn(t)
			pr := otptest.NewProbe(t, a.Process())
			pr.TrapExit(true)
			if err := pr.Link(w); err != nil {
				t.Fatal(err)
			}
			if err := pr.Send(w, c.end); err != nil {
				t.Fatal(err)
			}
			e := pr.ExpectExit(t, wait)
			if e.From != w || !c.check(e.Reason) {
				t.Fatalf("Exit = %+v; want from %v with the %s reason", e, w, c.name)
			}
		})
	}

	t.Run("monitor a dead remote pid: noproc", func(t *testing.T) {
		w := spawn(t)
		pr := otptest.NewProbe(t, a.Process())
		pr.Monitor(w)
		_ = pr.Send(w, "exit:normal")
		pr.ExpectDown(t, wait)
		ref := pr.Monitor(w)
		if d := pr.ExpectDown(t, wait); d.Ref != ref || d.Reason != process.NoProc {
			t.Fatalf("Down = %+v; want noproc for ref %v", d, ref)
		}
	})

	t.Run("link to a dead remote pid: exit noproc", func(t *testing.T) {
		w := spawn(t)
		pr := otptest.NewProbe(t, a.Process())
		pr.Monitor(w)
		_ = pr.Send(w, "exit:normal")
		pr.ExpectDown(t, wait)
		pr.TrapExit(true)
		if err := pr.Link(w); err != nil {
			t.Fatal(err)
		}
		if e := pr.ExpectExit(t, wait); e.From != w || e.Reason != process.NoProc {
			t.Fatalf("Exit = %+v; want noproc from %v", e, w)
		}
	})

	t.Run("demonitor: no Down", func(t *testing.T) {
		w := spawn(t)
		pr := otptest.NewProbe(t, a.Process())
		ref := pr.Monitor(w)
		if !pr.Demonitor(ref, true) {
			t.Fatal("Demonitor of an active remote monitor = false")
		}
		ref2 := pr.Monitor(w)
		_ = pr.Send(w, "exit:normal")
		if d := pr.ExpectDown(t, wait); d.Ref != ref2 {
			t.Fatalf("Down for ref %v; want only the second monitor's %v", d.Ref, ref2)
		}
	})

	t.Run("exit signal kill to a remote pid: killed", func(t *testing.T) {
		w := spawn(t)
		pr := otptest.NewProbe(t, a.Process())
		pr.Monitor(w)
		if err := a.Process().Exit(w, process.Kill); err != nil {
			t.Fatal(err)
		}
		if d := pr.ExpectDown(t, wait); d.Reason != process.Killed {
			t.Fatalf("Down = %+v; want killed", d)
		}
	})

	t.Run("local death crosses a link: the remote process dies", func(t *testing.T) {
		w := spawn(t)
		watcher := otptest.NewProbe(t, a.Process())
		watcher.Monitor(w)
		linked := otptest.NewProbe(t, a.Process())
		if err := linked.Link(w); err != nil {
			t.Fatal(err)
		}
		watcher.Sync()
		linked.Do(func(p *process.Proc) { _ = p.Exit(p.PID(), errors.New("crash")) })
		if d := watcher.ExpectDown(t, wait); !remoteText(d.Reason, "crash") {
			t.Fatalf("Down = %+v; want the remote worker dead with crash", d)
		}
	})

	t.Run("node killed: noconnection on links and monitors", func(t *testing.T) {
		w := spawn(t)
		mon := otptest.NewProbe(t, a.Process())
		ref := mon.Monitor(w)
		lnk := otptest.NewProbe(t, a.Process())
		lnk.TrapExit(true)
		if err := lnk.Link(w); err != nil {
			t.Fatal(err)
		}
		// The link request reaches b before the kill.
		if _, err := genserver.Call[any](ctx, a.RemoteName("sig-b", "echo"), "sync"); err != nil {
			t.Fatal(err)
		}
		if err := b.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		if d := mon.ExpectDown(t, wait); d.Ref != ref || !errors.Is(d.Reason, cluster.NoConnection) {
			t.Fatalf("Down = %+v; want noconnection", d)
		}
		if e := lnk.ExpectExit(t, wait); e.From != w || !errors.Is(e.Reason, cluster.NoConnection) {
			t.Fatalf("Exit = %+v; want noconnection from %v", e, w)
		}
		// After the loss: monitor and link give noconnection at once.
		ref = mon.Monitor(w)
		if d := mon.ExpectDown(t, wait); d.Ref != ref || !errors.Is(d.Reason, cluster.NoConnection) {
			t.Fatalf("Down after loss = %+v; want noconnection", d)
		}
		if err := lnk.Link(w); err != nil {
			t.Fatal(err)
		}
		if e := lnk.ExpectExit(t, wait); !errors.Is(e.Reason, cluster.NoConnection) {
			t.Fatalf("Exit after loss = %+v; want noconnection", e)
		}
	})
}

// TestFrozenNode: a node stopped with SIGSTOP is declared down within
// 1.5 s (telemetry event and node monitor), and seen up again after
// SIGCONT.
func TestFrozenNode(t *testing.T) {
	reg := telemetry.New()
	events := make(chan string, 16)
	if err := reg.Attach("test", []string{cluster.EventNodeUp, cluster.EventNodeDown}, func(ev string, _ telemetry.Measurements, md telemetry.Metadata) {
		if md["peer"] == "frozen-b" {
			events <- ev
		}
	}); err != nil {
		t.Fatal(err)
	}
	a := startLocal(t, "frozen-a", cluster.Config{}, process.Config{Telemetry: reg})
	b := startChild(t, "frozen-b", []string{a.RouteURL()})
	awaitUp(t, a, "frozen-b")
	if ev := <-events; ev != cluster.EventNodeUp {
		t.Fatalf("first event %q; want %q", ev, cluster.EventNodeUp)
	}
	pr := otptest.NewProbe(t, a.Process())
	if _, err := a.MonitorNodes(pr.PID()); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	if err := b.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Skipf("cannot SIGSTOP a node process: %v", err)
	}
	defer func() { _ = b.cmd.Process.Signal(syscall.SIGCONT) }()
	d, ok := pr.Expect(t, 5*time.Second).(cluster.NodeDown)
	took := time.Since(stopped)
	if !ok || d.Node != "frozen-b" || !errors.Is(d.Reason, cluster.NoConnection) {
		t.Fatalf("got %#v; want NodeDown{frozen-b, noconnection}", d)
	}
	if took > 1500*time.Millisecond {
		t.Errorf("frozen node declared down after %v; want within 1.5 s", took)
	}
	select {
	case ev := <-events:
		if ev != cluster.EventNodeDown {
			t.Errorf("event %q; want %q", ev, cluster.EventNodeDown)
		}
	case <-time.After(5 * time.Second):
		t.Error("no node-down telemetry event")
	}
	if err := b.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	if u, ok := pr.Expect(t, 10*time.Second).(cluster.NodeUp); !ok || u.Node != "frozen-b" {
		t.Fatalf("got %#v; want NodeUp{frozen-b} after SIGCONT", u)
	}
}
