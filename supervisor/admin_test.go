package supervisor_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// TestStartChild: OTP's start_child results.
func TestStartChild(t *testing.T) {
	k := newKit(t)
	sup := k.start(supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: k.specs("a")})
	ctx := context.Background()

	b, err := supervisor.StartChild(ctx, sup, k.spec("b", supervisor.Permanent))
	if err != nil || b.IsZero() || !k.node.IsAlive(b) {
		t.Fatalf("StartChild(b) = %v, %v; want a live pid", b, err)
	}
	var as *supervisor.AlreadyStartedError
	if _, err := supervisor.StartChild(ctx, sup, k.spec("b", supervisor.Permanent)); !errors.As(err, &as) || as.PID != b || as.ID != "b" {
		t.Errorf("StartChild(running b) = %v; want *AlreadyStartedError{b, %v}", err, b)
	}
	if err := supervisor.TerminateChild(ctx, sup, "b"); err != nil {
		t.Fatalf("TerminateChild(b) = %v", err)
	}
	if _, err := supervisor.StartChild(ctx, sup, k.spec("b", supervisor.Permanent)); !errors.Is(err, supervisor.ErrAlreadyPresent) {
		t.Errorf("StartChild(stopped b) = %v; want ErrAlreadyPresent", err)
	}
	var sc *supervisor.StartChildError
	_, err = supervisor.StartChild(ctx, sup, k.spec("bad", supervisor.Permanent, workerConf{failInit: flag(true)}))
	if !errors.As(err, &sc) || sc.ID != "bad" || !errors.Is(err, errInit) {
		t.Errorf("StartChild(failing) = %v; want *StartChildError for bad wrapping %v", err, errInit)
	}
	if _, err := supervisor.StartChild(ctx, sup, supervisor.ChildSpec{ID: "nostart"}); !errors.Is(err, supervisor.ErrInvalidSpec) {
		t.Errorf("StartChild(no Start) = %v; want ErrInvalidSpec", err)
	}
	if got := ids(t, sup); !slices.Equal(got, []string{"b", "a"}) {
		t.Errorf("WhichChildren ids = %v; want [b a] (failed starts are not kept)", got)
	}
}

// TestTerminateRestartDelete: terminate_child keeps the spec (except for
// temporary children); restart_child and delete_child work only on
// stopped children.
func TestTerminateRestartDelete(t *testing.T) {
	k := newKit(t)
	sup := k.start(supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: []supervisor.ChildSpec{
		k.spec("a", supervisor.Permanent), k.spec("tmp", supervisor.Temporary),
	}})
	ctx := context.Background()
	a := pidOf(t, sup, "a")

	if _, err := supervisor.RestartChild(ctx, sup, "a"); !errors.Is(err, supervisor.ErrRunning) {
		t.Errorf("RestartChild(running) = %v; want ErrRunning", err)
	}
	if err := supervisor.DeleteChild(ctx, sup, "a"); !errors.Is(err, supervisor.ErrRunning) {
		t.Errorf("DeleteChild(running) = %v; want ErrRunning", err)
	}
	for _, id := range []string{"nope"} {
		if err := supervisor.TerminateChild(ctx, sup, id); !errors.Is(err, supervisor.ErrNotFound) {
			t.Errorf("TerminateChild(%s) = %v; want ErrNotFound", id, err)
		}
		if _, err := supervisor.RestartChild(ctx, sup, id); !errors.Is(err, supervisor.ErrNotFound) {
			t.Errorf("RestartChild(%s) = %v; want ErrNotFound", id, err)
		}
		if err := supervisor.DeleteChild(ctx, sup, id); !errors.Is(err, supervisor.ErrNotFound) {
			t.Errorf("DeleteChild(%s) = %v; want ErrNotFound", id, err)
		}
	}

	if err := supervisor.TerminateChild(ctx, sup, "a"); err != nil {
		t.Fatalf("TerminateChild(a) = %v", err)
	}
	if k.node.IsAlive(a) {
		t.Errorf("a %v alive after TerminateChild", a)
	}
	if c := children(t, sup)["a"]; c.Status != supervisor.Stopped || !c.PID.IsZero() {
		t.Errorf("a = %+v; want its spec kept, stopped", c)
	}
	if err := supervisor.TerminateChild(ctx, sup, "a"); err != nil {
		t.Errorf("TerminateChild(stopped) = %v; want nil", err)
	}
	a2, err := supervisor.RestartChild(ctx, sup, "a")
	if err != nil || a2.IsZero() || a2 == a {
		t.Errorf("RestartChild(stopped) = %v, %v; want a new pid", a2, err)
	}

	if err := supervisor.TerminateChild(ctx, sup, "tmp"); err != nil {
		t.Fatalf("TerminateChild(tmp) = %v", err)
	}
	if _, err := supervisor.RestartChild(ctx, sup, "tmp"); !errors.Is(err, supervisor.ErrNotFound) {
		t.Errorf("RestartChild(terminated temporary) = %v; want ErrNotFound (spec deleted)", err)
	}

	if err := supervisor.TerminateChild(ctx, sup, "a"); err != nil {
		t.Fatal(err)
	}
	if err := supervisor.DeleteChild(ctx, sup, "a"); err != nil {
		t.Errorf("DeleteChild(stopped) = %v; want nil", err)
	}
	if got := ids(t, sup); len(got) != 0 {
		t.Errorf("WhichChildren ids = %v; want none", got)
	}
	// Terminating a child does not count as a restart or trigger one.
	if got := count(k.trace.Lines(), "start a"); got != 2 {
		t.Errorf("a started %d times; want 2 (boot, RestartChild)", got)
	}
}

