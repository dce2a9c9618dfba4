package process_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

var shutdownMaintenance = process.ShutdownWith("maintenance")

// ending is one way a process can end, with the reason its links and
// monitors must see.
type ending struct {
	name string
	// end runs in the child once it is told to go; nil means the child is
	// killed with node.Exit(child, Kill) while it blocks in Receive.
	end func() error
	// dies says whether a linked process that does not trap exits dies too.
	dies bool
	// is reports whether a reason is the one the child ended with.
	is   func(error) bool
	want string
}

func reasonIs(want error) func(error) bool {
	return func(got error) bool { return errors.Is(got, want) }
}

func isPanic(value any) func(error) bool {
	return func(got error) bool {
		var pe *process.PanicError
		return errors.As(got, &pe) && pe.Value == value && len(pe.Stack) > 0
	}
}

var endings = []ending{
	{name: "normal", end: func() error { return process.Normal }, dies: false,
		is: reasonIs(process.Normal), want: "normal"},
	{name: "shutdown", end: func() error { return process.Shutdown }, dies: true,
		is: reasonIs(process.Shutdown), want: "shutdown"},
	{name: "shutdown_with", end: func() error { return shutdownMaintenance }, dies: true,
		is: reasonIs(shutdownMaintenance), want: "{shutdown,maintenance}"},
	{name: "error", end: func() error { return errBoom }, dies: true,
		is: reasonIs(errBoom), want: "boom"},
	{name: "panic", end: func() error { return panicky("kaboom") }, dies: true,
		is: isPanic("kaboom"), want: "*PanicError{kaboom} with a stack"},
	{name: "kill", end: nil, dies: true,
		is: reasonIs(process.Killed), want: "killed"},
	// The child's own code ends with Kill (OTP's exit(kill)): its links
	// get kill as an ordinary signal, trappable, and a non-trapping link
	// dies with kill, not killed (checked on OTP 25).
	{name: "own_kill", end: func() error { return process.Kill }, dies: true,
		is: reasonIs(process.Kill), want: "kill"},
}

// TestExitSignalMatrix checks OTP's outcome for every way a process can
// end, as seen by a linked or monitoring watcher that traps exits or not.
// An observer probe monitors both the child and the watcher, so the
// watcher's own death is observed too.
func TestExitSignalMatrix(t *testing.T) {
	for _, how := range []string{"link", "monitor"} {
		for _, trap := range []bool{true, false} {
			for _, e := range endings {
				name := fmt.Sprintf("%s/%s/%s", how, map[bool]string{true: "trap", false: "notrap"}[trap], e.name)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					testExitSignal(t, how == "link", trap, e)
				})
			}
		}
	}
}

