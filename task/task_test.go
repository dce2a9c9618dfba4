package task_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/task"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

var quiet = task.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))

// newSup starts a task supervisor on a fresh test node.
func newSup(t *testing.T) (*process.Node, *task.Supervisor) {
	t.Helper()
	node := otptest.NewNode(t)
	sup, err := task.StartSupervisor(node, quiet)
	if err != nil {
		t.Fatalf("StartSupervisor: %v", err)
	}
	return node, sup
}

// children returns how many tasks sup runs.
func children(t *testing.T, sup *task.Supervisor) int {
	t.Helper()
	c, err := supervisor.CountChildren(context.Background(), sup.PID())
	if err != nil {
		t.Fatalf("CountChildren: %v", err)
	}
	return c.Active
}

func TestStreamConcurrency(t *testing.T) {
	for _, tc := range []struct {
		name    string
		max     int
		ordered bool
	}{
		{"max=1/ordered", 1, true},
		{"max=3/ordered", 3, true},
		{"max=3/unordered", 3, false},
		{"max=8/unordered", 8, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, sup := newSup(t)
				var inflight, peak atomic.Int32
				fn := func(ctx context.Context, n int) (int, error) {
					cur := inflight.Add(1)
					for {
						old := peak.Load()
						if cur <= old || peak.CompareAndSwap(old, cur) {
							break
						}
					}
					defer inflight.Add(-1)
					time.Sleep(time.Duration(7-n%7) * time.Millisecond)
					return n * 10, nil
				}
				var got []int
				for v, err := range task.Stream(t.Context(), sup, seqN(40), fn,
					task.MaxConcurrency(tc.max), task.Ordered(tc.ordered)) {
					if err != nil {
						t.Fatalf("Stream yielded error %v", err)
					}
					got = append(got, v)
				}
				if p := peak.Load(); p > int32(tc.max) || p < 1 {
					t.Errorf("peak in flight = %d; want 1..%d", p, tc.max)
				}
				if p := peak.Load(); p != int32(tc.max) {
					t.Errorf("peak in flight = %d; want exactly %d with blocked tasks", p, tc.max)
				}
				want := make([]int, 40)
				for i := range want {
					want[i] = i * 10
				}
				if !tc.ordered {
					if slices.Equal(got, want) && tc.max > 1 {
						t.Errorf("unordered stream came out in input order")
					}
					slices.Sort(got)
				}
				if !slices.Equal(got, want) {
					t.Errorf("Stream = %v; want %v", got, want)
				}
			})
		})
	}
}

func seqN(n int) func(func(int) bool) {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

func TestStreamTimeoutKillTask(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, sup := newSup(t)
		var stopped atomic.Int32
		fn := func(ctx context.Context, n int) (int, error) {
			if n%3 == 1 {
				<-ctx.Done() // never replies: killed at its timeout
				stopped.Add(1)
				return 0, ctx.Err()
			}
			return n, nil
		}
		var vals []int
		timeouts := 0
		for v, err := range task.Stream(t.Context(), sup, seqN(9), fn,
			task.MaxConcurrency(2), task.Timeout(50*time.Millisecond), task.OnTimeout(task.KillTask)) {
			var te *task.TimeoutError
			switch {
			case errors.As(err, &te) && errors.Is(err, context.DeadlineExceeded):
				timeouts++
				vals = append(vals, -1)
			case err != nil:
				t.Fatalf("unexpected error %v", err)
			default:
				vals = append(vals, v)
			}
		}
		want := []int{0, -1, 2, 3, -1, 5, 6, -1, 8}
		if !slices.Equal(vals, want) {
			t.Errorf("Stream = %v; want %v", vals, want)
		}
		if timeouts != 3 || stopped.Load() != 3 {
			t.Errorf("timeouts = %d, stopped = %d; want 3, 3", timeouts, stopped.Load())
		}
		if n := children(t, sup); n != 0 {
			t.Errorf("%d tasks left after the stream", n)
		}
	})
}

func TestStreamTimeoutFailStream(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, sup := newSup(t)
		var stopped atomic.Int32
		fn := func(ctx context.Context, n int) (int, error) {
			if n >= 2 {
				<-ctx.Done()
				stopped.Add(1)
				return 0, ctx.Err()
			}
			return n, nil
		}
		var got []int
		var last error
		for v, err := range task.Stream(t.Context(), sup, seqN(100), fn,
			task.MaxConcurrency(4), task.Timeout(time.Second)) {
			if err != nil {
				last = err
				continue
			}
			got = append(got, v)
		}
		var te *task.TimeoutError
		if !errors.As(last, &te) {
			t.Fatalf("last error = %v; want *TimeoutError", last)
		}
		if !slices.Equal(got, []int{0, 1}) {
			t.Errorf("results before the failure = %v; want [0 1]", got)
		}
		// Items 2..5 were running; all four were stopped and returned.
		if s := stopped.Load(); s != 4 {
			t.Errorf("stopped tasks = %d; want 4", s)
		}
		if n := children(t, sup); n != 0 {
			t.Errorf("%d tasks left after the stream", n)
		}
	})
}

