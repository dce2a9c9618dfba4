package process_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// timeout bounds every wait for something the test expects to happen; it
// is never slept on.
const timeout = 5 * time.Second

var errBoom = errors.New("boom")

// waitForGo is a child that blocks in Receive until any message arrives,
// then ends with end (which may panic).
func waitForGo(end func() error) process.Func {
	return func(p *process.Proc) error {
		if _, err := p.Receive(p.Context()); err != nil {
			return err
		}
		return end()
	}
}

// gated is a Func process that does not read its mailbox until gate is
// closed, then reports each message it receives on got until it dies or,
// trapping exits, hears that its node stops.
func gated(gate <-chan struct{}, got chan<- process.Msg) process.Func {
	return func(p *process.Proc) error {
		select {
		case <-gate:
		case <-p.Context().Done():
			return context.Cause(p.Context())
		}
		for {
			m, err := p.Receive(p.Context())
			if err != nil {
				return err
			}
			got <- m
			if x, ok := m.(process.Exit); ok && p.Node().Stopped() {
				return x.Reason
			}
		}
	}
}

// deadPID returns the PID of a process of n that has ended.
func deadPID(t *testing.T, n *process.Node) process.PID {
	t.Helper()
	pid, err := n.Spawn(func(*process.Proc) error { return nil })
	if err != nil {
		t.Fatalf("Spawn = %v; want nil", err)
	}
	w := otptest.NewProbe(t, n)
	w.Monitor(pid)
	w.ExpectDown(t, timeout)
	return pid
}

// monitorDeath makes a fresh probe monitor pid and returns a function that
// waits for pid's exit reason.
func monitorDeath(t *testing.T, n *process.Node, pid process.PID) func() error {
	t.Helper()
	w := otptest.NewProbe(t, n)
	ref := w.Monitor(pid)
	return func() error {
		t.Helper()
		d := w.ExpectDown(t, timeout)
		if d.Ref != ref || d.PID != pid {
			t.Fatalf("Down = %+v; want Ref %v PID %v", d, ref, pid)
		}
		return d.Reason
	}
}

func TestPIDString(t *testing.T) {
	n := otptest.NewNode(t)
	pr := otptest.NewProbe(t, n)
	want := "<" + strconv.FormatUint(uint64(n.ID()), 10) + "." + strconv.FormatUint(pr.PID().ID(), 10) + ">"
	if got := pr.PID().String(); got != want {
		t.Errorf("PID.String() = %q; want %q", got, want)
	}
	if got := (process.PID{}).String(); got != "<nil>" {
		t.Errorf("zero PID.String() = %q; want <nil>", got)
	}
	if pr.PID().Node() != n.ID() || pr.PID().IsZero() {
		t.Errorf("PID %v: Node() = %d, IsZero() = %v; want %d, false", pr.PID(), pr.PID().Node(), pr.PID().IsZero(), n.ID())
	}
}

