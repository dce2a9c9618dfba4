package app_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/app"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

var (
	errBoom = errors.New("boom")
	discard = slog.New(slog.DiscardHandler)
)

type crash struct{}

// worker traces its start and stop. It traps exits so that Terminate runs
// when its supervisor stops it.
type worker struct {
	name       string
	tr         *otptest.Trace
	crashAfter time.Duration   // > 0: crash that long after Init
	hang       <-chan struct{} // non-nil: Terminate blocks until closed
	failInit   bool
}

func (w *worker) Init(s *genserver.Self) error {
	if w.failInit {
		return errBoom
	}
	s.TrapExit(true)
	w.tr.Add("start " + w.name)
	if w.crashAfter > 0 {
		if _, err := s.SendAfter(s.PID(), crash{}, w.crashAfter); err != nil {
			return err
		}
	}
	return nil
}

func (w *worker) HandleInfo(_ *genserver.Self, msg any) error {
	if _, ok := msg.(crash); ok {
		return errBoom
	}
	return nil
}

func (w *worker) Terminate(_ *genserver.Self, reason error) {
	if w.hang != nil {
		<-w.hang
	}
	w.tr.Addf("stop %s %s", w.name, process.FormatReason(reason))
}

// tree is a part whose supervisor runs one worker w. The supervisor gives
// up at the first crash.
func tree(w *worker, shutdown supervisor.Shutdown) app.Part {
	return app.Part{
		Name: w.name,
		Tree: supervisor.Spec{
			Flags: supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: supervisor.NoRestarts},
			Children: []supervisor.ChildSpec{{
				ID:       w.name,
				Shutdown: shutdown,
				Start:    func(p *process.Proc) (process.PID, error) { return genserver.StartLink(p, w) },
			}},
		},
		TreeOptions: []supervisor.Option{supervisor.WithLogger(discard)},
	}
}

// stops records the stop hook's calls.
type stops struct {
	mu    sync.Mutex // protects the fields below
	lines []string
}

func (s *stops) hook(part string, _ time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.lines = append(s.lines, part+": "+err.Error())
		return
	}
	s.lines = append(s.lines, part)
}

func (s *stops) get() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.lines)
}

func newApp(t *testing.T, node *process.Node, parts []app.Part, opts ...app.Option) *app.App {
	t.Helper()
	a, err := app.New(node, app.Spec{Name: "shop", Parts: parts}, append([]app.Option{app.WithLogger(discard)}, opts...)...)
	if err != nil {
		t.Fatalf("New = %v; want nil", err)
	}
	return a
}

func parts(tr *otptest.Trace, names ...string) []app.Part {
	var ps []app.Part
	for _, n := range names {
		ps = append(ps, tree(&worker{name: n, tr: tr}, 0))
	}
	return ps
}

func TestStartOrderStopReverse(t *testing.T) {
	node := otptest.NewNode(t)
	var tr otptest.Trace
	var st stops
	a := newApp(t, node, parts(&tr, "storage", "cache", "web"), app.WithStopHook(st.hook))
	hooked := false
	if err := a.RegisterOnStop(func() { hooked = true; tr.Add("on stop") }); err != nil {
		t.Fatalf("RegisterOnStop = %v; want nil", err)
	}
	ctx := context.Background()
	if err := a.Start(ctx); err != nil {
		t.Fatalf("Start = %v; want nil", err)
	}
	tr.Equal(t, []string{"start storage", "start cache", "start web"})
	for _, p := range []string{"storage", "cache", "web"} {
		if pid, ok := a.PID(p); !ok || !node.IsAlive(pid) {
			t.Errorf("PID(%q) = %v, %v; want a live root", p, pid, ok)
		}
	}
	if err := a.Stop(ctx); err != nil {
		t.Fatalf("Stop = %v; want nil", err)
	}
	tr.Equal(t, []string{
		"start storage", "start cache", "start web",
		"stop web shutdown", "stop cache shutdown", "stop storage shutdown",
		"on stop",
	})
	if got, want := st.get(), []string{"web", "cache", "storage"}; !slices.Equal(got, want) {
		t.Errorf("stop hook calls = %q; want %q", got, want)
	}
	if !hooked {
		t.Errorf("OnStop hook did not run")
	}
	for _, p := range []string{"storage", "cache", "web"} {
		if pid, _ := a.PID(p); node.IsAlive(pid) {
			t.Errorf("root %q %v alive after Stop", p, pid)
		}
	}
}