// TestWhichAndCountChildren: which_children lists the most recently
// started child first; a child added again goes to the end of the start
// order. count_children counts specs, live children and types.
func TestWhichAndCountChildren(t *testing.T) {
	k := newKit(t)
	sub := supervisor.ChildSpec{ID: "sub", Type: supervisor.SupervisorChild, Start: func(p *process.Proc) (process.PID, error) {
		return supervisor.StartLink(p, supervisor.Spec{Flags: flags(supervisor.OneForOne)}, k.opts()...)
	}}
	sup := k.start(supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: []supervisor.ChildSpec{
		k.spec("a", supervisor.Permanent), sub, k.spec("c", supervisor.Permanent),
	}})
	ctx := context.Background()
	if got := ids(t, sup); !slices.Equal(got, []string{"c", "sub", "a"}) {
		t.Errorf("WhichChildren ids = %v; want [c sub a]", got)
	}
	if c := children(t, sup)["sub"]; c.Type != supervisor.SupervisorChild {
		t.Errorf("sub Type = %v; want supervisor", c.Type)
	}
	if _, err := supervisor.StartChild(ctx, sup, k.spec("d", supervisor.Permanent)); err != nil {
		t.Fatal(err)
	}
	if err := supervisor.TerminateChild(ctx, sup, "a"); err != nil {
		t.Fatal(err)
	}
	if err := supervisor.DeleteChild(ctx, sup, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := supervisor.StartChild(ctx, sup, k.spec("a", supervisor.Permanent)); err != nil {
		t.Fatal(err)
	}
	if err := supervisor.TerminateChild(ctx, sup, "c"); err != nil {
		t.Fatal(err)
	}
	if got := ids(t, sup); !slices.Equal(got, []string{"a", "d", "c", "sub"}) {
		t.Errorf("WhichChildren ids = %v; want [a d c sub]", got)
	}
	want := supervisor.Counts{Specs: 4, Active: 3, Supervisors: 1, Workers: 3}
	if got := counts(t, sup); got != want {
		t.Errorf("CountChildren = %+v; want %+v", got, want)
	}
}