func TestRegister(t *testing.T) {
	n := otptest.NewNode(t)
	a := otptest.NewProbe(t, n)
	b := otptest.NewProbe(t, n)

	if err := n.Register("svc", a.PID()); err != nil {
		t.Fatalf("Register(svc, a) = %v; want nil", err)
	}
	if pid, ok := n.WhereIs("svc"); !ok || pid != a.PID() {
		t.Errorf("WhereIs(svc) = %v, %v; want %v, true", pid, ok, a.PID())
	}
	if err := n.Register("svc", b.PID()); !errors.Is(err, process.ErrNameTaken) {
		t.Errorf("Register(svc, b) = %v; want ErrNameTaken", err)
	}
	if err := n.Register("other", a.PID()); !errors.Is(err, process.ErrAlreadyNamed) {
		t.Errorf("Register(other, a) = %v; want ErrAlreadyNamed", err)
	}
	if got := n.Registered(); !slices.Equal(got, []string{"svc"}) {
		t.Errorf("Registered() = %q; want [svc]", got)
	}
	if err := n.SendDest(n.Name("svc"), "hi"); err != nil {
		t.Fatalf("SendDest(svc) = %v; want nil", err)
	}
	if m := a.Expect(t, timeout); m != "hi" {
		t.Errorf("a got %v; want hi", m)
	}

	if !n.Unregister("svc") {
		t.Errorf("Unregister(svc) = false; want true")
	}
	if n.Unregister("svc") {
		t.Errorf("second Unregister(svc) = true; want false")
	}
	if _, ok := n.WhereIs("svc"); ok {
		t.Errorf("WhereIs(svc) found a name after Unregister")
	}
	var np *process.NoProcError
	if err := n.SendDest(n.Name("svc"), "hi"); !errors.As(err, &np) || np.Name != "svc" || !np.PID.IsZero() || !errors.Is(err, process.NoProc) {
		t.Errorf("SendDest(unregistered) = %v; want a *NoProcError for the name svc matching NoProc", err)
	}
	if err := n.Register("other", a.PID()); err != nil {
		t.Errorf("Register(other, a) after Unregister = %v; want nil", err)
	}

	// A name dies with its process.
	b.Do(func(p *process.Proc) {
		if err := p.Node().Register("svc", p.PID()); err != nil {
			t.Errorf("Register(svc, self) = %v; want nil", err)
		}
	})
	if pid, _ := n.WhereIs("svc"); pid != b.PID() {
		t.Errorf("WhereIs(svc) = %v; want %v", pid, b.PID())
	}
	_ = n.Exit(b.PID(), process.Kill)
	if pid, ok := n.WhereIs("svc"); ok {
		t.Errorf("WhereIs(svc) = %v after its process was killed; want no name", pid)
	}
	if err := n.Register("svc", b.PID()); !errors.Is(err, process.NoProc) {
		t.Errorf("Register(svc, dead) = %v; want a NoProcError", err)
	}
	if err := n.Register("", a.PID()); !errors.Is(err, process.ErrInvalidOption) {
		t.Errorf("Register(\"\") = %v; want ErrInvalidOption", err)
	}
}

func TestWithName(t *testing.T) {
	n := otptest.NewNode(t)
	pr := otptest.NewProbe(t, n, process.WithName("named"))
	if pid, ok := n.WhereIs("named"); !ok || pid != pr.PID() {
		t.Errorf("WhereIs(named) = %v, %v; want %v, true", pid, ok, pr.PID())
	}
	if info, err := n.Info(pr.PID()); err != nil || info.Name != "named" {
		t.Errorf("Info.Name = %q, %v; want named", info.Name, err)
	}
	if _, err := n.Spawn(func(*process.Proc) error { return nil }, process.WithName("named")); !errors.Is(err, process.ErrNameTaken) {
		t.Errorf("Spawn(WithName(named)) = %v; want ErrNameTaken", err)
	}
	if got := len(n.Processes()); got != 1 {
		t.Errorf("%d processes after a refused spawn; want 1", got)
	}
}