func TestStartFailureStopsStartedPartsInReverse(t *testing.T) {
	node := otptest.NewNode(t)
	var tr otptest.Trace
	var st stops
	ps := parts(&tr, "storage", "cache")
	ps = append(ps, tree(&worker{name: "web", tr: &tr, failInit: true}, 0))
	ps = append(ps, parts(&tr, "admin")...)
	a := newApp(t, node, ps, app.WithStopHook(st.hook))
	hooked := false
	if err := a.RegisterOnStop(func() { hooked = true }); err != nil {
		t.Fatalf("RegisterOnStop = %v; want nil", err)
	}

	err := a.Start(context.Background())
	var se *app.StartError
	if !errors.As(err, &se) || se.Part != "web" || se.App != "shop" {
		t.Fatalf("Start = %v; want a *StartError for part web", err)
	}
	if sc, ok := supervisor.BootError(se.Err); !ok || sc.ID != "web" || !errors.Is(sc.Reason, errBoom) {
		t.Errorf("StartError.Err = %v; want the boot error of child web with boom", se.Err)
	}
	if se.Rollback != nil {
		t.Errorf("StartError.Rollback = %v; want nil", se.Rollback)
	}
	tr.Equal(t, []string{"start storage", "start cache", "stop cache shutdown", "stop storage shutdown"})
	if got, want := st.get(), []string{"cache", "storage"}; !slices.Equal(got, want) {
		t.Errorf("stop hook calls = %q; want %q", got, want)
	}
	if !hooked {
		t.Errorf("OnStop hook did not run after a failed start")
	}
	if code := app.ExitCode(err); code != app.ExitStartFailure {
		t.Errorf("ExitCode(%v) = %d; want %d", err, code, app.ExitStartFailure)
	}
	if err := a.Stop(context.Background()); !errors.Is(err, app.ErrStopped) {
		t.Errorf("Stop after failed Start = %v; want ErrStopped", err)
	}
	if err := a.Start(context.Background()); !errors.Is(err, app.ErrStopped) {
		t.Errorf("Start after failed Start = %v; want ErrStopped", err)
	}
}

func TestStartFunctionParts(t *testing.T) {
	lone := func(tr *otptest.Trace) app.StartFunc {
		return func(node *process.Node) (process.PID, error) {
			return genserver.Start(node, &worker{name: "lone", tr: tr})
		}
	}
	tests := []struct {
		name    string
		start   func(*otptest.Trace) app.StartFunc
		wantErr func(error) bool
	}{
		{"server", lone, nil},
		{"error", func(*otptest.Trace) app.StartFunc {
			return func(*process.Node) (process.PID, error) { return process.PID{}, errBoom }
		}, func(err error) bool { return errors.Is(err, errBoom) }},
		{"no process", func(*otptest.Trace) app.StartFunc {
			return func(*process.Node) (process.PID, error) { return process.PID{}, nil }
		}, func(err error) bool { return errors.Is(err, app.ErrNoProcess) }},
		{"panic", func(*otptest.Trace) app.StartFunc {
			return func(*process.Node) (process.PID, error) { panic("bad start") }
		}, func(err error) bool {
			var pe *process.PanicError
			return errors.As(err, &pe) && pe.Value == "bad start"
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			node := otptest.NewNode(t)
			var tr otptest.Trace
			ps := append(parts(&tr, "first"), app.Part{Name: "svc", Start: tc.start(&tr)})
			a := newApp(t, node, ps)
			err := a.Start(context.Background())
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("Start = %v; want nil", err)
				}
				if err := a.Stop(context.Background()); err != nil {
					t.Fatalf("Stop = %v; want nil", err)
				}
				tr.Equal(t, []string{"start first", "start lone", "stop lone shutdown", "stop first shutdown"})
				return
			}
			var se *app.StartError
			if !errors.As(err, &se) || se.Part != "svc" || !tc.wantErr(err) {
				t.Fatalf("Start = %v; want a *StartError for svc matching the case", err)
			}
			tr.Equal(t, []string{"start first", "stop first shutdown"})
		})
	}
}