func testExitSignal(t *testing.T, link, trap bool, e ending) {
	n := otptest.NewNode(t)
	var opts []process.SpawnOption
	if trap {
		opts = append(opts, process.TrapExits())
	}
	watcher := otptest.NewProbe(t, n, opts...)
	observer := otptest.NewProbe(t, n)

	child, err := n.Spawn(waitForGo(func() error {
		if e.end == nil {
			return errors.New("the kill case was told to go")
		}
		return e.end()
	}))
	if err != nil {
		t.Fatalf("Spawn = %v", err)
	}
	observer.Monitor(child)
	observer.Monitor(watcher.PID())
	var ref process.Ref
	if link {
		if err := watcher.Link(child); err != nil {
			t.Fatalf("Link(%v) = %v; want nil", child, err)
		}
	} else {
		ref = watcher.Monitor(child)
	}

	if e.end == nil {
		_ = n.Exit(child, process.Kill)
	} else {
		_ = n.Send(child, "go")
	}

	watcherDies := link && !trap && e.dies
	downs := make(map[process.PID]process.Down)
	for {
		d := observer.ExpectDown(t, timeout)
		downs[d.PID] = d
		_, gotChild := downs[child]
		_, gotWatcher := downs[watcher.PID()]
		if gotChild && (gotWatcher || !watcherDies) {
			break
		}
	}
	if r := downs[child].Reason; !e.is(r) {
		t.Errorf("child exit reason = %v; want %v", r, e.want)
	}
	if watcherDies {
		if r := downs[watcher.PID()].Reason; !e.is(r) {
			t.Errorf("watcher exit reason = %v; want %v", r, e.want)
		}
		return
	}
	// The watcher must still be alive: it runs a control call, after which
	// every message delivered to it before is queued on the probe.
	if d, died := downs[watcher.PID()]; died {
		t.Fatalf("watcher died with %v; want it alive", d.Reason)
	}
	observer.Sync()
	if observer.Len() != 0 {
		t.Fatalf("watcher died with %v; want it alive", observer.Expect(t, timeout))
	}
	watcher.Sync()
	switch {
	case !link:
		d := watcher.ExpectDown(t, timeout)
		if d.Ref != ref || d.PID != child {
			t.Errorf("Down = {Ref: %v, PID: %v}; want {Ref: %v, PID: %v}", d.Ref, d.PID, ref, child)
		}
		if !e.is(d.Reason) {
			t.Errorf("Down reason = %v; want %v", d.Reason, e.want)
		}
	case trap:
		x := watcher.ExpectExit(t, timeout)
		if x.From != child {
			t.Errorf("Exit.From = %v; want %v", x.From, child)
		}
		if !e.is(x.Reason) {
			t.Errorf("Exit reason = %v; want %v", x.Reason, e.want)
		}
	}
	if watcher.Len() != 0 {
		t.Errorf("watcher got extra message %+v", watcher.Expect(t, timeout))
	}
	if !n.IsAlive(watcher.PID()) {
		t.Errorf("IsAlive(watcher) = false")
	}
}

// TestOwnKillPropagatesAsKill: a process ending itself with Kill kills a
// non-trapping linked process with reason Kill, whose own links see Kill
// in turn, as OTP 25 does for exit(kill) (only exit(Pid, kill) becomes
// killed).
func TestOwnKillPropagatesAsKill(t *testing.T) {
	n := otptest.NewNode(t)
	firsts := make(chan process.PID, 1)
	middle, err := n.Spawn(func(p *process.Proc) error {
		first, err := p.Spawn(waitForGo(func() error { return process.Kill }), process.Linked())
		if err != nil {
			return err
		}
		firsts <- first
		<-p.Context().Done()
		return context.Cause(p.Context())
	})
	if err != nil {
		t.Fatalf("Spawn = %v", err)
	}
	first := <-firsts
	end := otptest.NewProbe(t, n, process.TrapExits())
	if err := end.Link(middle); err != nil {
		t.Fatalf("Link = %v", err)
	}
	firstDeath := monitorDeath(t, n, first)
	middleDeath := monitorDeath(t, n, middle)
	_ = n.Send(first, "go")
	if r := firstDeath(); !errors.Is(r, process.Kill) {
		t.Errorf("first's exit reason = %v; want kill", r)
	}
	if r := middleDeath(); !errors.Is(r, process.Kill) {
		t.Errorf("non-trapping link's exit reason = %v; want kill, not killed", r)
	}
	if x := end.ExpectExit(t, timeout); x.From != middle || !errors.Is(x.Reason, process.Kill) {
		t.Errorf("end of the chain got %+v; want Exit{From: %v, Reason: kill}", x, middle)
	}
}

// TestDeadProcessSendsNoSignal: code still running in a killed process
// cannot signal anyone (a dead supervisor must not kill its children).
func TestDeadProcessSendsNoSignal(t *testing.T) {
	n := otptest.NewNode(t)
	victim := otptest.NewProbe(t, n)
	killed, sent := make(chan struct{}), make(chan error, 1)
	pid, err := n.Spawn(func(p *process.Proc) error {
		<-killed // ignores its context, as code busy elsewhere would
		sent <- p.Exit(victim.PID(), process.Kill)
		return nil
	})
	if err != nil {
		t.Fatalf("Spawn = %v", err)
	}
	death := monitorDeath(t, n, pid)
	_ = n.Exit(pid, process.Kill)
	if r := death(); !errors.Is(r, process.Killed) {
		t.Fatalf("exit reason = %v; want killed", r)
	}
	close(killed)
	if err := <-sent; err != nil {
		t.Errorf("Exit from a dead process = %v; want nil", err)
	}
	victim.Sync()
	if !n.IsAlive(victim.PID()) {
		t.Errorf("a dead process's Exit(pid, Kill) killed pid")
	}
}