// TestCallsOnStoppedSupervisor: every admin call on a supervisor that is
// gone fails at once with an error matching process.NoProc.
func TestCallsOnStoppedSupervisor(t *testing.T) {
	k := newKit(t)
	sup := k.start(supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: k.specs("a")})
	dyn, err := supervisor.StartDynamic(k.node, supervisor.DynamicSpec{Flags: flags(supervisor.OneForOne)}, k.opts()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, pid := range []process.PID{sup, dyn} {
		if err := supervisor.Stop(pid, process.Shutdown, waitTimeout); err != nil {
			t.Fatalf("Stop = %v", err)
		}
	}
	ctx := context.Background() // no deadline: the calls must not wait
	spec := k.spec("b", supervisor.Permanent)
	calls := map[string]func() error{
		"StartChild":         func() error { _, err := supervisor.StartChild(ctx, sup, spec); return err },
		"TerminateChild":     func() error { return supervisor.TerminateChild(ctx, sup, "a") },
		"RestartChild":       func() error { _, err := supervisor.RestartChild(ctx, sup, "a"); return err },
		"DeleteChild":        func() error { return supervisor.DeleteChild(ctx, sup, "a") },
		"WhichChildren":      func() error { _, err := supervisor.WhichChildren(ctx, sup); return err },
		"CountChildren":      func() error { _, err := supervisor.CountChildren(ctx, sup); return err },
		"StartDynamicChild":  func() error { _, err := supervisor.StartDynamicChild(ctx, dyn, spec); return err },
		"StartTemplateChild": func() error { _, err := supervisor.StartTemplateChild(ctx, dyn, 1); return err },
		"TerminateChildPID":  func() error { return supervisor.TerminateChildPID(ctx, dyn, sup) },
		"Stop":               func() error { return supervisor.Stop(sup, process.Shutdown, time.Hour) },
		"by unregistered name": func() error {
			_, err := supervisor.WhichChildren(ctx, k.node.Name("nobody"))
			return err
		},
	}
	for name, call := range calls {
		done := make(chan error, 1)
		go func() { done <- call() }()
		select {
		case err := <-done:
			if !errors.Is(err, process.NoProc) {
				t.Errorf("%s on a stopped supervisor = %v; want an error matching process.NoProc", name, err)
			}
		case <-time.After(waitTimeout):
			t.Fatalf("%s on a stopped supervisor hangs", name)
		}
	}
}