func TestStartContextDone(t *testing.T) {
	node := otptest.NewNode(t)
	var tr otptest.Trace
	a := newApp(t, node, parts(&tr, "storage"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := a.Start(ctx)
	var se *app.StartError
	if !errors.As(err, &se) || se.Part != "storage" || !errors.Is(err, context.Canceled) {
		t.Fatalf("Start(cancelled ctx) = %v; want a *StartError for storage wrapping context.Canceled", err)
	}
	tr.Equal(t, nil)
}

func TestStopIdempotent(t *testing.T) {
	node := otptest.NewNode(t)
	var tr otptest.Trace
	a := newApp(t, node, parts(&tr, "storage"))
	ctx := context.Background()
	if err := a.Start(ctx); err != nil {
		t.Fatalf("Start = %v; want nil", err)
	}
	if err := a.Start(ctx); !errors.Is(err, app.ErrAlreadyStarted) {
		t.Errorf("second Start = %v; want ErrAlreadyStarted", err)
	}
	hooks := 0
	if err := a.RegisterOnStop(func() { hooks++ }); err != nil {
		t.Fatalf("RegisterOnStop = %v; want nil", err)
	}
	if err := a.Stop(ctx); err != nil {
		t.Fatalf("Stop = %v; want nil", err)
	}
	for i := range 2 {
		if err := a.Stop(ctx); !errors.Is(err, app.ErrStopped) {
			t.Errorf("Stop #%d = %v; want ErrStopped", i+2, err)
		}
	}
	if hooks != 1 {
		t.Errorf("OnStop hook ran %d times; want 1", hooks)
	}
	if err := a.Start(ctx); !errors.Is(err, app.ErrStopped) {
		t.Errorf("Start after Stop = %v; want ErrStopped", err)
	}
	if err := a.Run(ctx); !errors.Is(err, app.ErrStopped) {
		t.Errorf("Run after Stop = %v; want ErrStopped", err)
	}
	tr.Equal(t, []string{"start storage", "stop storage shutdown"})
}

func TestStopBeforeStart(t *testing.T) {
	node := otptest.NewNode(t)
	var tr otptest.Trace
	a := newApp(t, node, parts(&tr, "storage"))
	if err := a.Stop(context.Background()); err != nil {
		t.Fatalf("Stop before Start = %v; want nil", err)
	}
	if err := a.Start(context.Background()); !errors.Is(err, app.ErrStopped) {
		t.Errorf("Start after Stop = %v; want ErrStopped", err)
	}
	tr.Equal(t, nil)
}

func TestStopPartAlreadyExited(t *testing.T) {
	node := otptest.NewNode(t)
	var tr otptest.Trace
	var st stops
	a := newApp(t, node, parts(&tr, "storage", "web"), app.WithStopHook(st.hook))
	if err := a.Start(context.Background()); err != nil {
		t.Fatalf("Start = %v; want nil", err)
	}
	web, _ := a.PID("web")
	if err := supervisor.Stop(web, process.Shutdown, time.Minute); err != nil {
		t.Fatalf("supervisor.Stop(web) = %v; want nil", err)
	}
	if err := a.Stop(context.Background()); err != nil {
		t.Fatalf("Stop = %v; want nil (an exited part counts as stopped)", err)
	}
	if got, want := st.get(), []string{"web", "storage"}; !slices.Equal(got, want) {
		t.Errorf("stop hook calls = %q; want %q", got, want)
	}
}

func TestStopLogsEachStep(t *testing.T) {
	node := otptest.NewNode(t)
	var tr otptest.Trace
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	a := newApp(t, node, parts(&tr, "storage", "web"), app.WithLogger(logger))
	if err := a.Start(context.Background()); err != nil {
		t.Fatalf("Start = %v; want nil", err)
	}
	if err := a.Stop(context.Background()); err != nil {
		t.Fatalf("Stop = %v; want nil", err)
	}
	var stopped []string
	for line := range strings.Lines(buf.String()) {
		if strings.Contains(line, `msg="app: part stopped"`) {
			if !strings.Contains(line, "application=shop") || !strings.Contains(line, " took=") {
				t.Errorf("log line %q lacks application or took", line)
			}
			_, rest, _ := strings.Cut(line, " part=")
			name, _, _ := strings.Cut(rest, " ")
			stopped = append(stopped, name)
		}
	}
	if want := []string{"web", "storage"}; !slices.Equal(stopped, want) {
		t.Errorf("logged stops = %q; want %q\nlog:\n%s", stopped, want, buf.String())
	}
}

func TestKill(t *testing.T) {
	node := otptest.NewNode(t)
	var tr otptest.Trace
	a := newApp(t, node, parts(&tr, "storage", "web"))
	if err := a.Start(context.Background()); err != nil {
		t.Fatalf("Start = %v; want nil", err)
	}
	a.Kill()
	a.Kill()
	for _, p := range []string{"storage", "web"} {
		if pid, _ := a.PID(p); node.IsAlive(pid) {
			t.Errorf("root %q %v alive after Kill", p, pid)
		}
	}
	if err := a.Stop(context.Background()); !errors.Is(err, app.ErrStopped) {
		t.Errorf("Stop after Kill = %v; want ErrStopped", err)
	}
}

func TestRunContextCancelled(t *testing.T) {
	node := otptest.NewNode(t)
	var tr otptest.Trace
	a := newApp(t, node, parts(&tr, "storage", "web"), app.WithSignals(make(chan os.Signal)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.Run(ctx); err != nil {
		t.Fatalf("Run(cancelled ctx) = %v; want nil", err)
	}
	tr.Equal(t, []string{"start storage", "start web", "stop web shutdown", "stop storage shutdown"})
}

func TestRunSignal(t *testing.T) {
	node := otptest.NewNode(t)
	var tr otptest.Trace
	var buf bytes.Buffer
	sigs := make(chan os.Signal, 1)
	sigs <- syscall.SIGTERM
	a := newApp(t, node, parts(&tr, "storage", "web"), app.WithSignals(sigs),
		app.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	err := a.Run(context.Background())
	if err != nil {
		t.Fatalf("Run after SIGTERM = %v; want nil", err)
	}
	if code := app.ExitCode(err); code != 0 {
		t.Errorf("ExitCode = %d; want 0", code)
	}
	tr.Equal(t, []string{"start storage", "start web", "stop web shutdown", "stop storage shutdown"})
	if !strings.Contains(buf.String(), "signal=terminated") {
		t.Errorf("log does not name the signal:\n%s", buf.String())
	}
}

func TestRunRootGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		var tr otptest.Trace
		var st stops
		ps := append(parts(&tr, "storage"), tree(&worker{name: "pipeline", tr: &tr, crashAfter: time.Second}, 0))
		ps = append(ps, parts(&tr, "web")...)
		a := newApp(t, node, ps, app.WithSignals(make(chan os.Signal)), app.WithStopHook(st.hook))
		t0 := time.Now()
		err := a.Run(context.Background())
		if took := time.Since(t0); took != time.Second {
			t.Errorf("Run took %v; want 1s (the crash)", took)
		}
		var ee *app.ExitError
		if !errors.As(err, &ee) || ee.Part != "pipeline" || ee.App != "shop" {
			t.Fatalf("Run = %v; want an *ExitError for pipeline", err)
		}
		if pid, _ := a.PID("pipeline"); ee.PID != pid || !errors.Is(err, process.Shutdown) {
			t.Errorf("ExitError = %+v; want PID %v and reason shutdown (a supervisor that gave up)", ee, pid)
		}
		if code := app.ExitCode(err); code != app.ExitFailure {
			t.Errorf("ExitCode(%v) = %d; want %d", err, code, app.ExitFailure)
		}
		tr.Equal(t, []string{
			"start storage", "start pipeline", "start web",
			"stop pipeline boom",
			"stop web shutdown", "stop storage shutdown",
		})
		if got, want := st.get(), []string{"web", "pipeline", "storage"}; !slices.Equal(got, want) {
			t.Errorf("stop hook calls = %q; want %q", got, want)
		}
	})
}

func TestRunBoundedShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		var tr otptest.Trace
		var st stops
		hang := make(chan struct{})
		defer close(hang) // let the hung worker finish before the node stops
		ps := append(parts(&tr, "storage"), tree(&worker{name: "stuck", tr: &tr, hang: hang}, supervisor.Infinity))
		sigs := make(chan os.Signal, 1)
		sigs <- syscall.SIGTERM
		a := newApp(t, node, ps, app.WithSignals(sigs), app.WithShutdownTimeout(2*time.Second), app.WithStopHook(st.hook))
		t0 := time.Now()
		err := a.Run(context.Background())
		if took := time.Since(t0); took != 2*time.Second {
			t.Errorf("Run took %v; want the 2s shutdown timeout", took)
		}
		var se *app.StopError
		if !errors.As(err, &se) || !slices.Equal(se.Parts, []string{"stuck", "storage"}) {
			t.Fatalf("Run = %v; want a *StopError listing stuck, storage", err)
		}
		if !errors.Is(err, app.ErrShutdownTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Run = %v; want it to match ErrShutdownTimeout and DeadlineExceeded", err)
		}
		if code := app.ExitCode(err); code != app.ExitStopTimeout {
			t.Errorf("ExitCode(%v) = %d; want %d", err, code, app.ExitStopTimeout)
		}
		calls := st.get()
		if len(calls) != 2 || !strings.HasPrefix(calls[0], "stuck: app: shutdown timed out") ||
			!strings.HasPrefix(calls[1], "storage: app: shutdown timed out") {
			t.Errorf("stop hook calls = %q; want timeouts for stuck then storage", calls)
		}
		for _, p := range []string{"storage", "stuck"} {
			if pid, _ := a.PID(p); node.IsAlive(pid) {
				t.Errorf("root %q %v alive after Run; want it killed", p, pid)
			}
		}
	})
}

func TestRunExternalStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		var tr otptest.Trace
		a := newApp(t, node, parts(&tr, "storage"), app.WithSignals(make(chan os.Signal)))
		done := make(chan error, 1)
		go func() { done <- a.Run(context.Background()) }()
		synctest.Wait()
		if err := a.Stop(context.Background()); err != nil {
			t.Fatalf("Stop = %v; want nil", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Run after Stop = %v; want nil", err)
		}
		tr.Equal(t, []string{"start storage", "stop storage shutdown"})
	})
}

func TestStopContextDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		var tr otptest.Trace
		hang := make(chan struct{})
		defer close(hang)
		a := newApp(t, node, []app.Part{tree(&worker{name: "stuck", tr: &tr, hang: hang}, supervisor.Infinity)})
		if err := a.Start(context.Background()); err != nil {
			t.Fatalf("Start = %v; want nil", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		t0 := time.Now()
		err := a.Stop(ctx)
		if took := time.Since(t0); took != 300*time.Millisecond {
			t.Errorf("Stop took %v; want ctx's 300ms", took)
		}
		if !errors.Is(err, app.ErrShutdownTimeout) {
			t.Errorf("Stop = %v; want ErrShutdownTimeout", err)
		}
		a.Kill()
	})
}

func TestExitCode(t *testing.T) {
	start := &app.StartError{App: "a", Part: "p", Err: errBoom}
	exit := &app.ExitError{App: "a", Part: "p", Reason: process.Shutdown}
	stop := &app.StopError{App: "a", Parts: []string{"p"}, Err: context.DeadlineExceeded}
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"start", start, 3},
		{"exit", exit, 1},
		{"stop", stop, 2},
		{"wrapped stop", fmt.Errorf("run: %w", stop), 2},
		{"exit and stop", errors.Join(exit, stop), 1},
		{"start and stop", errors.Join(stop, start), 3},
		{"other", app.ErrStopped, 1},
	}
	for _, tc := range tests {
		if got := app.ExitCode(tc.err); got != tc.want {
			t.Errorf("%s: ExitCode(%v) = %d; want %d", tc.name, tc.err, got, tc.want)
		}
	}
}