func TestInfo(t *testing.T) {
	n := otptest.NewNode(t)
	parent := otptest.NewProbe(t, n, process.TrapExits())
	gate := make(chan struct{})
	got := make(chan process.Msg, 8)
	var child process.PID
	parent.Do(func(p *process.Proc) {
		var err error
		child, err = p.Spawn(gated(gate, got), rt.Behaviour("worker"), process.Linked())
		if err != nil {
			t.Errorf("Spawn(Linked()) = %v; want nil", err)
		}
	})
	mon := otptest.NewProbe(t, n)
	mon.Monitor(child)
	if err := n.Register("kid", child); err != nil {
		t.Fatalf("Register = %v", err)
	}
	for i := range 3 {
		_ = n.Send(child, i)
	}
	tref, err := n.SendAfter(child, "later", time.Hour)
	if err != nil {
		t.Fatalf("SendAfter = %v", err)
	}

	info, err := n.Info(child)
	if err != nil {
		t.Fatalf("Info(%v) = %v; want nil", child, err)
	}
	checks := []struct {
		field     string
		got, want any
	}{
		{"PID", info.PID, child},
		{"Parent", info.Parent, parent.PID()},
		{"Name", info.Name, "kid"},
		{"Behaviour", info.Behaviour, "worker"},
		{"MailboxLen", info.MailboxLen, 3},
		{"Status", info.Status, process.Running},
		{"Links", info.Links, []process.PID{parent.PID()}},
		{"MonitoredBy", info.MonitoredBy, []process.PID{mon.PID()}},
		{"Monitors", len(info.Monitors), 0},
		{"TrapExit", info.TrapExit, false},
		{"Timers", info.Timers, 1},
		{"MessagesHandled", info.MessagesHandled, uint64(0)},
	}
	for _, c := range checks {
		if !equal(c.got, c.want) {
			t.Errorf("Info(child).%s = %v; want %v", c.field, c.got, c.want)
		}
	}
	if info.StartTime.IsZero() || info.StartTime.After(time.Now()) {
		t.Errorf("Info.StartTime = %v; want a past time", info.StartTime)
	}
	if pi, _ := n.Info(parent.PID()); !slices.Equal(pi.Links, []process.PID{child}) || !pi.TrapExit || pi.Behaviour != "otptest.probe" {
		t.Errorf("Info(parent) = %+v; want Links [%v], TrapExit, behaviour otptest.probe", pi, child)
	}
	if mi, _ := n.Info(mon.PID()); !slices.Equal(mi.Monitors, []process.PID{child}) {
		t.Errorf("Info(monitor).Monitors = %v; want [%v]", mi.Monitors, child)
	}
	if !n.CancelTimer(tref) {
		t.Errorf("CancelTimer = false; want true")
	}

	close(gate)
	for i := range 3 {
		if m := <-got; m != i {
			t.Fatalf("child got %v; want %d", m, i)
		}
	}
	otptest.Eventually(t, timeout, func() bool {
		info, err := n.Info(child)
		return err == nil && info.Status == process.Waiting && info.MessagesHandled == 3 && info.MailboxLen == 0
	}, "child not waiting with 3 messages handled")

	_ = n.Exit(child, errBoom)
	var np *process.NoProcError
	if _, err := n.Info(child); !errors.As(err, &np) || np.PID != child {
		t.Errorf("Info(dead) = %v; want *NoProcError for %v", err, child)
	}
	if n.IsAlive(child) {
		t.Errorf("IsAlive(dead) = true")
	}
}

func equal(a, b any) bool {
	if as, ok := a.([]process.PID); ok {
		bs, _ := b.([]process.PID)
		return slices.Equal(as, bs)
	}
	return a == b
}

// reporter is a handler that, on "report", sends its own Info to to.
type reporter struct{ to process.PID }

func (r reporter) HandleMessage(p *process.Proc, m process.Msg) error {
	if m == "report" {
		info, err := p.Node().Info(p.PID())
		if err != nil {
			return err
		}
		return p.Send(r.to, info)
	}
	return nil
}

func TestInfoHandler(t *testing.T) {
	n := otptest.NewNode(t)
	pr := otptest.NewProbe(t, n)
	h, err := n.SpawnHandler(reporter{to: pr.PID()}, rt.Behaviour("reporter"))
	if err != nil {
		t.Fatalf("SpawnHandler = %v", err)
	}
	if info, _ := n.Info(h); info.Status != process.Waiting || info.MessagesHandled != 0 {
		t.Errorf("idle handler Info = %+v; want waiting, 0 handled", info)
	}
	for range 3 {
		_ = n.Send(h, "tick")
	}
	_ = n.Send(h, "report")
	info := pr.Expect(t, timeout).(process.Info)
	if info.MessagesHandled != 3 || info.Status != process.Running || info.Behaviour != "reporter" {
		t.Errorf("Info from inside = %+v; want 3 handled, running, behaviour reporter", info)
	}
}

func TestStatusString(t *testing.T) {
	for s, want := range map[process.Status]string{
		process.Waiting: "waiting", process.Runnable: "runnable", process.Running: "running",
		process.Exiting: "exiting", process.Status(42): "unknown",
	} {
		if got := s.String(); got != want {
			t.Errorf("Status(%d).String() = %q; want %q", int(s), got, want)
		}
	}
}

