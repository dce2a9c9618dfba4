package otptest_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// fakeTB records failures and cleanups instead of acting on them, so the
// helpers' own failure paths can be tested.
type fakeTB struct {
	testing.TB // nil: calling anything not overridden panics

	mu       sync.Mutex // protects the fields below
	errs     []string
	fatal    bool
	cleanups []func()
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Error(args ...any) { f.Errorf("%s", fmt.Sprint(args...)) }

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	f.mu.Lock()
	f.fatal = true
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeTB) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

// run calls fn on its own goroutine, so a Fatalf ends only fn, and waits.
func (f *fakeTB) run(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
}

// finish runs the registered cleanups, last first.
func (f *fakeTB) finish() {
	f.mu.Lock()
	cs := f.cleanups
	f.cleanups = nil
	f.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
}

func (f *fakeTB) failures() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.errs, "\n")
}

// blockIgnoringContext is process code that ignores its context: killed,
// it stays a zombie until release is closed. It closes started first.
func blockIgnoringContext(started chan<- struct{}, release <-chan struct{}) process.Func {
	return func(p *process.Proc) error {
		close(started)
		<-release
		return nil
	}
}

func TestNewNodeCleanStop(t *testing.T) {
	f := &fakeTB{}
	n := otptest.NewNode(f)
	pr := otptest.NewProbe(f, n)
	if _, err := n.Spawn(func(p *process.Proc) error {
		_, err := p.Receive(p.Context())
		return err
	}); err != nil {
		t.Fatalf("Spawn = %v; want nil", err)
	}
	f.finish()
	if got := f.failures(); got != "" {
		t.Errorf("NewNode cleanup failed a clean test:\n%s", got)
	}
	if !n.Stopped() {
		t.Errorf("node not stopped by cleanup")
	}
	select {
	case <-pr.Done():
	default:
		t.Errorf("probe still running after its node stopped")
	}
}

func TestNewNodeReportsZombie(t *testing.T) {
	f := &fakeTB{}
	n := otptest.NewNode(f, process.Config{ZombieGrace: time.Millisecond})
	release := make(chan struct{})
	started := make(chan struct{})
	if _, err := n.Spawn(blockIgnoringContext(started, release)); err != nil {
		t.Fatalf("Spawn = %v; want nil", err)
	}
	<-started
	f.finish()
	close(release)
	got := f.failures()
	for _, want := range []string{"Stop: process: node stop incomplete", "zombies after stop", "blockIgnoringContext"} {
		if !strings.Contains(got, want) {
			t.Errorf("cleanup failures = %q; want them to contain %q", got, want)
		}
	}
	otptest.Eventually(t, 5*time.Second, func() bool { return len(n.Zombies()) == 0 }, "zombie still listed after release")
}

// TestNewNodeChecksNodeStoppedByTest: a test that stops its node itself
// is still checked by the cleanup, whose own Stop returns ErrStopped.
func TestNewNodeChecksNodeStoppedByTest(t *testing.T) {
	f := &fakeTB{}
	n := otptest.NewNode(f, process.Config{ZombieGrace: time.Millisecond})
	release := make(chan struct{})
	defer close(release)
	started := make(chan struct{})
	if _, err := n.Spawn(blockIgnoringContext(started, release)); err != nil {
		t.Fatalf("Spawn = %v; want nil", err)
	}
	<-started
	var se *process.StopError
	if err := n.Stop(context.Background()); !errors.As(err, &se) || len(se.Zombies) != 1 {
		t.Fatalf("Stop = %v; want a *StopError with 1 zombie", err)
	}
	f.finish()
	got := f.failures()
	if strings.Contains(got, "Stop:") {
		t.Errorf("cleanup reported the second Stop's ErrStopped: %q", got)
	}
	if !strings.Contains(got, "1 zombies after stop") {
		t.Errorf("cleanup failures = %q; want the zombie reported", got)
	}
}

func TestNewNodeInvalidOption(t *testing.T) {
	f := &fakeTB{}
	f.run(func() { otptest.NewNode(f, process.Config{ZombieGrace: -1}) })
	if !f.fatal || !strings.Contains(f.failures(), "NewNode: invalid argument Config.ZombieGrace") {
		t.Errorf("NewNode(Config{ZombieGrace: -1}): fatal=%v failures=%q; want a fatal invalid option", f.fatal, f.failures())
	}
}