func TestStreamBreakStopsTasks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, sup := newSup(t)
		var started, stopped atomic.Int32
		fn := func(ctx context.Context, n int) (int, error) {
			started.Add(1)
			if n == 0 {
				return 0, nil
			}
			<-ctx.Done()
			stopped.Add(1)
			return 0, ctx.Err()
		}
		for range task.Stream(t.Context(), sup, seqN(1000), fn, task.MaxConcurrency(5)) {
			break
		}
		if s, st := started.Load(), stopped.Load(); s != st+1 || s > 6 {
			t.Errorf("started %d, stopped %d; want every blocked task stopped, at most 6 started", s, st)
		}
		if n := children(t, sup); n != 0 {
			t.Errorf("%d tasks left after break", n)
		}
	})
}

func TestStreamPanicAndCtx(t *testing.T) {
	_, sup := newSup(t)
	fn := func(ctx context.Context, n int) (int, error) {
		if n == 1 {
			panic("boom")
		}
		return n, nil
	}
	var errs []error
	for _, err := range task.Stream(t.Context(), sup, seqN(3), fn) {
		errs = append(errs, err)
	}
	var pe *process.PanicError
	if len(errs) != 3 || errs[0] != nil || !errors.As(errs[1], &pe) || errs[2] != nil {
		t.Errorf("errors = %v; want [nil panic nil]", errs)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var last error
	for _, err := range task.Stream(ctx, sup, seqN(3), fn) {
		last = err
	}
	if !errors.Is(last, context.Canceled) {
		t.Errorf("cancelled stream ended with %v; want context.Canceled", last)
	}
}

func TestAwaitTimeoutStopsTask(t *testing.T) {
	for _, link := range []bool{true, false} {
		t.Run(map[bool]string{true: "Async", false: "AsyncNoLink"}[link], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, sup := newSup(t)
				returned := make(chan struct{})
				async := task.AsyncNoLink[int]
				if link {
					async = task.Async[int]
				}
				tk, err := async(t.Context(), sup, func(ctx context.Context) (int, error) {
					defer close(returned)
					<-ctx.Done()
					return 0, ctx.Err()
				})
				if err != nil {
					t.Fatalf("Async: %v", err)
				}
				_, err = tk.Await(time.Second)
				var te *task.TimeoutError
				if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) || te.After != time.Second {
					t.Fatalf("Await = %v; want *TimeoutError after 1s", err)
				}
				<-returned // the function saw its context end and returned
				if children(t, sup) != 0 {
					t.Errorf("task still supervised after Await timeout")
				}
			})
		})
	}
}

func TestAwaitKeepOnTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, sup := newSup(t)
		tk, _ := task.Async(t.Context(), sup, func(ctx context.Context) (string, error) {
			time.Sleep(2 * time.Second)
			return "late", nil
		})
		if _, err := tk.Await(time.Second, task.KeepOnTimeout()); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Await = %v; want a timeout", err)
		}
		if v, err := tk.Await(5 * time.Second); v != "late" || err != nil {
			t.Errorf("second Await = %q, %v; want late, nil", v, err)
		}
	})
}

func TestPanicBecomesError(t *testing.T) {
	_, sup := newSup(t)
	for _, async := range []func(context.Context, *task.Supervisor, func(context.Context) (int, error)) (*task.Task[int], error){
		task.Async[int], task.AsyncNoLink[int],
	} {
		tk, err := async(t.Context(), sup, func(ctx context.Context) (int, error) { panic(errors.New("kaput")) })
		if err != nil {
			t.Fatal(err)
		}
		_, err = tk.Await(5 * time.Second)
		var pe *process.PanicError
		var ee *task.ExitError
		if !errors.As(err, &ee) || !errors.As(err, &pe) || ee.PID != tk.PID() {
			t.Errorf("Await = %v; want *ExitError wrapping *process.PanicError", err)
		}
		if _, done, err2 := tk.Yield(0); !done || err2 != err {
			t.Errorf("Yield after Await = %v, %v; want the same error", done, err2)
		}
	}
}

func TestFunctionErrorIsAResult(t *testing.T) {
	_, sup := newSup(t)
	boom := errors.New("boom")
	tk, _ := task.Async(t.Context(), sup, func(ctx context.Context) (int, error) { return 7, boom })
	if v, err := tk.Await(5 * time.Second); v != 7 || !errors.Is(err, boom) {
		t.Errorf("Await = %v, %v; want 7, boom", v, err)
	}
}

