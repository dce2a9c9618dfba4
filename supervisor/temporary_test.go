package supervisor_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// tempKind is what a child of a TemporaryStarter does in these tests.
type tempKind int

const (
	tempIdle     tempKind = iota // HandleStart returns; the process waits, idle, until signalled
	tempBlock                    // HandleStart blocks until the process dies
	tempNormal                   // HandleStart ends the process with reason normal
	tempFail                     // HandleStart ends the process with errTempFail
	tempPanic                    // HandleStart panics
	tempGated                    // HandleStart waits for gate, then ends normally
	tempSlowStop                 // traps exits; takes stopDelay to obey the shutdown signal
	tempStubborn                 // traps exits; ignores the shutdown signal until killed
)

var errTempFail = errors.New("temp failed")

// tempChild is a process.Handler and process.Starter for a
// TemporaryStarter. ran counts the HandleStart calls.
type tempChild struct {
	kind      tempKind
	ran       *atomic.Int32
	gate      chan struct{}
	stopDelay time.Duration
}

func (c *tempChild) HandleStart(p *process.Proc) error {
	if c.ran != nil {
		c.ran.Add(1)
	}
	switch c.kind {
	case tempBlock:
		<-p.Context().Done()
		return context.Cause(p.Context())
	case tempNormal:
		return process.Normal
	case tempFail:
		return errTempFail
	case tempPanic:
		panic("temp exploded")
	case tempGated:
		select {
		case <-c.gate:
			return process.Normal
		case <-p.Context().Done():
			return context.Cause(p.Context())
		}
	case tempSlowStop, tempStubborn:
		p.TrapExit(true)
	}
	return nil
}

// HandleMessage obeys an exit signal from the supervisor after stopDelay
// (tempSlowStop) or only when killed (tempStubborn); it ignores the rest.
func (c *tempChild) HandleMessage(p *process.Proc, msg process.Msg) error {
	x, ok := msg.(process.Exit)
	if !ok || x.From != p.Parent() {
		return nil
	}
	if c.kind == tempStubborn {
		<-p.Context().Done()
		return context.Cause(p.Context())
	}
	timer := time.NewTimer(c.stopDelay)
	defer timer.Stop()
	select {
	case <-timer.C:
		return x.Reason
	case <-p.Context().Done():
		return context.Cause(p.Context())
	}
}

// tempSpec is the TemporarySpec of most tests.
var tempSpec = supervisor.TemporarySpec{ID: "temp", Shutdown: supervisor.Shutdown(50 * time.Millisecond)}

// startTempSup starts a per-spec dynamic supervisor with opts (k.opts()
// when none) and a TemporaryStarter for spec on it.
func startTempSup(t *testing.T, k *kit, spec supervisor.TemporarySpec, opts ...supervisor.Option) (process.PID, *supervisor.TemporaryStarter) {
	t.Helper()
	if len(opts) == 0 {
		opts = k.opts()
	}
	sup, err := supervisor.StartDynamic(k.node, supervisor.DynamicSpec{Flags: supervisor.DefaultFlags()}, opts...)
	if err != nil {
		t.Fatalf("StartDynamic = %v", err)
	}
	st, err := supervisor.NewTemporaryStarter(context.Background(), k.node, sup, spec)
	if err != nil {
		t.Fatalf("NewTemporaryStarter = %v", err)
	}
	return sup, st
}

// startTemp starts h and returns the child's Target.
func startTemp(t *testing.T, k *kit, st *supervisor.TemporaryStarter, h process.Handler) rt.Target {
	t.Helper()
	pid, err := st.Start(h)
	if err != nil {
		t.Fatalf("Start = %v", err)
	}
	return lookupTarget(t, k, pid)
}

// lookupTarget returns pid's Target, or fails the test if pid is dead.
func lookupTarget(t *testing.T, k *kit, pid process.PID) rt.Target {
	t.Helper()
	tg, err := rt.LookupOn(k.node, pid)
	if err != nil {
		t.Fatalf("Lookup(%v) = %v; want the child alive", pid, err)
	}
	return tg
}