func TestCheckStoppedTwice(t *testing.T) {
	n := otptest.NewNode(t)
	if !otptest.CheckStopped(t, n) {
		t.Errorf("CheckStopped = false on an empty node")
	}
	if err := n.Stop(context.Background()); !errors.Is(err, process.ErrStopped) {
		t.Errorf("Stop after CheckStopped = %v; want ErrStopped", err)
	}
}

var errBoom = errors.New("boom")

// crashOnGo is a child that waits for one message, then returns reason.
func crashOnGo(reason error) process.Func {
	return func(p *process.Proc) error {
		if _, err := p.Receive(p.Context()); err != nil {
			return err
		}
		return reason
	}
}

func TestProbeTrapsLinkedExit(t *testing.T) {
	n := otptest.NewNode(t)
	pr := otptest.NewProbe(t, n, process.TrapExits())
	child, _ := n.Spawn(crashOnGo(errBoom))
	if err := pr.Link(child); err != nil {
		t.Fatalf("Link(%v) = %v; want nil", child, err)
	}
	_ = n.Send(child, "go")
	ex := pr.ExpectExit(t, 5*time.Second)
	if ex.From != child || !errors.Is(ex.Reason, errBoom) {
		t.Errorf("Exit = %+v; want {From: %v, Reason: boom}", ex, child)
	}
}

func TestProbeMonitor(t *testing.T) {
	n := otptest.NewNode(t)
	pr := otptest.NewProbe(t, n)
	child, _ := n.Spawn(crashOnGo(errBoom))
	ref := pr.Monitor(child)
	_ = n.Send(child, "go")
	d := pr.ExpectDown(t, 5*time.Second)
	if d.Ref != ref || d.PID != child || !errors.Is(d.Reason, errBoom) {
		t.Errorf("Down = %+v; want {Ref: %v, PID: %v, Reason: boom}", d, ref, child)
	}
}

func TestProbeDiesWithLink(t *testing.T) {
	n := otptest.NewNode(t)
	pr := otptest.NewProbe(t, n)
	watcher := otptest.NewProbe(t, n)
	child, _ := n.Spawn(crashOnGo(errBoom))
	if err := pr.Link(child); err != nil {
		t.Fatalf("Link(%v) = %v; want nil", child, err)
	}
	ref := watcher.Monitor(pr.PID())
	_ = n.Send(child, "go")
	d := watcher.ExpectDown(t, 5*time.Second)
	if d.Ref != ref || !errors.Is(d.Reason, errBoom) {
		t.Errorf("probe Down = %+v; want reason boom", d)
	}
	<-pr.Done()
	f := &fakeTB{}
	f.run(func() { pr.Expect(f, time.Minute) })
	if !f.fatal || !strings.Contains(f.failures(), "probe is dead") {
		t.Errorf("Expect on a dead probe: fatal=%v failures=%q; want a fatal 'probe is dead'", f.fatal, f.failures())
	}
}

func TestProbeForwardsInOrder(t *testing.T) {
	n := otptest.NewNode(t)
	pr := otptest.NewProbe(t, n)
	echo := otptest.NewProbe(t, n)
	for i := range 10 {
		if err := echo.Send(pr.PID(), i); err != nil {
			t.Fatalf("Send = %v; want nil", err)
		}
	}
	for i := range 10 {
		if got := pr.Expect(t, 5*time.Second); got != i {
			t.Fatalf("message %d = %v; want %d", i, got, i)
		}
	}
	if pr.Len() != 0 {
		t.Errorf("Len = %d after draining; want 0", pr.Len())
	}
}