func TestSendToOtherNode(t *testing.T) {
	n1 := otptest.NewNode(t)
	n2 := otptest.NewNode(t)
	pr := otptest.NewProbe(t, n2)
	var wn *process.WrongNodeError
	err := n1.Send(pr.PID(), "hi")
	if !errors.As(err, &wn) || wn.PID != pr.PID() || wn.Node != n1.ID() {
		t.Fatalf("Send(pid of other node) = %v; want *WrongNodeError{%v, %d}", err, pr.PID(), n1.ID())
	}
	if errors.Is(err, process.ErrNodeStopped) {
		t.Errorf("WrongNodeError matches ErrNodeStopped while its node runs")
	}
	if _, err := n1.Info(pr.PID()); !errors.As(err, &wn) {
		t.Errorf("Info(pid of other node) = %v; want *WrongNodeError", err)
	}
	if err := n1.Exit(pr.PID(), process.Kill); !errors.As(err, &wn) {
		t.Errorf("Exit(pid of other node) = %v; want *WrongNodeError", err)
	}
	other := otptest.NewProbe(t, n1)
	if err := other.Link(pr.PID()); !errors.As(err, &wn) {
		t.Errorf("Link(pid of other node) = %v; want *WrongNodeError", err)
	}
	if err := n2.Stop(context.Background()); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	if err := n1.Send(pr.PID(), "hi"); !errors.Is(err, process.ErrNodeStopped) {
		t.Errorf("Send(pid of stopped node) = %v; want it to match ErrNodeStopped", err)
	}
}

func TestStopIdempotent(t *testing.T) {
	n := otptest.NewNode(t)
	pr := otptest.NewProbe(t, n)
	if err := n.Stop(context.Background()); err != nil {
		t.Fatalf("first Stop = %v; want nil", err)
	}
	for i := range 2 {
		if err := n.Stop(context.Background()); !errors.Is(err, process.ErrStopped) {
			t.Errorf("Stop #%d = %v; want ErrStopped", i+2, err)
		}
	}
	if !n.Stopped() {
		t.Errorf("Stopped() = false after Stop")
	}
	if _, err := n.Spawn(func(*process.Proc) error { return nil }); !errors.Is(err, process.ErrNodeStopped) {
		t.Errorf("Spawn on stopped node = %v; want ErrNodeStopped", err)
	}
	if _, err := n.SpawnHandler(reporter{}); !errors.Is(err, process.ErrNodeStopped) {
		t.Errorf("SpawnHandler on stopped node = %v; want ErrNodeStopped", err)
	}
	if err := n.Send(pr.PID(), "hi"); !errors.Is(err, process.ErrNodeStopped) {
		t.Errorf("Send on stopped node = %v; want ErrNodeStopped", err)
	}
	if st := n.Stats(); st != (process.Stats{DroppedMessages: st.DroppedMessages}) {
		t.Errorf("Stats after Stop = %+v; want all zero", st)
	}
}

// TestStopShutsDownTopDown: Stop signals only processes without a live
// parent; a child learns of the shutdown from its parent's exit.
func TestStopShutsDownTopDown(t *testing.T) {
	n := otptest.NewNode(t)
	root := otptest.NewProbe(t, n, process.TrapExits())
	from := make(chan process.Exit, 1)
	root.Do(func(p *process.Proc) {
		_, err := p.Spawn(func(p *process.Proc) error {
			m, err := p.Receive(p.Context())
			if err != nil {
				return err
			}
			from <- m.(process.Exit)
			return m.(process.Exit).Reason
		}, process.TrapExits(), process.Linked())
		if err != nil {
			t.Errorf("Spawn(Linked()) = %v", err)
		}
	})
	if err := n.Stop(context.Background()); err != nil {
		t.Fatalf("Stop = %v; want nil", err)
	}
	if x := <-from; x.From != root.PID() || !errors.Is(x.Reason, process.Shutdown) {
		t.Errorf("child got %+v; want Exit{From: %v (its parent), Reason: shutdown}", x, root.PID())
	}
}