func TestMonitorDeadPID(t *testing.T) {
	n := otptest.NewNode(t)
	pr := otptest.NewProbe(t, n)
	dead := deadPID(t, n)
	ref := pr.Monitor(dead)
	d := pr.ExpectDown(t, timeout)
	if d.Ref != ref || d.PID != dead || !errors.Is(d.Reason, process.NoProc) {
		t.Errorf("Down = %+v; want {Ref: %v, PID: %v, Reason: noproc}", d, ref, dead)
	}
}

func TestMonitorSelfNeverFires(t *testing.T) {
	n := otptest.NewNode(t)
	pr := otptest.NewProbe(t, n)
	pr.Monitor(pr.PID())
	if info, _ := n.Info(pr.PID()); len(info.Monitors) != 0 || len(info.MonitoredBy) != 0 {
		t.Errorf("Info after self-monitor = %+v; want no monitors", info)
	}
}

func TestDemonitorFlush(t *testing.T) {
	n := otptest.NewNode(t)
	pr := otptest.NewProbe(t, n)
	for _, flush := range []bool{true, false} {
		child, _ := n.Spawn(waitForGo(func() error { return nil }))
		var active bool
		var queued int
		pr.Do(func(p *process.Proc) {
			ref, err := p.Monitor(child)
			if err != nil {
				t.Errorf("Monitor = %v", err)
			}
			// The Down is delivered synchronously by the kill and waits in
			// the mailbox while this control call runs.
			_ = n.Exit(child, process.Kill)
			active = p.Demonitor(ref, flush)
			queued = p.MailboxLen()
		})
		if active {
			t.Errorf("Demonitor(flush=%v) = true after the target died; want false", flush)
		}
		pr.Sync()
		if flush {
			if queued != 0 || pr.Len() != 0 {
				t.Errorf("Demonitor(flush=true) left %d messages in the mailbox, %d delivered; want 0", queued, pr.Len())
			}
			continue
		}
		if d := pr.ExpectDown(t, timeout); d.PID != child || !errors.Is(d.Reason, process.Killed) {
			t.Errorf("Down after Demonitor(flush=false) = %+v; want Down for %v with killed", d, child)
		}
	}
}

func TestDemonitorActive(t *testing.T) {
	n := otptest.NewNode(t)
	pr := otptest.NewProbe(t, n)
	child, _ := n.Spawn(waitForGo(func() error { return errBoom }))
	ref := pr.Monitor(child)
	if !pr.Demonitor(ref, false) {
		t.Errorf("Demonitor(active) = false; want true")
	}
	if pr.Demonitor(ref, false) {
		t.Errorf("second Demonitor = true; want false")
	}
	if info, _ := n.Info(child); len(info.MonitoredBy) != 0 {
		t.Errorf("Info(child).MonitoredBy = %v after Demonitor; want none", info.MonitoredBy)
	}
	death := monitorDeath(t, n, child)
	_ = n.Send(child, "go")
	death()
	pr.Sync()
	if pr.Len() != 0 {
		t.Errorf("got %+v after Demonitor; want no Down", pr.Expect(t, timeout))
	}
}

func TestLinkDeadPID(t *testing.T) {
	n := otptest.NewNode(t)
	dead := deadPID(t, n)

	trapper := otptest.NewProbe(t, n, process.TrapExits())
	if err := trapper.Link(dead); err != nil {
		t.Errorf("trapping Link(dead) = %v; want nil", err)
	}
	if x := trapper.ExpectExit(t, timeout); x.From != dead || !errors.Is(x.Reason, process.NoProc) {
		t.Errorf("Exit = %+v; want {From: %v, Reason: noproc}", x, dead)
	}

	plain := otptest.NewProbe(t, n)
	err := plain.Link(dead)
	var np *process.NoProcError
	if !errors.As(err, &np) || np.PID != dead || !errors.Is(err, process.NoProc) {
		t.Errorf("non-trapping Link(dead) = %v; want *NoProcError{%v, noproc}", err, dead)
	}
	plain.Sync() // still alive
	if plain.Len() != 0 {
		t.Errorf("non-trapping Link(dead) delivered %+v", plain.Expect(t, timeout))
	}
}