// TestName: a supervisor registered with WithName is reachable by name.
func TestName(t *testing.T) {
	k := newKit(t)
	_, err := supervisor.Start(k.node, supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: k.specs("a")},
		supervisor.WithName("root"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := supervisor.WhichChildren(context.Background(), k.node.Name("root")); err != nil || len(got) != 1 {
		t.Errorf("WhichChildren(by name) = %+v, %v; want one child", got, err)
	}
}

// TestInvalidSpec: bad input is an error matching ErrInvalidSpec, and
// nothing is started.
func TestInvalidSpec(t *testing.T) {
	start := func(*process.Proc) (process.PID, error) {
		panic("a start function of an invalid spec ran")
	}
	ok := supervisor.ChildSpec{ID: "a", Start: start}
	withChild := func(c supervisor.ChildSpec) supervisor.Spec {
		return supervisor.Spec{Flags: supervisor.DefaultFlags(), Children: []supervisor.ChildSpec{ok, c}}
	}
	tests := []struct {
		name string
		spec supervisor.Spec
	}{
		{"duplicate_id", withChild(ok)},
		{"missing_start", withChild(supervisor.ChildSpec{ID: "b"})},
		{"empty_id", withChild(supervisor.ChildSpec{Start: start})},
		{"unknown_restart", withChild(supervisor.ChildSpec{ID: "b", Start: start, Restart: 7})},
		{"unknown_type", withChild(supervisor.ChildSpec{ID: "b", Start: start, Type: 7})},
		{"bad_shutdown", withChild(supervisor.ChildSpec{ID: "b", Start: start, Shutdown: -3})},
		{"significant_permanent", supervisor.Spec{
			Flags:    supervisor.Flags{AutoShutdown: supervisor.AnySignificant},
			Children: []supervisor.ChildSpec{{ID: "b", Start: start, Significant: true}},
		}},
		{"significant_without_auto_shutdown", withChild(supervisor.ChildSpec{ID: "b", Start: start, Restart: supervisor.Transient, Significant: true})},
		{"negative_max_restarts", supervisor.Spec{Flags: supervisor.Flags{MaxRestarts: supervisor.NoRestarts - 1}}},
		{"negative_period", supervisor.Spec{Flags: supervisor.Flags{Period: -time.Second}}},
		{"unknown_strategy", supervisor.Spec{Flags: supervisor.Flags{Strategy: 9}}},
		{"unknown_auto_shutdown", supervisor.Spec{Flags: supervisor.Flags{AutoShutdown: 9}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := newKit(t)
			if _, err := supervisor.Start(k.node, tc.spec, quiet); !errors.Is(err, supervisor.ErrInvalidSpec) || !errors.Is(err, supervisor.ErrInvalidArgument) {
				t.Errorf("Start = %v; want ErrInvalidSpec and ErrInvalidArgument", err)
			}
			if n := k.node.Stats().Processes; n != 0 {
				t.Errorf("Stats.Processes = %d; want nothing started", n)
			}
		})
	}
	dynTests := []struct {
		name string
		spec supervisor.DynamicSpec
	}{
		{"one_for_all", supervisor.DynamicSpec{Flags: supervisor.Flags{Strategy: supervisor.OneForAll}}},
		{"negative_max_children", supervisor.DynamicSpec{MaxChildren: -1}},
		{"template_without_start", supervisor.DynamicSpec{Template: &supervisor.Template{}}},
		{"template_significant_permanent", supervisor.DynamicSpec{
			Flags:    supervisor.Flags{AutoShutdown: supervisor.AnySignificant},
			Template: &supervisor.Template{Start: func(*process.Proc, ...any) (process.PID, error) { return process.PID{}, nil }, Significant: true},
		}},
		{"negative_max_restarts", supervisor.DynamicSpec{Flags: supervisor.Flags{MaxRestarts: supervisor.NoRestarts - 1}}},
	}
	for _, tc := range dynTests {
		t.Run("dynamic/"+tc.name, func(t *testing.T) {
			k := newKit(t)
			if _, err := supervisor.StartDynamic(k.node, tc.spec, quiet); !errors.Is(err, supervisor.ErrInvalidSpec) {
				t.Errorf("StartDynamic = %v; want ErrInvalidSpec", err)
			}
			if n := k.node.Stats().Processes; n != 0 {
				t.Errorf("Stats.Processes = %d; want nothing started", n)
			}
		})
	}
}

// TestTerminateChildJustDied: a child that died while the supervisor was
// busy, before its TerminateChild was served, is reported with its real
// exit reason (OTP's unlink_flush), not noproc, and is not restarted.
func TestTerminateChildJustDied(t *testing.T) {
	k := newKit(t)
	terminated := make(chan error, 4)
	busy, release := make(chan struct{}), make(chan struct{})
	sup, err := supervisor.Start(k.node, supervisor.Spec{Flags: flags(supervisor.OneForOne), Children: k.specs("a")},
		quiet, supervisor.WithEventHook(func(e supervisor.Event) {
			if e, ok := e.(supervisor.ChildTerminated); ok && e.ID == "a" {
				terminated <- e.Reason
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	a := pidOf(t, sup, "a")
	ctx := context.Background()
	blocker := supervisor.ChildSpec{ID: "blocker", Start: func(*process.Proc) (process.PID, error) {
		close(busy)
		<-release // the supervisor is busy until released
		return process.PID{}, process.ErrIgnored
	}}
	started := make(chan error, 1)
	go func() { _, err := supervisor.StartChild(ctx, sup, blocker); started <- err }()
	<-busy
	// MailboxLen may still count the StartChild call being handled:
	// take it as the baseline, then wait for one more message.
	base, err := k.node.Info(sup)
	if err != nil {
		t.Fatal(err)
	}
	result := make(chan error, 1)
	go func() { result <- supervisor.TerminateChild(ctx, sup, "a") }()
	otptest.Eventually(t, waitTimeout, func() bool {
		info, err := k.node.Info(sup)
		return err == nil && info.MailboxLen == base.MailboxLen+1 // the TerminateChild call
	}, "TerminateChild queued")
	target, err := rt.Lookup(a)
	if err != nil {
		t.Fatal(err)
	}
	crash(a) // its Exit is queued behind the TerminateChild call
	<-target.Done()
	close(release)
	if err := <-started; err != nil {
		t.Fatalf("StartChild(blocker) = %v", err)
	}
	if err := <-result; err != nil {
		t.Fatalf("TerminateChild = %v; want nil", err)
	}
	if r := <-terminated; !errors.Is(r, errBoom) {
		t.Errorf("ChildTerminated reason = %v; want the child's own exit reason %v", r, errBoom)
	}
	if c := children(t, sup)["a"]; c.Status != supervisor.Stopped {
		t.Errorf("a = %+v; want stopped, not restarted", c)
	}
}