// awaitDeath waits until pid is dead (it may be dead already).
func awaitDeath(t *testing.T, k *kit, pid process.PID) {
	t.Helper()
	tg, err := rt.LookupOn(k.node, pid)
	if err != nil {
		return
	}
	select {
	case <-tg.Done():
	case <-time.After(waitTimeout):
		t.Fatalf("child %v still alive after %v", pid, waitTimeout)
	}
}

// awaitNoChildren waits until sup has no child left.
func awaitNoChildren(t *testing.T, sup process.PID) {
	t.Helper()
	otptest.Eventually(t, waitTimeout, func() bool {
		return counts(t, sup) == supervisor.Counts{}
	}, "supervisor %v still has children", sup)
}

// TestTemporaryStarterRefuses: only a per-spec dynamic supervisor without
// MaxChildren qualifies; an invalid spec is refused before any call; a
// dead supervisor is the call's error.
func TestTemporaryStarterRefuses(t *testing.T) {
	k := newKit(t)
	ctx := context.Background()
	static := k.start(supervisor.Spec{Flags: supervisor.DefaultFlags()})
	template, err := supervisor.StartDynamic(k.node, supervisor.DynamicSpec{Flags: supervisor.DefaultFlags(),
		Template: &supervisor.Template{Start: func(p *process.Proc, _ ...any) (process.PID, error) {
			return genserver.StartLink(p, idleServer{})
		}}}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	capped, err := supervisor.StartDynamic(k.node, supervisor.DynamicSpec{Flags: supervisor.DefaultFlags(), MaxChildren: 3}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	perSpec, err := supervisor.StartDynamic(k.node, supervisor.DynamicSpec{Flags: supervisor.DefaultFlags()}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	dead, err := supervisor.StartDynamic(k.node, supervisor.DynamicSpec{Flags: supervisor.DefaultFlags()}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if err := supervisor.Stop(dead, process.Shutdown, waitTimeout); err != nil {
		t.Fatal(err)
	}

	for name, sup := range map[string]process.PID{"static": static, "template": template, "max_children": capped} {
		st, err := supervisor.NewTemporaryStarter(ctx, k.node, sup, tempSpec)
		var se *supervisor.SpecError
		if st != nil || !errors.As(err, &se) || se.Field != "supervisor" || !errors.Is(err, supervisor.ErrInvalidSpec) {
			t.Errorf("%s: NewTemporaryStarter = %v, %v; want nil, *SpecError on field supervisor", name, st, err)
		}
	}
	if st, err := supervisor.NewTemporaryStarter(ctx, k.node, perSpec, tempSpec); st == nil || err != nil {
		t.Errorf("per-spec: NewTemporaryStarter = %v, %v; want a starter", st, err)
	}

	// Invalid specs are refused before any call: the dead supervisor
	// would otherwise answer with a CallError.
	for _, tc := range []struct {
		spec  supervisor.TemporarySpec
		field string
	}{
		{supervisor.TemporarySpec{Shutdown: supervisor.BrutalKill}, "ID"},
		{supervisor.TemporarySpec{ID: "t", Shutdown: supervisor.Infinity - 1}, "Shutdown"},
	} {
		st, err := supervisor.NewTemporaryStarter(ctx, k.node, dead, tc.spec)
		var se *supervisor.SpecError
		if st != nil || !errors.As(err, &se) || se.Field != tc.field {
			t.Errorf("NewTemporaryStarter(%+v) = %v, %v; want nil, *SpecError on field %s", tc.spec, st, err, tc.field)
		}
	}

	st, err := supervisor.NewTemporaryStarter(ctx, k.node, dead, tempSpec)
	var ce *genserver.CallError
	if st != nil || !errors.As(err, &ce) || ce.Reason != process.NoProc || ce.Dest != dead {
		t.Errorf("dead supervisor: NewTemporaryStarter = %v, %v; want nil, *genserver.CallError{%v, noproc}", st, err, dead)
	}
}

// TestTemporaryStartListedAtOnce: the supervisor lists and counts a child
// as soon as Start returns, without any wait: the next call from the same
// goroutine sees it.
func TestTemporaryStartListedAtOnce(t *testing.T) {
	k := newKit(t)
	sup, st := startTempSup(t, k, tempSpec)
	ctx := context.Background()
	var pids []process.PID
	for i := 1; i <= 100; i++ {
		pid, err := st.Start(&tempChild{kind: tempIdle})
		if err != nil {
			t.Fatalf("Start #%d = %v", i, err)
		}
		pids = append(pids, pid)
		if n := counts(t, sup); n != (supervisor.Counts{Specs: i, Active: i, Workers: i}) {
			t.Fatalf("after %d Starts: CountChildren = %+v; want %d active workers", i, n, i)
		}
		kids, err := supervisor.WhichChildren(ctx, sup)
		if err != nil {
			t.Fatal(err)
		}
		// A dynamic child's row has no ID (OTP's undefined); the spec's
		// ID shows in events and reports.
		want := supervisor.Child{PID: pid, Status: supervisor.Running, Type: supervisor.Worker}
		if len(kids) != i || !slices.Contains(kids, want) {
			t.Fatalf("after %d Starts: WhichChildren = %+v; want %d rows with %+v", i, kids, i, want)
		}
	}
	kids, _ := supervisor.WhichChildren(ctx, sup)
	got := make([]process.PID, len(kids))
	for i, c := range kids {
		got[i] = c.PID
	}
	if !slices.Equal(got, pids) {
		t.Errorf("WhichChildren pids = %v; want the started ones in PID order %v", got, pids)
	}
}

// TestTemporaryChildExits: a child that ends normally is forgotten
// quietly; one that fails or panics is reported as child_terminated and
// forgotten, never restarted.
func TestTemporaryChildExits(t *testing.T) {
	t.Run("normal", func(t *testing.T) {
		k := newKit(t)
		h := &reportHandler{tr: &k.trace}
		sup, st := startTempSup(t, k, tempSpec, supervisor.WithLogger(slog.New(h)), k.hook())
		gate := make(chan struct{})
		var ran atomic.Int32
		pid, err := st.Start(&tempChild{kind: tempGated, gate: gate, ran: &ran})
		if err != nil {
			t.Fatal(err)
		}
		if kids := children(t, sup); len(kids) != 1 || kids[""].PID != pid {
			t.Fatalf("WhichChildren = %+v; want the child %v", kids, pid)
		}
		close(gate)
		awaitDeath(t, k, pid)
		awaitNoChildren(t, sup)
		k.waitEvent("exit temp", 1)
		if r := h.all(); len(r) != 0 {
			t.Errorf("reports = %v; want none for a normal exit", r)
		}
		if n := ran.Load(); n != 1 {
			t.Errorf("HandleStart ran %d times; want 1", n)
		}
	})
	for _, tc := range []struct {
		kind   tempKind
		reason string
	}{
		{tempFail, errTempFail.Error()},
		{tempPanic, "{panic,temp exploded}"},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			k := newKit(t)
			h := &reportHandler{tr: &k.trace}
			sup, st := startTempSup(t, k, tempSpec, supervisor.WithName("temps"), supervisor.WithLogger(slog.New(h)), k.hook())
			var ran atomic.Int32
			pid, err := st.Start(&tempChild{kind: tc.kind, ran: &ran})
			if err != nil {
				t.Fatal(err)
			}
			k.waitTrace("report child_terminated", 1)
			r := h.all()[0]
			for key, v := range map[string]string{
				"supervisor": "temps", "errorContext": "child_terminated", "reason": tc.reason,
				"offender.id": "temp", "offender.pid": pid.String(), "offender.restart_type": "temporary",
				"offender.shutdown": "50", "offender.child_type": "worker",
			} {
				if r[key] != v {
					t.Errorf("report[%s] = %q; want %q (report %v)", key, r[key], v, r)
				}
			}
			awaitNoChildren(t, sup)
			if got, want := k.events.Lines(), []string{"started temp", "exit temp"}; !slices.Equal(got, want) {
				t.Errorf("events = %q; want %q (no restart)", got, want)
			}
			if n := ran.Load(); n != 1 {
				t.Errorf("HandleStart ran %d times; want 1 (no restart)", n)
			}
			if n := len(h.all()); n != 1 {
				t.Errorf("%d reports; want 1: %v", n, h.all())
			}
		})
	}
}

// TestTemporaryStop: stopping the supervisor stops every child still
// running, with reason shutdown, those started just before the stop
// included, and waits for them; a child that ignores the shutdown signal
// is killed after the spec's Shutdown.
func TestTemporaryStop(t *testing.T) {
	t.Run("waits_for_all", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			k := newKit(t)
			sup, st := startTempSup(t, k, tempSpec)
			var early []rt.Target
			for range 3 {
				early = append(early, startTemp(t, k, st, &tempChild{kind: tempBlock}))
			}
			if n := counts(t, sup).Active; n != 3 {
				t.Fatalf("active = %d; want 3", n)
			}
			synctest.Wait() // the early children run
			early = append(early, startTemp(t, k, st, &tempChild{kind: tempSlowStop, stopDelay: 10 * time.Millisecond}))
			synctest.Wait()
			// Started just before Stop, with no call in between: the
			// supervisor has not looked at them yet.
			var late []rt.Target
			for range 5 {
				late = append(late, startTemp(t, k, st, &tempChild{kind: tempIdle}))
			}
			if took := stopTimed(t, sup); took != 10*time.Millisecond {
				t.Errorf("Stop took %v; want 10ms (it waits for the slow child)", took)
			}
			for i, tg := range append(early, late...) {
				select {
				case <-tg.Done():
				default:
					t.Errorf("child #%d %v alive after Stop returned", i, tg.PID())
					continue
				}
				if r := tg.Reason(); r != process.Shutdown {
					t.Errorf("child #%d exit reason = %v; want shutdown", i, r)
				}
			}
			if n := count(k.events.Lines(), "started temp"); n != 9 {
				t.Errorf("%d ChildStarted events; want 9 (all adopted): %v", n, k.events.Lines())
			}
		})
	})
	t.Run("kills_stubborn", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			k := newKit(t)
			sup, st := startTempSup(t, k, tempSpec)
			stubborn := startTemp(t, k, st, &tempChild{kind: tempStubborn})
			polite := startTemp(t, k, st, &tempChild{kind: tempSlowStop})
			synctest.Wait() // both trap exits
			if took := stopTimed(t, sup); took != time.Duration(tempSpec.Shutdown) {
				t.Errorf("Stop took %v; want the %v Shutdown", took, time.Duration(tempSpec.Shutdown))
			}
			if r := stubborn.Reason(); r != process.Killed {
				t.Errorf("stubborn child exit = %v; want killed", r)
			}
			if r := polite.Reason(); r != process.Shutdown {
				t.Errorf("polite child exit = %v; want shutdown", r)
			}
		})
	})
}