func TestLinkIsBidirectional(t *testing.T) {
	n := otptest.NewNode(t)
	a := otptest.NewProbe(t, n, process.TrapExits())
	b := otptest.NewProbe(t, n, process.TrapExits())
	if err := a.Link(b.PID()); err != nil {
		t.Fatalf("Link = %v", err)
	}
	if info, _ := n.Info(b.PID()); len(info.Links) != 1 || info.Links[0] != a.PID() {
		t.Errorf("Info(b).Links = %v; want [%v]", info.Links, a.PID())
	}
	// b dies: a learns of it although a made the link.
	_ = n.Exit(b.PID(), errBoom)
	if x := b.ExpectExit(t, timeout); !errors.Is(x.Reason, errBoom) {
		t.Fatalf("b got %+v; want the trapped exit signal", x)
	}
	b.Do(func(p *process.Proc) { _ = p.Exit(p.PID(), process.Kill) })
	if x := a.ExpectExit(t, timeout); x.From != b.PID() || !errors.Is(x.Reason, process.Killed) {
		t.Errorf("a got %+v; want Exit{From: %v, Reason: killed}", x, b.PID())
	}
	if info, _ := n.Info(a.PID()); len(info.Links) != 0 {
		t.Errorf("Info(a).Links = %v after b died; want none", info.Links)
	}
}

func TestUnlink(t *testing.T) {
	n := otptest.NewNode(t)
	a := otptest.NewProbe(t, n)
	child, _ := n.Spawn(waitForGo(func() error { return errBoom }))
	if err := a.Link(child); err != nil {
		t.Fatalf("Link = %v", err)
	}
	a.Unlink(child)
	if info, _ := n.Info(child); len(info.Links) != 0 {
		t.Errorf("Info(child).Links = %v after Unlink; want none", info.Links)
	}
	death := monitorDeath(t, n, child)
	_ = n.Send(child, "go")
	death()
	a.Sync()
	if !n.IsAlive(a.PID()) {
		t.Errorf("unlinked process died with its former link")
	}
}

// TestExitSelfNormal: exit(self(), normal) ends a process that does not
// trap exits with reason normal; a trapping one gets {'EXIT', self, normal}.
func TestExitSelfNormal(t *testing.T) {
	n := otptest.NewNode(t)
	plain := otptest.NewProbe(t, n)
	death := monitorDeath(t, n, plain.PID())
	plain.Do(func(p *process.Proc) { _ = p.Exit(p.PID(), process.Normal) })
	if r := death(); !errors.Is(r, process.Normal) {
		t.Errorf("exit(self, normal) reason = %v; want normal", r)
	}

	trapper := otptest.NewProbe(t, n, process.TrapExits())
	trapper.Do(func(p *process.Proc) { _ = p.Exit(p.PID(), process.Normal) })
	if x := trapper.ExpectExit(t, timeout); x.From != trapper.PID() || !errors.Is(x.Reason, process.Normal) {
		t.Errorf("trapping exit(self, normal) got %+v; want Exit{From: self, Reason: normal}", x)
	}
	trapper.Sync()
}

func TestNormalExitSignalIgnored(t *testing.T) {
	n := otptest.NewNode(t)
	target := otptest.NewProbe(t, n)
	sender := otptest.NewProbe(t, n)
	_ = n.Exit(target.PID(), process.Normal)
	sender.Do(func(p *process.Proc) { _ = p.Exit(target.PID(), process.Normal) })
	target.Sync()
	if !n.IsAlive(target.PID()) || target.Len() != 0 {
		t.Errorf("non-trapping process: alive=%v, %d messages after exit(normal) signals; want alive and none",
			n.IsAlive(target.PID()), target.Len())
	}

	trapper := otptest.NewProbe(t, n, process.TrapExits())
	sender.Do(func(p *process.Proc) { _ = p.Exit(trapper.PID(), process.Normal) })
	if x := trapper.ExpectExit(t, timeout); x.From != sender.PID() || !errors.Is(x.Reason, process.Normal) {
		t.Errorf("trapping process got %+v; want Exit{From: %v, Reason: normal}", x, sender.PID())
	}
}