// TestProbeStopsWithNode: a trapping probe ends itself on the node's
// Shutdown instead of waiting to be killed after the stop grace.
func TestProbeStopsWithNode(t *testing.T) {
	exited := make(chan rt.Exited, 8)
	n := otptest.NewNode(t, rt.WithEventHook(func(e rt.Event) {
		if x, ok := e.(rt.Exited); ok {
			exited <- x
		}
	}))
	pr := otptest.NewProbe(t, n, process.TrapExits())
	if err := n.Stop(context.Background()); err != nil {
		t.Fatalf("Stop = %v; want nil", err)
	}
	x := <-exited
	if x.PID != pr.PID() || !errors.Is(x.Reason, process.Shutdown) {
		t.Errorf("Exited = %+v; want probe %v with reason shutdown", x, pr.PID())
	}
	ex := pr.ExpectExit(t, time.Second)
	if !ex.From.IsZero() || !errors.Is(ex.Reason, process.Shutdown) {
		t.Errorf("Exit = %+v; want {From: <nil>, Reason: shutdown}", ex)
	}
}

func TestProbeTrapExitAndDo(t *testing.T) {
	n := otptest.NewNode(t)
	pr := otptest.NewProbe(t, n)
	if old := pr.TrapExit(true); old {
		t.Errorf("TrapExit(true) = %v; want false", old)
	}
	var trapping bool
	pr.Do(func(p *process.Proc) {
		info, err := p.Node().Info(p.PID())
		trapping = err == nil && info.TrapExit
	})
	if !trapping {
		t.Errorf("Info.TrapExit = false after TrapExit(true)")
	}
	_ = n.Exit(pr.PID(), errBoom)
	if ex := pr.ExpectExit(t, 5*time.Second); !errors.Is(ex.Reason, errBoom) {
		t.Errorf("Exit = %+v; want reason boom", ex)
	}
	// Do still returns when fn ends the probe.
	pr.Do(func(p *process.Proc) { _ = p.Exit(p.PID(), process.Kill) })
	<-pr.Done()
}

func TestProbeExpectNone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := otptest.NewNode(t)
		pr := otptest.NewProbe(t, n)
		pr.ExpectNone(t, time.Second)

		_ = n.Send(pr.PID(), "late")
		f := &fakeTB{}
		pr.ExpectNone(f, time.Second)
		if !strings.Contains(f.failures(), "late") {
			t.Errorf("ExpectNone with a message queued: failures = %q; want it reported", f.failures())
		}
	})
}

func TestProbeExpectTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := otptest.NewNode(t)
		pr := otptest.NewProbe(t, n)
		f := &fakeTB{}
		start := time.Now()
		f.run(func() { pr.Expect(f, 3*time.Second) })
		if !f.fatal || !strings.Contains(f.failures(), "no message within 3s") {
			t.Errorf("Expect on a silent probe: fatal=%v failures=%q", f.fatal, f.failures())
		}
		if d := time.Since(start); d != 3*time.Second {
			t.Errorf("Expect waited %v; want 3s", d)
		}
	})
}

func TestTraceConcurrent(t *testing.T) {
	var tr otptest.Trace
	const writers, each = 8, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				tr.Addf("w%d:%d", w, i)
			}
		})
	}
	lines := tr.WaitN(t, writers*each, 10*time.Second)
	wg.Wait()
	if len(lines) != writers*each {
		t.Fatalf("WaitN returned %d lines; want %d", len(lines), writers*each)
	}
	next := make(map[string]int)
	for _, l := range lines {
		w, i, _ := strings.Cut(l, ":")
		if want := fmt.Sprint(next[w]); i != want {
			t.Fatalf("writer %s line %s; want %s (per-writer order lost)", w, i, want)
		}
		next[w]++
	}
}

func TestTraceWaitFor(t *testing.T) {
	var tr otptest.Trace
	go func() {
		tr.Add("one")
		tr.Add("two")
	}()
	tr.WaitFor(t, "two", 10*time.Second)
	tr.Equal(t, []string{"one", "two"})
	tr.Reset()
	if tr.Len() != 0 {
		t.Errorf("Len after Reset = %d; want 0", tr.Len())
	}
}

func TestTraceWaitTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var tr otptest.Trace
		tr.Add("only")
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		lines, err := tr.Wait(ctx, 2)
		if !errors.Is(err, context.DeadlineExceeded) || len(lines) != 1 {
			t.Errorf("Wait(2) = %q, %v; want [only], DeadlineExceeded", lines, err)
		}
		f := &fakeTB{}
		f.run(func() { tr.WaitFor(f, "never", time.Second) })
		if !f.fatal || !strings.Contains(f.failures(), `no line "never"`) {
			t.Errorf("WaitFor timeout: fatal=%v failures=%q", f.fatal, f.failures())
		}
	})
}

func TestTraceEqualShowsDiff(t *testing.T) {
	var tr otptest.Trace
	for _, l := range []string{"start a", "start b", "exit b killed", "stop a"} {
		tr.Add(l)
	}
	f := &fakeTB{}
	if tr.Equal(f, []string{"start a", "start b", "exit b normal", "stop a"}) {
		t.Errorf("Equal = true for different traces")
	}
	want := "otptest: trace mismatch (-want +got):\n" +
		"  start a\n  start b\n- exit b normal\n+ exit b killed\n  stop a\n"
	if got := f.failures(); got != want {
		t.Errorf("Equal failure =\n%s\nwant\n%s", got, want)
	}
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name      string
		want, got []string
		diff      string
	}{
		{name: "equal", want: []string{"a"}, got: []string{"a"}, diff: ""},
		{name: "both empty", diff: ""},
		{name: "missing", want: []string{"a", "b"}, got: []string{"a"}, diff: "  a\n- b\n"},
		{name: "extra", want: []string{"a"}, got: []string{"x", "a"}, diff: "+ x\n  a\n"},
		{name: "reordered", want: []string{"a", "b"}, got: []string{"b", "a"}, diff: "- a\n  b\n+ a\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := otptest.Diff(tc.want, tc.got); got != tc.diff {
				t.Errorf("Diff(%q, %q) = %q; want %q", tc.want, tc.got, got, tc.diff)
			}
		})
	}
}

func TestEventually(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if !otptest.Eventually(t, time.Second, func() bool { return time.Since(start) >= 100*time.Millisecond }) {
			t.Errorf("Eventually = false for a condition that becomes true")
		}
		f := &fakeTB{}
		start = time.Now()
		if otptest.Eventually(f, time.Second, func() bool { return false }, "waiting for %s", "godot") {
			t.Errorf("Eventually = true for a condition that never holds")
		}
		if d := time.Since(start); d != time.Second {
			t.Errorf("Eventually gave up after %v; want exactly 1s", d)
		}
		if want := "otptest: condition not met within 1s: waiting for godot"; f.failures() != want {
			t.Errorf("Eventually failure = %q; want %q", f.failures(), want)
		}
	})
}

// parkUntil is a goroutine body the leak tests leave running on purpose.
func parkUntil(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	<-stop
}

func TestVerifyNone(t *testing.T) {
	stop := make(chan struct{})
	done := make(chan struct{})
	go parkUntil(stop, done)
	defer func() {
		close(stop)
		<-done
	}()

	f := &fakeTB{}
	otptest.VerifyNone(f)
	if !strings.Contains(f.failures(), "otptest_test.parkUntil") {
		t.Errorf("VerifyNone with a leaked goroutine: failures = %q; want it listed", f.failures())
	}
	f = &fakeTB{}
	otptest.VerifyNone(f, goleak.IgnoreAnyFunction("github.com/seed-fe72f376/orchard/otptest_test.parkUntil"))
	if got := f.failures(); got != "" {
		t.Errorf("VerifyNone with the leak ignored: failures = %q; want none (options not passed on?)", got)
	}
}

// TestSpawnIdle: the process stays alive until killed, then dies with the
// kill's reason.
func TestSpawnIdle(t *testing.T) {
	n := otptest.NewNode(t)
	pid := otptest.SpawnIdle(t, n)
	tg, err := rt.LookupOn(n, pid)
	if err != nil {
		t.Fatalf("Lookup(idle) = %v; want it alive", err)
	}
	if err := n.Exit(pid, process.Kill); err != nil {
		t.Fatalf("Exit: %v", err)
	}
	<-tg.Done()
	if !errors.Is(tg.Reason(), process.Killed) {
		t.Errorf("reason = %v; want killed", tg.Reason())
	}
}