func TestInvalidOptions(t *testing.T) {
	n := otptest.NewNode(t)
	nop := func(*process.Proc) error { return nil }
	tests := []struct {
		name string
		err  func() error
	}{
		{"NewNode(nil)", func() error { _, err := process.NewNode(nil); return err }},
		{"Config{ZombieGrace: -1}", func() error { _, err := process.NewNode(process.Config{ZombieGrace: -1}); return err }},
		{"Config{StopGrace: -1}", func() error { _, err := process.NewNode(process.Config{StopGrace: -1}); return err }},
		{"Config{MaxIdleWorkers: -1}", func() error { _, err := process.NewNode(process.Config{MaxIdleWorkers: -1}); return err }},
		{"WithEventHook(nil)", func() error { _, err := process.NewNode(rt.WithEventHook(nil)); return err }},
		{"NewNode(nil *Config)", func() error { _, err := process.NewNode((*process.Config)(nil)); return err }},
		{"Spawn(nil)", func() error { _, err := n.Spawn(nil); return err }},
		{"SpawnHandler(nil)", func() error { _, err := n.SpawnHandler(nil); return err }},
		{"Spawn(zero option)", func() error { _, err := n.Spawn(nop, process.SpawnOption{}); return err }},
		{"Node.Spawn(Linked())", func() error { _, err := n.Spawn(nop, process.Linked()); return err }},
		{"WithName(\"\")", func() error { _, err := n.Spawn(nop, process.WithName("")); return err }},
		{"WithMailbox(0)", func() error { _, err := n.Spawn(nop, process.WithMailbox(0, process.RejectWhenFull())); return err }},
		{"BlockWhenFull(0)", func() error { _, err := n.Spawn(nop, process.WithMailbox(1, process.BlockWhenFull(0))); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err()
			var ae *process.ArgumentError
			if !errors.Is(err, process.ErrInvalidOption) || !errors.Is(err, process.ErrInvalidArgument) || !errors.As(err, &ae) {
				t.Errorf("%s = %v; want an *ArgumentError matching ErrInvalidOption and ErrInvalidArgument", tc.name, err)
			}
		})
	}
	if got := len(n.Processes()); got != 0 {
		t.Errorf("%d processes after refused spawns; want 0", got)
	}
}

func TestReceiveInHandler(t *testing.T) {
	n := otptest.NewNode(t)
	pr := otptest.NewProbe(t, n)
	h, _ := n.SpawnHandler(handlerFunc(func(p *process.Proc, m process.Msg) error {
		_, err := p.Receive(context.Background())
		return p.Send(pr.PID(), err)
	}))
	_ = n.Send(h, "x")
	if err, _ := pr.Expect(t, timeout).(error); !errors.Is(err, process.ErrInvalidOption) {
		t.Errorf("Receive in a handler = %v; want ErrInvalidOption", err)
	}
}

type handlerFunc func(p *process.Proc, m process.Msg) error

func (f handlerFunc) HandleMessage(p *process.Proc, m process.Msg) error { return f(p, m) }

func TestSendInvalidPID(t *testing.T) {
	n := otptest.NewNode(t)
	if err := n.Send(process.PID{}, "x"); !errors.Is(err, process.ErrInvalidPID) {
		t.Errorf("Send(zero PID) = %v; want ErrInvalidPID", err)
	}
	if _, err := n.Info(process.PID{}); !errors.Is(err, process.ErrInvalidPID) {
		t.Errorf("Info(zero PID) = %v; want ErrInvalidPID", err)
	}
}

func TestSendToDeadIsDroppedAndCounted(t *testing.T) {
	n := otptest.NewNode(t)
	dead := deadPID(t, n)
	before := n.Stats().DroppedMessages
	for range 3 {
		if err := n.Send(dead, "x"); err != nil {
			t.Fatalf("Send(dead) = %v; want nil (dropped, as in Erlang)", err)
		}
	}
	if got := n.Stats().DroppedMessages - before; got != 3 {
		t.Errorf("DroppedMessages grew by %d; want 3", got)
	}
}

