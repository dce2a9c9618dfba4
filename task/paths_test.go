package task_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/task"
)

// The tests of this file run every behaviour of Async and AsyncNoLink
// under both ways a task supervisor starts a task: through its
// supervisor.TemporaryStarter (the default) and through the supervisor's
// own start_child (under WithMaxChildren).

// startPath is one way of starting tasks.
type startPath struct {
	name string
	opts []task.Option
}

var startPaths = []startPath{
	{"starter", nil},
	{"start_child", []task.Option{task.WithMaxChildren(10_000)}},
}

// bothPaths runs body once per start path, each on a fresh node and task
// supervisor.
func bothPaths(t *testing.T, body func(t *testing.T, node *process.Node, sup *task.Supervisor, path startPath)) {
	t.Helper()
	for _, p := range startPaths {
		t.Run(p.name, func(t *testing.T) {
			node, sup := pathSup(t, p)
			body(t, node, sup, p)
		})
	}
}

// pathSup starts a task supervisor that starts its tasks the path's way.
func pathSup(t *testing.T, p startPath, extra ...task.Option) (*process.Node, *task.Supervisor) {
	t.Helper()
	node := otptest.NewNode(t)
	opts := append(append([]task.Option{quiet}, p.opts...), extra...)
	sup, err := task.StartSupervisor(node, opts...)
	if err != nil {
		t.Fatalf("StartSupervisor: %v", err)
	}
	return node, sup
}

// signalWait bounds every wait for a signal of this file.
const signalWait = 10 * time.Second

// inProc runs body in a new process of node (spawned with opts) and
// returns body's error once it has returned.
func inProc(t *testing.T, node *process.Node, body func(p *process.Proc) error, opts ...process.SpawnOption) error {
	t.Helper()
	res := make(chan error, 1)
	if _, err := node.Spawn(func(p *process.Proc) error {
		err := body(p)
		res <- err
		return err
	}, opts...); err != nil {
		t.Fatalf("Spawn: %v", err)
	}
	select {
	case err := <-res:
		return err
	case <-time.After(signalWait):
		t.Fatalf("process body did not return within %v", signalWait)
		return nil
	}
}

// recv waits up to signalWait for p's next message.
func recv(p *process.Proc) (process.Msg, error) {
	ctx, cancel := context.WithTimeout(context.Background(), signalWait)
	defer cancel()
	return p.Receive(ctx)
}

type asyncFunc = func(context.Context, *task.Supervisor, func(context.Context) (int, error)) (*task.Task[int], error)

var asyncFuncs = []struct {
	name  string
	async asyncFunc
}{
	{"Async", task.Async[int]},
	{"AsyncNoLink", task.AsyncNoLink[int]},
}

// blockUntilDone is a task body that returns only when its process dies.
func blockUntilDone(ctx context.Context) (int, error) {
	<-ctx.Done()
	return 0, ctx.Err()
}

// TestBothPathsResults: fn's value and error are Await's results; a panic
// is an *ExitError wrapping the *process.PanicError, from the test
// goroutine and from a process alike.
func TestBothPathsResults(t *testing.T) {
	boom := errors.New("boom")
	bothPaths(t, func(t *testing.T, node *process.Node, sup *task.Supervisor, _ startPath) {
		for _, af := range asyncFuncs {
			check := func(ctx context.Context) error {
				tk, err := af.async(ctx, sup, func(context.Context) (int, error) { return 42, nil })
				if err != nil {
					return fmt.Errorf("%s: %w", af.name, err)
				}
				if v, err := tk.Await(signalWait); v != 42 || err != nil {
					return fmt.Errorf("%s value: Await = %v, %v; want 42, nil", af.name, v, err)
				}
				tk, err = af.async(ctx, sup, func(context.Context) (int, error) { return 7, boom })
				if err != nil {
					return fmt.Errorf("%s: %w", af.name, err)
				}
				v, err := tk.Await(signalWait)
				if v != 7 || !errors.Is(err, boom) || errors.As(err, new(*task.ExitError)) {
					return fmt.Errorf("%s error: Await = %v, %v; want 7 and boom as a result, not an ExitError", af.name, v, err)
				}
				return nil
			}
			if err := check(t.Context()); err != nil {
				t.Errorf("from the test goroutine: %v", err)
			}
			if err := inProc(t, node, func(p *process.Proc) error { return check(p.Context()) }); err != nil {
				t.Errorf("from a process: %v", err)
			}

			tk, err := af.async(t.Context(), sup, func(context.Context) (int, error) { panic("kaput") })
			if err != nil {
				t.Fatalf("%s: %v", af.name, err)
			}
			_, err = tk.Await(signalWait)
			var ee *task.ExitError
			var pe *process.PanicError
			if !errors.As(err, &ee) || !errors.As(err, &pe) || ee.PID != tk.PID() || pe.Value != "kaput" {
				t.Errorf("%s panic: Await = %v; want *ExitError wrapping *process.PanicError{kaput}", af.name, err)
			}
		}
	})
}