// TestTemporaryStartAfterStop: Start on a stopped supervisor fails with a
// *process.NoProcError and the child never runs.
func TestTemporaryStartAfterStop(t *testing.T) {
	k := newKit(t)
	sup, st := startTempSup(t, k, tempSpec)
	if err := supervisor.Stop(sup, process.Shutdown, waitTimeout); err != nil {
		t.Fatal(err)
	}
	var ran atomic.Int32
	pid, err := st.Start(&tempChild{kind: tempIdle, ran: &ran})
	var np *process.NoProcError
	if !pid.IsZero() || !errors.As(err, &np) || np.PID != sup || !errors.Is(err, process.NoProc) {
		t.Errorf("Start = %v, %v; want zero, *process.NoProcError for %v", pid, err, sup)
	}
	otptest.CheckStopped(t, k.node) // whatever was spawned has run or died
	if n := ran.Load(); n != 0 {
		t.Errorf("HandleStart ran %d times; want 0", n)
	}
}

// TestTemporaryStartedEvent: an adopted child publishes ChildStarted, with
// the spec's ID and its PID, before the supervisor handles its exit.
func TestTemporaryStartedEvent(t *testing.T) {
	k := newKit(t)
	var mu sync.Mutex
	var got []supervisor.Event
	hook := supervisor.WithEventHook(func(e supervisor.Event) {
		mu.Lock()
		got = append(got, e)
		mu.Unlock()
	})
	sup, st := startTempSup(t, k, tempSpec, quiet, hook, k.hook())
	pid, err := st.Start(&tempChild{kind: tempFail})
	if err != nil {
		t.Fatal(err)
	}
	k.waitEvent("exit temp", 1)
	mu.Lock()
	defer mu.Unlock()
	want := []supervisor.Event{
		supervisor.ChildStarted{Supervisor: sup, ID: "temp", PID: pid},
		supervisor.ChildRestarting{Supervisor: sup, ID: "temp", PID: pid, Reason: errTempFail},
	}
	if !slices.Equal(got, want) {
		t.Errorf("events = %+v; want %+v", got, want)
	}
}