func TestContextCancelledOnKill(t *testing.T) {
	n := otptest.NewNode(t)
	type started struct {
		p   *process.Proc
		ctx context.Context
	}
	ch := make(chan started, 1)
	pid, _ := n.Spawn(func(p *process.Proc) error {
		ctx := p.Context()
		ch <- started{p, ctx}
		<-ctx.Done()
		return context.Cause(ctx)
	})
	s := <-ch
	if p, ok := process.FromContext(s.ctx); !ok || p != s.p || p.PID() != pid {
		t.Errorf("FromContext(p.Context()) = %v, %v; want the process %v", p, ok, pid)
	}
	derived, cancel := context.WithTimeout(s.ctx, time.Hour)
	defer cancel()
	if p, ok := process.FromContext(derived); !ok || p != s.p {
		t.Errorf("FromContext(derived) = %v, %v; want the process", p, ok)
	}
	if _, ok := process.FromContext(context.Background()); ok {
		t.Errorf("FromContext(Background) found a process")
	}
	//lint:ignore SA1012 nil is part of FromContext's contract
	if _, ok := process.FromContext(nil); ok {
		t.Errorf("FromContext(nil) found a process")
	}
	if s.ctx.Err() != nil || !s.p.Alive() || s.p.Reason() != nil {
		t.Fatalf("context done (%v) or process dead before the kill", s.ctx.Err())
	}
	_ = n.Exit(pid, process.Kill)
	<-s.ctx.Done() // cancelled the moment the process dies
	if cause := context.Cause(s.ctx); !errors.Is(cause, process.Killed) {
		t.Errorf("context.Cause = %v; want killed", cause)
	}
	if derived.Err() == nil || !errors.Is(context.Cause(derived), process.Killed) {
		t.Errorf("derived context: Err %v, Cause %v; want cancelled with killed", derived.Err(), context.Cause(derived))
	}
	if s.p.Alive() || !errors.Is(s.p.Reason(), process.Killed) {
		t.Errorf("Alive() = %v, Reason() = %v; want false, killed", s.p.Alive(), s.p.Reason())
	}
	<-s.p.Done()
}

func TestContextOfDeadProcess(t *testing.T) {
	n := otptest.NewNode(t)
	ch := make(chan *process.Proc, 1)
	pid, _ := n.Spawn(func(p *process.Proc) error {
		ch <- p
		return errBoom
	})
	p := <-ch
	monitorDeath(t, n, pid)() // Down means dead (with boom or, if too late, noproc)
	ctx := p.Context()
	if ctx.Err() == nil || !errors.Is(context.Cause(ctx), errBoom) {
		t.Errorf("Context() of a dead process: Err %v, Cause %v; want cancelled with boom", ctx.Err(), context.Cause(ctx))
	}
}

// panicky panics with v; its name must show in the PanicError's stack.
func panicky(v any) error { panic(v) }

func TestPanicBecomesReason(t *testing.T) {
	n := otptest.NewNode(t)
	fn, _ := n.Spawn(waitForGo(func() error { return panicky("kaboom") }))
	h, _ := n.SpawnHandler(handlerFunc(func(*process.Proc, process.Msg) error { return panicky(errBoom) }))
	fnReason := monitorDeath(t, n, fn)
	hReason := monitorDeath(t, n, h)
	_ = n.Send(fn, "go")
	_ = n.Send(h, "go")

	var pe *process.PanicError
	if r := fnReason(); !errors.As(r, &pe) || pe.Value != "kaboom" {
		t.Fatalf("Func panic reason = %v; want *PanicError{kaboom}", r)
	}
	if !strings.Contains(string(pe.Stack), "process_test.panicky") {
		t.Errorf("PanicError.Stack does not show the panicking function:\n%s", pe.Stack)
	}
	if got := process.FormatReason(pe); got != "{panic,kaboom}" {
		t.Errorf("FormatReason = %q; want {panic,kaboom}", got)
	}
	r := hReason()
	if !errors.As(r, &pe) || len(pe.Stack) == 0 {
		t.Fatalf("Handler panic reason = %v; want *PanicError with a stack", r)
	}
	if !errors.Is(r, errBoom) {
		t.Errorf("errors.Is(%v, errBoom) = false; PanicError should unwrap an error value", r)
	}
}