// TestBothPathsNoLinkCrashSparesCaller: an AsyncNoLink task that panics
// does not kill the process that started it, which gets the crash from
// Await and ends normally.
func TestBothPathsNoLinkCrashSparesCaller(t *testing.T) {
	bothPaths(t, func(t *testing.T, node *process.Node, sup *task.Supervisor, _ startPath) {
		probe := otptest.NewProbe(t, node)
		release := make(chan struct{})
		awaited := make(chan error, 1)
		caller, err := node.Spawn(func(p *process.Proc) error {
			tk, err := task.AsyncNoLink(p.Context(), sup, func(context.Context) (int, error) { panic("bad") })
			if err != nil {
				return err
			}
			_, aerr := tk.Await(signalWait)
			if tg, err := rt.Lookup(tk.PID()); err == nil && tg.Alive() {
				return errors.New("task alive after Await")
			}
			awaited <- aerr
			<-release // alive after the task's death
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		probe.Monitor(caller)
		select {
		case err := <-awaited:
			if !errors.As(err, new(*process.PanicError)) || !errors.As(err, new(*task.ExitError)) {
				t.Errorf("Await = %v; want *ExitError wrapping the panic", err)
			}
		case <-time.After(signalWait):
			t.Fatal("caller never awaited the task")
		}
		close(release)
		if down := probe.ExpectDown(t, signalWait); !errors.Is(down.Reason, process.Normal) {
			t.Errorf("caller died with %v; want normal", down.Reason)
		}
	})
}

// TestBothPathsTrappingOwnerMailboxClean: an Async task that returns
// unlinks before it dies, so its trapping owner gets no Exit message.
func TestBothPathsTrappingOwnerMailboxClean(t *testing.T) {
	bothPaths(t, func(t *testing.T, node *process.Node, sup *task.Supervisor, _ startPath) {
		err := inProc(t, node, func(p *process.Proc) error {
			tk, err := task.Async(p.Context(), sup, func(context.Context) (int, error) { return 1, nil })
			if err != nil {
				return err
			}
			if _, err := tk.Await(signalWait); err != nil {
				return err
			}
			// Await returned once the task was dead: a link's Exit would
			// be queued by now.
			if n := p.MailboxLen(); n != 0 {
				m, _ := p.ReceiveTimeout(0)
				return fmt.Errorf("owner mailbox holds %d messages, first %#v; want none", n, m)
			}
			return nil
		}, process.TrapExits())
		if err != nil {
			t.Error(err)
		}
	})
}

// TestBothPathsChildListed: the supervisor counts and lists a task as soon
// as Async returns, and drops it once the task has ended.
func TestBothPathsChildListed(t *testing.T) {
	bothPaths(t, func(t *testing.T, _ *process.Node, sup *task.Supervisor, _ startPath) {
		for _, af := range asyncFuncs {
			release := make(chan struct{})
			tk, err := af.async(t.Context(), sup, func(context.Context) (int, error) {
				<-release
				return 1, nil
			})
			if err != nil {
				t.Fatalf("%s: %v", af.name, err)
			}
			if n := children(t, sup); n != 1 {
				t.Errorf("%s: active children right after Async = %d; want 1", af.name, n)
			}
			kids, err := supervisor.WhichChildren(t.Context(), sup.PID())
			if err != nil {
				t.Fatalf("WhichChildren: %v", err)
			}
			if !slices.ContainsFunc(kids, func(c supervisor.Child) bool { return c.PID == tk.PID() }) {
				t.Errorf("%s: WhichChildren = %v; want it to list %v", af.name, kids, tk.PID())
			}
			close(release)
			if v, err := tk.Await(signalWait); v != 1 || err != nil {
				t.Fatalf("%s: Await = %v, %v; want 1, nil", af.name, v, err)
			}
			// Await returned once the task process was dead.
			otptest.Eventually(t, signalWait, func() bool { return children(t, sup) == 0 },
				"%s: task still a child after it ended", af.name)
		}
	})
}

// ownerKillRuns is how many times TestBothPathsOwnerSeesKill kills a task
// right after Async returned.
const ownerKillRuns = 200

// TestBothPathsOwnerSeesKill: a task killed right after Async returned
// sends its trapping owner an Exit with reason killed. On the starter
// path owner and task are linked before the task runs, so the Exit always
// arrives. On the start_child path the task links itself when it starts,
// so a kill that lands first leaves the owner unlinked (OTP and Elixir
// have the same window); there the test only asks that nothing hangs:
// Await reports the kill in every run, and the Exit arrives in some.
func TestBothPathsOwnerSeesKill(t *testing.T) {
	bothPaths(t, func(t *testing.T, node *process.Node, sup *task.Supervisor, path startPath) {
		mustLink := path.name == "starter"
		exits := 0
		for i := range ownerKillRuns {
			got, err := ownerSeesKill(t, node, sup, mustLink)
			if err != nil {
				t.Fatalf("run %d: %v", i, err)
			}
			if got {
				exits++
			}
		}
		t.Logf("%s: the owner got the Exit in %d of %d runs", path.name, exits, ownerKillRuns)
	})
}

// ownerSeesKill runs one round of TestBothPathsOwnerSeesKill: a fresh
// trapping owner starts a task, the test kills it at once, and the owner
// reports whether it got the Exit. It fails when mustLink and the Exit
// does not come, when a message other than that Exit comes, or when Await
// does not report the kill.
func ownerSeesKill(t *testing.T, node *process.Node, sup *task.Supervisor, mustLink bool) (bool, error) {
	t.Helper()
	pids := make(chan process.PID, 1)
	res := make(chan error, 1)
	var gotExit atomic.Bool
	_, err := node.Spawn(func(p *process.Proc) error {
		err := awaitKill(p, sup, pids, mustLink, &gotExit)
		res <- err
		return err
	}, process.TrapExits())
	if err != nil {
		return false, err
	}
	select {
	case pid := <-pids:
		if err := node.Exit(pid, process.Kill); err != nil {
			return false, fmt.Errorf("Exit: %w", err)
		}
	case err := <-res:
		return false, err
	case <-time.After(signalWait):
		return false, errors.New("owner never started its task")
	}
	select {
	case err := <-res:
		return gotExit.Load(), err
	case <-time.After(2 * signalWait):
		return false, errors.New("owner hangs")
	}
}

// awaitKill is the owner's side of ownerSeesKill.
func awaitKill(p *process.Proc, sup *task.Supervisor, pids chan<- process.PID, mustLink bool, gotExit *atomic.Bool) error {
	tk, err := task.Async(p.Context(), sup, blockUntilDone)
	if err != nil {
		return fmt.Errorf("Async: %w", err)
	}
	pids <- tk.PID()
	if mustLink {
		if err := expectKilledExit(p, tk.PID()); err != nil {
			return err
		}
		gotExit.Store(true)
	}
	_, err = tk.Await(signalWait)
	var ee *task.ExitError
	if !errors.As(err, &ee) || !errors.Is(ee.Reason, process.Killed) {
		return fmt.Errorf("Await = %v; want *ExitError with reason killed", err)
	}
	if mustLink {
		return nil
	}
	// The task is dead, and a dead process has sent its Exits: the
	// mailbox holds the Exit now or never will.
	if p.MailboxLen() == 0 {
		return nil
	}
	if err := expectKilledExit(p, tk.PID()); err != nil {
		return err
	}
	gotExit.Store(true)
	return nil
}

// expectKilledExit takes p's next message, which must be the Exit of the
// killed task pid.
func expectKilledExit(p *process.Proc, pid process.PID) error {
	m, err := recv(p)
	if err != nil {
		return fmt.Errorf("no Exit from the killed task: %w", err)
	}
	if ex, ok := m.(process.Exit); !ok || ex.From != pid || !errors.Is(ex.Reason, process.Killed) {
		return fmt.Errorf("owner got %#v; want process.Exit{From: %v, Reason: killed}", m, pid)
	}
	return nil
}

// ownerDeathRuns is how many owners TestBothPathsOwnerDeathKillsTask lets
// die right after Async returned, per path.
const ownerDeathRuns = 100

// TestBothPathsOwnerDeathKillsTask: when the owner of an Async task dies,
// the link kills the task with the owner's reason. An owner that dies
// right after Async returned does the same on the starter path; on the
// start_child path the task may not have linked yet, and then stops by
// itself with {shutdown, ErrOwnerDown} without running fn.
func TestBothPathsOwnerDeathKillsTask(t *testing.T) {
	t.Run("after fn runs", func(t *testing.T) {
		bothPaths(t, func(t *testing.T, node *process.Node, sup *task.Supervisor, path startPath) {
			if ownerDown := ownerDeathKillsTask(t, node, sup, path, true); ownerDown {
				t.Errorf("a linked task stopped with ErrOwnerDown")
			}
		})
	})
	t.Run("at once", func(t *testing.T) {
		bothPaths(t, func(t *testing.T, node *process.Node, sup *task.Supervisor, path startPath) {
			downs := 0
			for range ownerDeathRuns {
				if ownerDeathKillsTask(t, node, sup, path, false) {
					downs++
				}
				if t.Failed() {
					return
				}
			}
			if path.name == "starter" && downs > 0 {
				t.Errorf("%d tasks linked before they ran stopped with ErrOwnerDown", downs)
			}
			t.Logf("%s: %d of %d tasks stopped with ErrOwnerDown, the others with the owner's reason",
				path.name, downs, ownerDeathRuns)
		})
	})
}

var errOwnerFailed = errors.New("owner failed")

// ownerDeathKillsTask runs one owner that starts a task and dies with
// errOwnerFailed (once fn runs, when waitRunning), and checks how the task
// died: with the owner's reason, or, reported as ownerDown, with
// {shutdown, ErrOwnerDown} before running fn.
func ownerDeathKillsTask(t *testing.T, node *process.Node, sup *task.Supervisor, path startPath, waitRunning bool) (ownerDown bool) {
	t.Helper()
	running := make(chan struct{})
	targets := make(chan rt.Target, 1)
	_, err := node.Spawn(func(p *process.Proc) error {
		tk, err := task.Async(p.Context(), sup, func(ctx context.Context) (int, error) {
			close(running)
			return blockUntilDone(ctx)
		})
		if err != nil {
			return err
		}
		// Looked up here: the task cannot die while its owner lives,
		// and a Target outlives its process.
		tg, err := rt.Lookup(tk.PID())
		if err != nil {
			return err
		}
		targets <- tg
		if waitRunning {
			<-running // so the task is linked on every path
		}
		return errOwnerFailed
	})
	if err != nil {
		t.Fatal(err)
	}
	var tg rt.Target
	select {
	case tg = <-targets:
	case <-time.After(signalWait):
		t.Fatal("owner never started its task")
	}
	select {
	case <-tg.Done():
	case <-time.After(signalWait):
		t.Fatalf("task %v outlived its owner", tg.PID())
	}
	reason := tg.Reason()
	var se *process.ShutdownError
	ownerDown = errors.As(reason, &se) && se.Value == task.ErrOwnerDown
	switch {
	case errors.Is(reason, errOwnerFailed):
	case ownerDown && path.name == "start_child":
		select {
		case <-running:
			t.Errorf("task stopped with ErrOwnerDown after running fn")
		default:
		}
	default:
		t.Errorf("task died with %v; want the owner's reason %v", reason, errOwnerFailed)
	}
	return ownerDown
}

// TestBothPathsAwaitTimeoutStopsTask: an Await that times out kills the
// task, unlinked first: the owner survives, and a trapping owner gets no
// Exit message from the kill.
func TestBothPathsAwaitTimeoutStopsTask(t *testing.T) {
	for _, p := range startPaths {
		t.Run(p.name, func(t *testing.T) {
			for _, af := range asyncFuncs {
				t.Run(af.name, func(t *testing.T) {
					synctest.Test(t, func(t *testing.T) { awaitTimeoutStopsTask(t, p, af.async) })
				})
			}
		})
	}
}

func awaitTimeoutStopsTask(t *testing.T, path startPath, async asyncFunc) {
	node, sup := pathSup(t, path)
	returned := make(chan struct{})
	res := make(chan error, 1)
	owner, err := node.Spawn(func(p *process.Proc) error {
		tk, err := async(p.Context(), sup, func(ctx context.Context) (int, error) {
			defer close(returned)
			return blockUntilDone(ctx)
		})
		if err != nil {
			res <- err
			return err
		}
		_, err = tk.Await(time.Second)
		var te *task.TimeoutError
		if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) || te.After != time.Second {
			err = fmt.Errorf("Await = %v; want *TimeoutError after 1s", err)
			res <- err
			return err
		}
		if tg, err := rt.Lookup(tk.PID()); err == nil {
			<-tg.Done() // the task's Exit, were it linked, is queued now
		}
		if m, err := p.ReceiveTimeout(time.Second); err == nil {
			err = fmt.Errorf("owner got %#v after the timeout kill; want nothing", m)
			res <- err
			return err
		}
		res <- nil
		<-p.Context().Done() // alive until the node stops
		return nil
	}, process.TrapExits())
	if err != nil {
		t.Fatal(err)
	}
	if err := <-res; err != nil {
		t.Fatal(err)
	}
	<-returned // the function saw its context end and returned
	tg, err := rt.Lookup(owner)
	if err != nil || !tg.Alive() {
		t.Errorf("owner dead after the Await timeout: %v", err)
	}
	if n := children(t, sup); n != 0 {
		t.Errorf("%d tasks still supervised after the Await timeout", n)
	}
}

// TestBothPathsStopKillsTasks: stopping the task supervisor stops every
// running task with reason shutdown, and Await reports it as an
// *ExitError.
func TestBothPathsStopKillsTasks(t *testing.T) {
	bothPaths(t, func(t *testing.T, _ *process.Node, sup *task.Supervisor, _ startPath) {
		var tasks []*task.Task[int]
		var targets []rt.Target
		for range 4 {
			for _, af := range asyncFuncs {
				tk, err := af.async(t.Context(), sup, blockUntilDone)
				if err != nil {
					t.Fatalf("%s: %v", af.name, err)
				}
				tg, err := rt.Lookup(tk.PID())
				if err != nil {
					t.Fatalf("blocked task %v gone: %v", tk.PID(), err)
				}
				tasks, targets = append(tasks, tk), append(targets, tg)
			}
		}
		if err := sup.Stop(signalWait); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		for i, tg := range targets {
			select {
			case <-tg.Done():
			case <-time.After(signalWait):
				t.Fatalf("task %v alive after Stop", tg.PID())
			}
			if !errors.Is(tg.Reason(), process.Shutdown) {
				t.Errorf("task %v died with %v; want shutdown", tg.PID(), tg.Reason())
			}
			_, err := tasks[i].Await(signalWait)
			var ee *task.ExitError
			if !errors.As(err, &ee) || !errors.Is(ee.Reason, process.Shutdown) {
				t.Errorf("Await = %v; want *ExitError with reason shutdown", err)
			}
		}
	})
}

// TestBothPathsMaxChildren: WithMaxChildren forces the start_child path,
// the only one that can enforce a cap: a start beyond it fails with
// supervisor.ErrMaxChildren until a task has ended.
func TestBothPathsMaxChildren(t *testing.T) {
	_, sup := pathSup(t, startPath{name: "start_child"}, task.WithMaxChildren(2))
	release := make(chan struct{})
	var tasks []*task.Task[int]
	for _, af := range asyncFuncs {
		tk, err := af.async(t.Context(), sup, func(context.Context) (int, error) {
			<-release
			return 1, nil
		})
		if err != nil {
			t.Fatalf("%s under the cap: %v", af.name, err)
		}
		tasks = append(tasks, tk)
	}
	ran := make(chan struct{}, 2)
	quick := func(context.Context) (int, error) { ran <- struct{}{}; return 2, nil }
	for _, af := range asyncFuncs {
		if _, err := af.async(t.Context(), sup, quick); !errors.Is(err, supervisor.ErrMaxChildren) {
			t.Errorf("%s over the cap = %v; want ErrMaxChildren", af.name, err)
		}
	}
	if len(ran) != 0 {
		t.Errorf("a task refused by the cap ran")
	}
	close(release)
	if v, err := tasks[0].Await(signalWait); v != 1 || err != nil {
		t.Fatalf("Await = %v, %v; want 1, nil", v, err)
	}
	otptest.Eventually(t, signalWait, func() bool { return children(t, sup) < 2 },
		"supervisor never saw the finished task go")
	tk, err := task.Async(t.Context(), sup, quick)
	if err != nil {
		t.Fatalf("Async after a task ended: %v", err)
	}
	if v, err := tk.Await(signalWait); v != 2 || err != nil {
		t.Errorf("Await = %v, %v; want 2, nil", v, err)
	}
	if _, err := tasks[1].Await(signalWait); err != nil {
		t.Errorf("second Await = %v", err)
	}
}

// TestBothPathsStoppedSupervisor: Async on a stopped supervisor fails
// without running fn, with an error matching process.NoProc: on the
// starter path a *process.NoProcError for the supervisor (the spawn on its
// behalf finds it gone), on the start_child path a *genserver.CallError
// (the start_child call to a dead process).
func TestBothPathsStoppedSupervisor(t *testing.T) {
	bothPaths(t, func(t *testing.T, node *process.Node, sup *task.Supervisor, path startPath) {
		if err := sup.Stop(signalWait); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		var ran atomic.Bool
		fn := func(ctx context.Context) (int, error) { ran.Store(true); return blockUntilDone(ctx) }
		check := func(ctx context.Context) error {
			for _, af := range asyncFuncs {
				tk, err := af.async(ctx, sup, fn)
				if err == nil {
					return fmt.Errorf("%s on a stopped supervisor started %v", af.name, tk.PID())
				}
				if !errors.Is(err, process.NoProc) {
					return fmt.Errorf("%s = %v; want an error matching process.NoProc", af.name, err)
				}
				var npe *process.NoProcError
				var ce *genserver.CallError
				switch {
				case path.name == "starter" && (!errors.As(err, &npe) || npe.PID != sup.PID()):
					return fmt.Errorf("%s = %v (%T); want *process.NoProcError for %v", af.name, err, err, sup.PID())
				case path.name == "start_child" && !errors.As(err, &ce):
					return fmt.Errorf("%s = %v (%T); want *genserver.CallError", af.name, err, err)
				}
			}
			return nil
		}
		if err := check(t.Context()); err != nil {
			t.Errorf("from the test goroutine: %v", err)
		}
		if err := inProc(t, node, func(p *process.Proc) error { return check(p.Context()) }); err != nil {
			t.Errorf("from a process: %v", err)
		}
		if ran.Load() {
			t.Errorf("fn ran although Async failed")
		}
	})
}

// TestBothPathsCancelledContext: a ctx already done fails Async with its
// error, and no task is started.
func TestBothPathsCancelledContext(t *testing.T) {
	bothPaths(t, func(t *testing.T, node *process.Node, sup *task.Supervisor, _ startPath) {
		var ran atomic.Bool
		fn := func(ctx context.Context) (int, error) { ran.Store(true); return blockUntilDone(ctx) }
		check := func(parent context.Context) error {
			ctx, cancel := context.WithCancel(parent)
			cancel()
			for _, af := range asyncFuncs {
				tk, err := af.async(ctx, sup, fn)
				if err == nil {
					return fmt.Errorf("%s with a cancelled ctx started %v", af.name, tk.PID())
				}
				if !errors.Is(err, context.Canceled) {
					return fmt.Errorf("%s = %v; want context.Canceled", af.name, err)
				}
			}
			return nil
		}
		if err := check(t.Context()); err != nil {
			t.Errorf("from the test goroutine: %v", err)
		}
		if err := inProc(t, node, func(p *process.Proc) error { return check(p.Context()) }); err != nil {
			t.Errorf("from a process: %v", err)
		}
		// The supervisor has handled every request sent before this
		// call: a task started anyway would be counted (fn blocks).
		if n := children(t, sup); n != 0 || ran.Load() {
			t.Errorf("children = %d, fn ran = %t; want no task", n, ran.Load())
		}
	})
}