// TestTemporaryStartLinked: StartLinked also links the child to its
// caller before it runs, so the caller gets its exit; the supervisor
// still reports it. A nil owner is refused.
func TestTemporaryStartLinked(t *testing.T) {
	k := newKit(t)
	h := &reportHandler{tr: &k.trace}
	sup, st := startTempSup(t, k, tempSpec, supervisor.WithLogger(slog.New(h)), k.hook())
	var ran atomic.Int32
	if pid, err := st.StartLinked(&tempChild{kind: tempIdle, ran: &ran}, nil); !pid.IsZero() || !errors.Is(err, supervisor.ErrInvalidArgument) {
		t.Errorf("StartLinked(nil owner) = %v, %v; want zero, ErrInvalidArgument", pid, err)
	}
	owner := otptest.NewProbe(t, k.node)
	owner.TrapExit(true)
	var pid process.PID
	var err error
	owner.Do(func(p *process.Proc) { pid, err = st.StartLinked(&tempChild{kind: tempFail, ran: &ran}, p) })
	if err != nil {
		t.Fatalf("StartLinked = %v", err)
	}
	if x := owner.ExpectExit(t, waitTimeout); x.From != pid || x.Reason != errTempFail {
		t.Errorf("owner got %+v; want the exit of %v with %v", x, pid, errTempFail)
	}
	k.waitTrace("report child_terminated", 1)
	awaitNoChildren(t, sup)
	if n := ran.Load(); n != 1 {
		t.Errorf("HandleStart ran %d times; want 1 (not for the refused start)", n)
	}
}