func TestReasonClassification(t *testing.T) {
	tests := []struct {
		reason error
		normal bool
		format string
	}{
		{nil, true, "normal"},
		{process.Normal, true, "normal"},
		{process.Shutdown, true, "shutdown"},
		{process.ShutdownWith("bye"), true, "{shutdown,bye}"},
		{process.Killed, false, "killed"},
		{process.Kill, false, "kill"},
		{process.NoProc, false, "noproc"},
		{errBoom, false, "boom"},
		{&process.PanicError{Value: 1}, false, "{panic,1}"},
	}
	for _, tc := range tests {
		if got := process.IsNormalOrShutdown(tc.reason); got != tc.normal {
			t.Errorf("IsNormalOrShutdown(%v) = %v; want %v", tc.reason, got, tc.normal)
		}
		if got := process.FormatReason(tc.reason); got != tc.format {
			t.Errorf("FormatReason(%v) = %q; want %q", tc.reason, got, tc.format)
		}
	}
}

// ignoreContext is process code that ignores its context: killed, it runs
// on as a zombie until release is closed.
func ignoreContext(started chan<- struct{}, release <-chan struct{}) {
	close(started)
	<-release
}

// TestZombie kills a process whose code ignores its context, either while
// it runs or before its goroutine even started (the zombie's stack must be
// found in both cases).
func TestZombie(t *testing.T) {
	for _, early := range []bool{false, true} {
		t.Run(map[bool]string{false: "running", true: "before_start"}[early], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { testZombie(t, early) })
		})
	}
}

func testZombie(t *testing.T, early bool) {
	zombies := make(chan process.ZombieInfo, 1)
	n := otptest.NewNode(t, process.Config{ZombieGrace: 100 * time.Millisecond},
		rt.WithEventHook(func(e rt.Event) {
			if z, ok := e.(rt.ZombieDetected); ok {
				zombies <- z.Zombie
			}
		}))
	started, release := make(chan struct{}), make(chan struct{})
	pid, _ := n.Spawn(func(*process.Proc) error {
		ignoreContext(started, release)
		return nil
	}, rt.Behaviour("stubborn"))
	if !early {
		<-started
	}
	killedAt := time.Now()
	_ = n.Exit(pid, process.Kill)
	if n.IsAlive(pid) {
		t.Errorf("IsAlive(killed zombie) = true; a killed process is dead for everyone at once")
	}
	<-started

	z := <-zombies
	if d := time.Since(killedAt); d != 100*time.Millisecond {
		t.Errorf("ZombieDetected after %v; want the 100ms grace", d)
	}
	if z.PID != pid || z.Behaviour != "stubborn" || !errors.Is(z.Reason, process.Killed) {
		t.Errorf("ZombieDetected = %+v; want PID %v, behaviour stubborn, reason killed", z, pid)
	}
	if !strings.Contains(z.Stack, "process_test.ignoreContext") {
		t.Errorf("zombie stack does not show ignoreContext:\n%s", z.Stack)
	}
	zs := n.Zombies()
	if len(zs) != 1 || zs[0].PID != pid || !strings.Contains(zs[0].Stack, "process_test.ignoreContext") {
		t.Errorf("Zombies() = %+v; want %v with its stack", zs, pid)
	}
	if st := n.Stats(); st.Zombies != 1 || st.Processes != 0 {
		t.Errorf("Stats = %+v; want 1 zombie, 0 processes", st)
	}

	close(release)
	synctest.Wait()
	if zs := n.Zombies(); len(zs) != 0 {
		t.Errorf("Zombies() = %+v after the goroutine returned; want none", zs)
	}
	if st := n.Stats(); st.Zombies != 0 {
		t.Errorf("Stats.Zombies = %d after release; want 0", st.Zombies)
	}
}

func TestKilledProcessThatReturnsIsNoZombie(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var events otptest.Trace
		n := otptest.NewNode(t, process.Config{ZombieGrace: time.Millisecond},
			rt.WithEventHook(func(e rt.Event) {
				if _, ok := e.(rt.ZombieDetected); ok {
					events.Add("zombie")
				}
			}))
		pr := otptest.NewProbe(t, n)
		_ = n.Exit(pr.PID(), process.Kill)
		<-pr.Done()
		time.Sleep(time.Second) // fake time: long past the grace
		if st := n.Stats(); st.Zombies != 0 || events.Len() != 0 {
			t.Errorf("Stats = %+v, events %q; want no zombie", st, events.Lines())
		}
	})
}

func TestSendAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := otptest.NewNode(t)
		pr := otptest.NewProbe(t, n)
		start := time.Now()
		if _, err := n.SendAfter(pr.PID(), "tick", time.Second); err != nil {
			t.Fatalf("SendAfter = %v", err)
		}
		if got := n.Stats().Timers; got != 1 {
			t.Errorf("Stats.Timers = %d; want 1", got)
		}
		if m := pr.Expect(t, timeout); m != "tick" {
			t.Errorf("got %v; want tick", m)
		}
		if d := time.Since(start); d != time.Second {
			t.Errorf("tick after %v; want 1s", d)
		}
		if got := n.Stats().Timers; got != 0 {
			t.Errorf("Stats.Timers = %d after firing; want 0", got)
		}

		// From inside a process, to another one.
		other := otptest.NewProbe(t, n)
		start = time.Now()
		pr.Do(func(p *process.Proc) {
			if _, err := p.SendAfter(other.PID(), "tock", 2*time.Second); err != nil {
				t.Errorf("Proc.SendAfter = %v", err)
			}
		})
		if m := other.Expect(t, timeout); m != "tock" || time.Since(start) != 2*time.Second {
			t.Errorf("got %v after %v; want tock after 2s", m, time.Since(start))
		}
	})
}

func TestCancelTimer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := otptest.NewNode(t)
		pr := otptest.NewProbe(t, n)
		ref, err := n.SendAfter(pr.PID(), "tick", time.Second)
		if err != nil || ref.IsZero() {
			t.Fatalf("SendAfter = %v, %v", ref, err)
		}
		if !n.CancelTimer(ref) {
			t.Errorf("CancelTimer = false for a pending timer")
		}
		if n.CancelTimer(ref) {
			t.Errorf("second CancelTimer = true")
		}
		pr.ExpectNone(t, 2*time.Second)
		if got := n.Stats().Timers; got != 0 {
			t.Errorf("Stats.Timers = %d; want 0", got)
		}

		// A fired timer cannot be cancelled; from inside a process.
		var fired process.TimerRef
		pr.Do(func(p *process.Proc) { fired, _ = p.SendAfter(p.PID(), "self", time.Millisecond) })
		if m := pr.Expect(t, timeout); m != "self" {
			t.Errorf("got %v; want self", m)
		}
		pr.Do(func(p *process.Proc) {
			if p.Node().CancelTimer(fired) {
				t.Errorf("CancelTimer(fired) = true")
			}
		})
		if n.CancelTimer(process.TimerRef{}) {
			t.Errorf("CancelTimer(zero) = true")
		}
	})
}

func TestTimersDieWithOwner(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := otptest.NewNode(t)
		owner := otptest.NewProbe(t, n)
		target := otptest.NewProbe(t, n)
		owner.Do(func(p *process.Proc) {
			for range 3 {
				_, _ = p.SendAfter(target.PID(), "late", time.Second)
			}
		})
		// A node timer belongs to its destination.
		ref, _ := n.SendAfter(owner.PID(), "late", time.Second)
		if got := n.Stats().Timers; got != 4 {
			t.Fatalf("Stats.Timers = %d; want 4", got)
		}
		_ = n.Exit(owner.PID(), process.Kill)
		if got := n.Stats().Timers; got != 0 {
			t.Errorf("Stats.Timers = %d after the owner died; want 0", got)
		}
		if n.CancelTimer(ref) {
			t.Errorf("CancelTimer of a dead owner's timer = true")
		}
		target.ExpectNone(t, 2*time.Second)
	})
}

func TestTimerToDeadTargetIsDropped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := otptest.NewNode(t)
		owner := otptest.NewProbe(t, n)
		target := otptest.NewProbe(t, n)
		owner.Do(func(p *process.Proc) { _, _ = p.SendAfter(target.PID(), "late", time.Second) })
		_ = n.Exit(target.PID(), process.Kill)
		before := n.Stats().DroppedMessages
		time.Sleep(2 * time.Second) // fake time: the timer fires
		synctest.Wait()
		if st := n.Stats(); st.Timers != 0 || st.DroppedMessages != before+1 {
			t.Errorf("Stats = %+v; want 0 timers and one more dropped message than %d", st, before)
		}
	})
}