// TestAsyncLinkKillsCaller: a crash of a linked task kills its caller
// process (OTP), while AsyncNoLink only returns the error.
func TestAsyncLinkKillsCaller(t *testing.T) {
	for _, tc := range []struct {
		name       string
		async      func(context.Context, *task.Supervisor, func(context.Context) (int, error)) (*task.Task[int], error)
		wantKilled bool
	}{
		{"Async", task.Async[int], true},
		{"AsyncNoLink", task.AsyncNoLink[int], false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			node, sup := newSup(t)
			awaited := make(chan error, 1)
			caller, err := node.Spawn(func(p *process.Proc) (err error) {
				// The link may kill the caller while Async is still
				// waiting for the supervisor: then Async fails.
				defer func() {
					if err != nil {
						awaited <- err
					}
				}()
				if _, err := p.Receive(p.Context()); err != nil {
					return err
				}
				tk, err := tc.async(p.Context(), sup, func(ctx context.Context) (int, error) { panic("bad") })
				if err != nil {
					return err
				}
				_, aerr := tk.Await(5 * time.Second)
				awaited <- aerr
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			probe := otptest.NewProbe(t, node)
			probe.Monitor(caller)
			_ = node.Send(caller, "go")
			down := probe.ExpectDown(t, 5*time.Second)
			var pe *process.PanicError
			if got := errors.As(down.Reason, &pe); got != tc.wantKilled {
				t.Errorf("caller died with %v; killed by the task = %v, want %v", down.Reason, got, tc.wantKilled)
			}
			select {
			case err := <-awaited:
				if !tc.wantKilled && !errors.As(err, new(*task.ExitError)) {
					t.Errorf("Await = %v; want *ExitError", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("caller never finished")
			}
		})
	}
}

// TestTrappingOwnerMailboxClean: a linked task that returns leaves no Exit
// message in a trapping owner's mailbox.
func TestTrappingOwnerMailboxClean(t *testing.T) {
	node, sup := newSup(t)
	res := make(chan int, 1)
	_, err := node.Spawn(func(p *process.Proc) error {
		tk, err := task.Async(p.Context(), sup, func(ctx context.Context) (int, error) { return 1, nil })
		if err != nil {
			return err
		}
		if _, err := tk.Await(5 * time.Second); err != nil {
			return err
		}
		// The task process is gone by now; a link signal would be queued.
		if tg, err := rt.Lookup(tk.PID()); err == nil {
			<-tg.Done()
		}
		res <- p.MailboxLen()
		return nil
	}, process.TrapExits())
	if err != nil {
		t.Fatal(err)
	}
	if n := <-res; n != 0 {
		t.Errorf("owner mailbox has %d messages; want 0", n)
	}
}

func TestShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, sup := newSup(t)
		// A finished task: Shutdown returns its result.
		tk, _ := task.AsyncNoLink(t.Context(), sup, func(ctx context.Context) (int, error) { return 5, nil })
		synctest.Wait()
		if v, done, err := tk.Shutdown(time.Second); v != 5 || !done || err != nil {
			t.Errorf("Shutdown of a finished task = %v, %v, %v; want 5, true, nil", v, done, err)
		}
		// A task that ignores shutdown for a while is killed after the timeout.
		tk2, _ := task.Async(t.Context(), sup, func(ctx context.Context) (int, error) {
			p, _ := process.FromContext(ctx)
			p.TrapExit(true)
			time.Sleep(time.Hour)
			return 0, nil
		})
		synctest.Wait()
		start := time.Now()
		if _, done, err := tk2.Shutdown(time.Second); done || err != nil {
			t.Errorf("Shutdown = %v, %v; want false, nil", done, err)
		}
		if d := time.Since(start); d < time.Second || d > 2*time.Second {
			t.Errorf("Shutdown took %v; want the 1s timeout", d)
		}
		time.Sleep(time.Hour) // let the zombie's sleep end
	})
}

func TestStartSupervised(t *testing.T) {
	_, sup := newSup(t)
	release := make(chan struct{})
	pid, err := task.Start(sup, func(ctx context.Context) error {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil
	})
	if err != nil || pid.IsZero() {
		t.Fatalf("Start = %v, %v", pid, err)
	}
	if n := children(t, sup); n != 1 {
		t.Errorf("children = %d; want 1", n)
	}
	close(release)
	otptest.Eventually(t, 5*time.Second, func() bool { return children(t, sup) == 0 })
	if err := sup.Stop(time.Second); err != nil {
		t.Errorf("Stop = %v", err)
	}
	if err := sup.Stop(time.Second); !errors.Is(err, task.ErrStopped) {
		t.Errorf("second Stop = %v; want ErrStopped", err)
	}
	if _, err := task.Start(sup, func(context.Context) error { return nil }); err == nil {
		t.Errorf("Start on a stopped supervisor succeeded")
	}
}