func TestExitSignal(t *testing.T) {
	n := otptest.NewNode(t)
	plain := otptest.NewProbe(t, n)
	death := monitorDeath(t, n, plain.PID())
	_ = n.Exit(plain.PID(), errBoom)
	if r := death(); !errors.Is(r, errBoom) {
		t.Errorf("exit(pid, boom) reason = %v; want boom", r)
	}
	if err := n.Exit(plain.PID(), errBoom); err != nil {
		t.Errorf("Exit(dead) = %v; want nil, as erlang:exit/2", err)
	}

	trapper := otptest.NewProbe(t, n, process.TrapExits())
	_ = n.Exit(trapper.PID(), errBoom)
	if x := trapper.ExpectExit(t, timeout); !x.From.IsZero() || !errors.Is(x.Reason, errBoom) {
		t.Errorf("trapping process got %+v; want Exit{From: <nil>, Reason: boom}", x)
	}
}

func TestKillIsUntrappable(t *testing.T) {
	n := otptest.NewNode(t)
	for _, from := range []string{"node", "process"} {
		t.Run(from, func(t *testing.T) {
			trapper := otptest.NewProbe(t, n, process.TrapExits())
			linked := otptest.NewProbe(t, n, process.TrapExits())
			if err := linked.Link(trapper.PID()); err != nil {
				t.Fatalf("Link = %v", err)
			}
			death := monitorDeath(t, n, trapper.PID())
			if from == "node" {
				_ = n.Exit(trapper.PID(), process.Kill)
			} else {
				killer := otptest.NewProbe(t, n)
				killer.Do(func(p *process.Proc) { _ = p.Exit(trapper.PID(), process.Kill) })
			}
			if r := death(); !errors.Is(r, process.Killed) {
				t.Errorf("trapping process sent kill: exit reason = %v; want killed", r)
			}
			if x := linked.ExpectExit(t, timeout); x.From != trapper.PID() || !errors.Is(x.Reason, process.Killed) {
				t.Errorf("link got %+v; want Exit{From: %v, Reason: killed}", x, trapper.PID())
			}
		})
	}
}

func TestSpawnLinkAndMonitorFromProcess(t *testing.T) {
	n := otptest.NewNode(t)
	parent := otptest.NewProbe(t, n, process.TrapExits())
	var linked, monitored process.PID
	var ref process.Ref
	parent.Do(func(p *process.Proc) {
		var err error
		if linked, err = p.Spawn(func(*process.Proc) error { return errBoom }, process.Linked()); err != nil {
			t.Errorf("Spawn(Linked()) = %v", err)
		}
		if monitored, ref, err = p.SpawnMonitor(func(*process.Proc) error { return shutdownMaintenance }); err != nil {
			t.Errorf("SpawnMonitor = %v", err)
		}
	})
	got := map[string]bool{}
	for range 2 {
		switch m := parent.Expect(t, timeout).(type) {
		case process.Exit:
			got["exit"] = m.From == linked && errors.Is(m.Reason, errBoom)
		case process.Down:
			got["down"] = m.Ref == ref && m.PID == monitored && errors.Is(m.Reason, shutdownMaintenance)
		default:
			t.Fatalf("parent got %T %+v", m, m)
		}
	}
	if !got["exit"] || !got["down"] {
		t.Errorf("parent saw exit=%v down=%v; want the linked child's Exit{boom} and the monitored child's Down", got["exit"], got["down"])
	}
}

func TestSpawnFromDeadParent(t *testing.T) {
	n := otptest.NewNode(t)
	pr := otptest.NewProbe(t, n)
	var err error
	pr.Do(func(p *process.Proc) {
		_ = p.Exit(p.PID(), process.Kill)
		_, err = p.Spawn(func(*process.Proc) error { return nil })
	})
	if !errors.Is(err, process.Killed) {
		t.Errorf("Spawn from a killed process = %v; want a NoProcError with reason killed", err)
	}
}