func TestNewInvalid(t *testing.T) {
	node := otptest.NewNode(t)
	ok := []app.Part{{Name: "p"}}
	start := func(*process.Node) (process.PID, error) { return process.PID{}, nil }
	tests := []struct {
		name string
		node *process.Node
		spec app.Spec
		opts []app.Option
		want error
	}{
		{"nil node", nil, app.Spec{Name: "a", Parts: ok}, nil, app.ErrInvalidSpec},
		{"no name", node, app.Spec{Parts: ok}, nil, app.ErrInvalidSpec},
		{"no parts", node, app.Spec{Name: "a"}, nil, app.ErrInvalidSpec},
		{"unnamed part", node, app.Spec{Name: "a", Parts: []app.Part{{}}}, nil, app.ErrInvalidSpec},
		{"duplicate part", node, app.Spec{Name: "a", Parts: []app.Part{{Name: "p"}, {Name: "p"}}}, nil, app.ErrInvalidSpec},
		{"start and tree", node, app.Spec{Name: "a", Parts: []app.Part{{Name: "p", Start: start,
			Tree: supervisor.Spec{Children: []supervisor.ChildSpec{{ID: "c"}}}}}}, nil, app.ErrInvalidSpec},
		{"nil option", node, app.Spec{Name: "a", Parts: ok}, []app.Option{nil}, app.ErrInvalidOption},
		{"zero timeout", node, app.Spec{Name: "a", Parts: ok}, []app.Option{app.WithShutdownTimeout(0)}, app.ErrInvalidOption},
		{"nil logger", node, app.Spec{Name: "a", Parts: ok}, []app.Option{app.WithLogger(nil)}, app.ErrInvalidOption},
		{"nil signals", node, app.Spec{Name: "a", Parts: ok}, []app.Option{app.WithSignals(nil)}, app.ErrInvalidOption},
		{"nil hook", node, app.Spec{Name: "a", Parts: ok}, []app.Option{app.WithStopHook(nil)}, app.ErrInvalidOption},
	}
	for _, tc := range tests {
		if a, err := app.New(tc.node, tc.spec, tc.opts...); a != nil || !errors.Is(err, tc.want) {
			t.Errorf("%s: New = %v, %v; want nil, %v", tc.name, a, err, tc.want)
		}
	}
}

func TestRunAfterStart(t *testing.T) {
	node := otptest.NewNode(t)
	var tr otptest.Trace
	a := newApp(t, node, parts(&tr, "storage"), app.WithSignals(make(chan os.Signal)))
	if err := a.Start(context.Background()); err != nil {
		t.Fatalf("Start = %v; want nil", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.Run(ctx); err != nil {
		t.Fatalf("Run on a started app = %v; want nil", err)
	}
	tr.Equal(t, []string{"start storage", "stop storage shutdown"})
}