// TestTemporaryConcurrentStarts: Starts from several goroutines, with
// WhichChildren calls in between, are all adopted and all forgotten when
// the children end.
func TestTemporaryConcurrentStarts(t *testing.T) {
	const goroutines, perGoroutine = 4, 500
	const total = goroutines * perGoroutine
	k := newKit(t)
	var started, exited atomic.Int32
	hook := supervisor.WithEventHook(func(e supervisor.Event) {
		switch e.(type) {
		case supervisor.ChildStarted:
			started.Add(1)
		case supervisor.ChildRestarting:
			exited.Add(1)
		}
	})
	sup, st := startTempSup(t, k, tempSpec, quiet, hook)
	var ran atomic.Int32
	pids := make([][]process.PID, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perGoroutine {
				kind := tempNormal
				if i%3 == 0 {
					kind = tempFail
				}
				pid, err := st.Start(&tempChild{kind: kind, ran: &ran})
				if err != nil {
					t.Errorf("Start = %v", err)
					return
				}
				pids[g] = append(pids[g], pid)
			}
		})
	}
	wg.Go(func() {
		for range 50 {
			kids, err := supervisor.WhichChildren(context.Background(), sup)
			if err != nil {
				t.Errorf("WhichChildren = %v", err)
				return
			}
			for _, c := range kids {
				if c.Status != supervisor.Running || c.PID.IsZero() || c.Type != supervisor.Worker {
					t.Errorf("WhichChildren row %+v; want a running worker", c)
				}
			}
			if len(kids) > total {
				t.Errorf("WhichChildren = %d rows; want at most %d", len(kids), total)
			}
		}
	})
	wg.Wait()
	for _, ps := range pids {
		for _, pid := range ps {
			awaitDeath(t, k, pid)
		}
	}
	awaitNoChildren(t, sup)
	if n := started.Load(); n != total {
		t.Errorf("ChildStarted events = %d; want %d", n, total)
	}
	if n := exited.Load(); n != total {
		t.Errorf("exits handled = %d; want %d", n, total)
	}
	if n := ran.Load(); n != total {
		t.Errorf("HandleStart ran %d times; want %d", n, total)
	}
}

// TestTemporaryStartRacesStop: a Start concurrent with the supervisor's
// stop either fails or gives a child that the stop ends; none outlives
// the supervisor, even when it stops with reason normal (which its link
// does not propagate).
func TestTemporaryStartRacesStop(t *testing.T) {
	for range 20 {
		k := newKit(t)
		sup, st := startTempSup(t, k, tempSpec)
		var pids []process.PID
		var wg sync.WaitGroup
		stopping := make(chan struct{})
		wg.Go(func() {
			for i := 0; ; i++ {
				if i == 50 {
					close(stopping)
				}
				pid, err := st.Start(&tempChild{kind: tempIdle})
				if err != nil {
					return
				}
				pids = append(pids, pid)
			}
		})
		<-stopping
		if err := supervisor.Stop(sup, process.Normal, waitTimeout); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		for _, pid := range pids {
			if tg, err := rt.LookupOn(k.node, pid); err == nil {
				select {
				case <-tg.Done():
				case <-time.After(time.Second):
					t.Fatalf("child %v of %d outlives its supervisor", pid, len(pids))
				}
			}
		}
	}
}

// exampleJob is the child of the TemporaryStarter example: it runs until
// it is stopped.
type exampleJob struct{}

func (exampleJob) HandleStart(*process.Proc) error                { return nil }
func (exampleJob) HandleMessage(*process.Proc, process.Msg) error { return nil }

// Children started by a TemporaryStarter are temporary children of a
// dynamic supervisor: counted at once, stopped with it.
func ExampleTemporaryStarter() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	ctx := context.Background()

	ids := make(chan string, 8)
	hook := supervisor.WithEventHook(func(e supervisor.Event) {
		if s, ok := e.(supervisor.ChildStarted); ok {
			ids <- s.ID
		}
	})
	sup, _ := supervisor.StartDynamic(node, supervisor.DynamicSpec{Flags: supervisor.DefaultFlags()}, hook)
	starter, err := supervisor.NewTemporaryStarter(ctx, node, sup, supervisor.TemporarySpec{ID: "job", Shutdown: supervisor.Shutdown(time.Second)})
	if err != nil {
		fmt.Println(err)
		return
	}
	var jobs []<-chan error
	for range 3 {
		pid, _ := starter.Start(exampleJob{})
		jobs = append(jobs, watch(node, pid))
	}
	n, _ := supervisor.CountChildren(ctx, sup) // no wait: the jobs are counted
	fmt.Println("active:", n.Active)
	for len(ids) > 0 { // published before CountChildren's answer
		fmt.Println("started:", <-ids)
	}

	_ = supervisor.Stop(sup, process.Shutdown, time.Second)
	for _, job := range jobs {
		fmt.Println("job stopped:", process.FormatReason(<-job))
	}
	_, err = starter.Start(exampleJob{})
	fmt.Println("start after stop:", errors.Is(err, process.NoProc))
	// Output:
	// active: 3
	// started: job
	// started: job
	// started: job
	// job stopped: shutdown
	// job stopped: shutdown
	// job stopped: shutdown
	// start after stop: true
}

// TestTemporaryOwnerKilledDuringStart: owners killed while they call
// StartLinked leave no child behind and none listed: a child killed
// before it ran (with or without its owner's link) was recorded before it
// could exit, so the supervisor forgets it when its exit comes.
func TestTemporaryOwnerKilledDuringStart(t *testing.T) {
	k := newKit(t)
	sup, st := startTempSup(t, k, tempSpec, quiet)
	const rounds = 2000
	var started atomic.Int32
	for range rounds {
		ready := make(chan struct{})
		owner, err := k.node.Spawn(func(p *process.Proc) error {
			close(ready)
			for {
				if _, err := st.StartLinked(&tempChild{kind: tempBlock}, p); err != nil {
					return err
				}
				started.Add(1)
			}
		})
		if err != nil {
			t.Fatalf("Spawn owner: %v", err)
		}
		<-ready
		_ = k.node.Exit(owner, process.Kill) // lands anywhere in a StartLinked
	}
	t.Logf("%d children started before their owners died", started.Load())
	awaitNoChildren(t, sup)
}
