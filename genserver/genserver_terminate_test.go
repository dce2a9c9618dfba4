package genserver_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// TestTerminateWhenOTPRunsIt is the OTP matrix: terminate/2 runs on a stop,
// on a failing or panicking callback, after {stop, ...}, and on an exit
// signal from the parent while trapping exits; never on kill, on an
// untrapped exit signal, or on an exit signal from another process.
func TestTerminateWhenOTPRunsIt(t *testing.T) {
	shutdownBye := process.ShutdownWith("bye")
	tests := []struct {
		name   string
		trap   bool
		parent bool // started with StartLink from a probe
		// act makes the server stop, or not.
		act         func(t *testing.T, e *env)
		wantTerm    bool
		checkReason func(error) bool
		alive       bool // the server survives
	}{
		{
			name: "Stop",
			act: func(t *testing.T, e *env) {
				if err := genserver.Stop(e.pid, shutdownBye, waitTimeout); err != nil {
					t.Errorf("Stop = %v", err)
				}
			},
			wantTerm:    true,
			checkReason: func(r error) bool { return r == shutdownBye },
		},
		{
			name:        "callback error",
			act:         func(t *testing.T, e *env) { _ = genserver.Cast(e.pid, "fail") },
			wantTerm:    true,
			checkReason: func(r error) bool { return errors.Is(r, errBoom) },
		},
		{
			name:     "callback panic",
			act:      func(t *testing.T, e *env) { _ = genserver.Cast(e.pid, "panic") },
			wantTerm: true,
			checkReason: func(r error) bool {
				var pe *process.PanicError
				return errors.As(r, &pe) && pe.Value == "cast exploded"
			},
		},
		{
			name: "Self.Stop in HandleCall",
			act: func(t *testing.T, e *env) {
				if v, err := genserver.Call[string](context.Background(), e.pid, "stop"); err != nil || v != "stopping" {
					t.Errorf("Call(stop) = %q, %v; want the reply stopping", v, err)
				}
			},
			wantTerm:    true,
			checkReason: func(r error) bool { return r == shutdownBye },
		},
		{
			name:        "Self.Stop in HandleInfo",
			act:         func(t *testing.T, e *env) { _ = e.node.Send(e.pid, "stop") },
			wantTerm:    true,
			checkReason: func(r error) bool { return r == shutdownBye },
		},
		{
			name:   "parent exit while trapping",
			trap:   true,
			parent: true,
			act: func(t *testing.T, e *env) {
				e.parent.Do(func(p *process.Proc) { _ = p.Exit(p.PID(), process.Shutdown) })
			},
			wantTerm:    true,
			checkReason: func(r error) bool { return r == process.Shutdown },
		},
		{
			name:        "exit from outside, no parent, trapping",
			trap:        true,
			act:         func(t *testing.T, e *env) { _ = e.node.Exit(e.pid, process.Shutdown) },
			wantTerm:    true,
			checkReason: func(r error) bool { return r == process.Shutdown },
		},
		{
			name:   "non-parent exit while trapping",
			trap:   true,
			parent: true,
			act: func(t *testing.T, e *env) {
				other := otptest.NewProbe(t, e.node)
				if err := other.Link(e.pid); err != nil {
					t.Fatal(err)
				}
				other.Do(func(p *process.Proc) { _ = p.Exit(p.PID(), process.Shutdown) })
				if ex, ok := recv(t, e.infos).(process.Exit); !ok || ex.From != other.PID() || ex.Reason != process.Shutdown {
					t.Errorf("HandleInfo got %+v; want Exit{%v, shutdown}", ex, other.PID())
				}
			},
			alive: true,
		},
		{
			name:        "kill",
			trap:        true,
			act:         func(t *testing.T, e *env) { _ = e.node.Exit(e.pid, process.Kill) },
			checkReason: func(r error) bool { return r == process.Killed },
		},
		{
			name:        "untrapped exit from parent",
			parent:      true,
			act:         func(t *testing.T, e *env) { e.parent.Do(func(p *process.Proc) { _ = p.Exit(p.PID(), errBoom) }) },
			checkReason: func(r error) bool { return errors.Is(r, errBoom) },
		},
		{
			name:        "untrapped exit signal",
			act:         func(t *testing.T, e *env) { _ = e.node.Exit(e.pid, process.Shutdown) },
			checkReason: func(r error) bool { return r == process.Shutdown },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.trap, tc.parent, shutdownBye)
			tc.act(t, e)
			if tc.alive {
				if _, err := genserver.Call[string](context.Background(), e.pid, "ping"); err != nil {
					t.Errorf("server not alive: %v", err)
				}
				if len(e.terminated) != 0 {
					t.Errorf("Terminate ran with %v; want not run", <-e.terminated)
				}
				return
			}
			d := e.watcher.ExpectDown(t, waitTimeout)
			if !tc.checkReason(d.Reason) {
				t.Errorf("exit reason %v", process.FormatReason(d.Reason))
			}
			// Terminate runs in the server before it dies: by the time
			// the Down arrived, it ran or never will.
			switch {
			case tc.wantTerm && len(e.terminated) != 1:
				t.Errorf("Terminate ran %d times; want once", len(e.terminated))
			case tc.wantTerm:
				if r := <-e.terminated; r != d.Reason {
					t.Errorf("Terminate(%v); want the exit reason %v", r, d.Reason)
				}
			case len(e.terminated) != 0:
				t.Errorf("Terminate ran with %v; want not run", <-e.terminated)
			}
		})
	}
}

// env is one server of TestTerminateWhenOTPRunsIt.
type env struct {
	node       *process.Node
	pid        process.PID
	parent     *otptest.Probe // nil without parent
	watcher    *otptest.Probe
	infos      chan any
	terminated chan error
}

func newEnv(t *testing.T, trap, withParent bool, stopReason error) *env {
	e := &env{node: otptest.NewNode(t), infos: make(chan any, 4), terminated: make(chan error, 4)}
	x := &srv{
		init: func(s *genserver.Self) error { s.TrapExit(trap); return nil },
		call: func(s *genserver.Self, _ genserver.From, req any) (any, error) {
			if req == "stop" {
				s.Stop(stopReason)
				return "stopping", nil
			}
			return req, nil
		},
		cast: func(_ *genserver.Self, msg any) error {
			switch msg {
			case "fail":
				return errBoom
			case "panic":
				panic("cast exploded")
			}
			return nil
		},
		info: func(s *genserver.Self, msg any) error {
			if msg == "stop" {
				s.Stop(stopReason)
				return nil
			}
			e.infos <- msg
			return nil
		},
		terminated: e.terminated,
	}
	var err error
	if withParent {
		e.parent = otptest.NewProbe(t, e.node)
		e.parent.Do(func(p *process.Proc) { e.pid, err = genserver.StartLink(p, x) })
	} else {
		e.pid, err = genserver.Start(e.node, x)
	}
	if err != nil {
		t.Fatalf("start = %v", err)
	}
	e.watcher = watch(t, e.node, e.pid)
	return e
}

// TestNoTerminateWhenKilledInCallback: a server killed while a callback
// runs is dead at once; when the callback then returns (here with its
// context's error, or nil), Terminate does not run, no continue runs and
// nothing is replied.
func TestNoTerminateWhenKilledInCallback(t *testing.T) {
	for _, callback := range []string{"call", "cast", "info", "continue"} {
		t.Run(callback, func(t *testing.T) {
			node := otptest.NewNode(t)
			entered := make(chan struct{})
			block := func(s *genserver.Self) error {
				close(entered)
				<-s.Context().Done()
				s.Continue("after") // must not run either
				return context.Cause(s.Context())
			}
			terminated := make(chan error, 1)
			continued := make(chan any, 1)
			pid := start(t, node, &srv{
				call: func(s *genserver.Self, _ genserver.From, _ any) (any, error) { return nil, block(s) },
				cast: func(s *genserver.Self, _ any) error {
					_ = block(s)
					return nil // so a zombie would go on to its continue
				},
				info: func(s *genserver.Self, msg any) error {
					if msg == "continue" {
						s.Continue("block")
						return nil
					}
					return block(s)
				},
				cont: func(s *genserver.Self, c any) error {
					if c == "block" {
						return block(s)
					}
					continued <- c
					return nil
				},
				terminated: terminated,
			})
			calls := make(chan error, 1)
			switch callback {
			case "call":
				go func() { _, err := genserver.Call[any](context.Background(), pid, 1); calls <- err }()
			case "cast":
				_ = genserver.Cast(pid, 1)
			case "info":
				_ = node.Send(pid, 1)
			case "continue":
				_ = node.Send(pid, "continue")
			}
			<-entered
			_ = node.Exit(pid, process.Kill)
			if callback == "call" {
				if err := recv(t, calls); !errors.Is(err, process.Killed) {
					t.Errorf("Call = %v; want the exit reason killed", err)
				}
			}
			// The killed callback's goroutine is a zombie until it returns.
			otptest.Eventually(t, waitTimeout, func() bool { return node.Stats().Zombies == 0 },
				"the killed callback did not return")
			if len(terminated) != 0 || len(continued) != 0 {
				t.Errorf("after a kill: Terminate ran %d times, continues ran %d times; want none",
					len(terminated), len(continued))
			}
		})
	}
}

func TestTerminateOnNodeStop(t *testing.T) {
	node := otptest.NewNode(t)
	terminated := make(chan error, 1)
	start(t, node, &srv{
		init:       func(s *genserver.Self) error { s.TrapExit(true); return nil },
		terminated: terminated,
	})
	if err := node.Stop(context.Background()); err != nil {
		t.Fatalf("node.Stop = %v", err)
	}
	select {
	case r := <-terminated:
		if r != process.Shutdown {
			t.Errorf("Terminate(%v); want shutdown", r)
		}
	default:
		t.Errorf("Terminate did not run when the node stopped a trapping server")
	}
}

func TestSelfStopWithNoReply(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		pid := start(t, node, &srv{call: func(s *genserver.Self, _ genserver.From, _ any) (any, error) {
			s.NoReply()
			s.Stop(process.Normal)
			return "not sent", nil
		}})
		t0 := time.Now()
		_, err := genserver.Call[string](context.Background(), pid, 1)
		if !errors.Is(err, process.Normal) || time.Since(t0) != 0 {
			t.Errorf("Call = %v after %v; want the exit reason normal at once", err, time.Since(t0))
		}
	})
}

func TestStop(t *testing.T) {
	node := otptest.NewNode(t)

	t.Run("Terminate panics", func(t *testing.T) {
		pid := start(t, node, &srv{term: func(*genserver.Self, error) { panic("terminate exploded") }})
		err := genserver.Stop(pid, process.Normal, waitTimeout)
		var se *genserver.StopError
		var pe *process.PanicError
		if !errors.As(err, &se) || se.Want != process.Normal || !errors.As(err, &pe) {
			t.Errorf("Stop = %v; want *StopError{normal, panic}", err)
		}
	})
	t.Run("Terminate sees reason", func(t *testing.T) {
		terminated := make(chan error, 1)
		pid := start(t, node, &srv{terminated: terminated}, genserver.WithName("stoppable"))
		if err := genserver.Stop(node.Name("stoppable"), nil, waitTimeout); err != nil {
			t.Errorf("Stop(name, nil) = %v", err)
		}
		if r := recv(t, terminated); r != process.Normal {
			t.Errorf("Terminate(%v); want normal for a nil reason", r)
		}
		if _, err := node.Info(pid); err == nil {
			t.Errorf("server alive after Stop returned")
		}
	})
	t.Run("dead pid", func(t *testing.T) {
		pid := start(t, node, &srv{})
		if err := genserver.Stop(pid, process.Normal, waitTimeout); err != nil {
			t.Fatal(err)
		}
		err := genserver.Stop(pid, process.Normal, waitTimeout)
		var ce *genserver.CallError
		if !errors.As(err, &ce) || !errors.Is(err, process.NoProc) {
			t.Errorf("Stop of a dead PID = %v; want *CallError matching NoProc", err)
		}
	})
	t.Run("Infinity", func(t *testing.T) {
		pid := start(t, node, &srv{})
		if err := genserver.Stop(pid, process.Shutdown, genserver.Infinity); err != nil {
			t.Errorf("Stop(Infinity) = %v; want nil", err)
		}
	})
}

func TestStopTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		entered, release := make(chan struct{}), make(chan struct{})
		pid := start(t, node, &srv{cast: func(*genserver.Self, any) error {
			close(entered)
			<-release
			return nil
		}})
		_ = genserver.Cast(pid, "block")
		<-entered
		t0 := time.Now()
		err := genserver.Stop(pid, process.Normal, 3*time.Second)
		if !errors.Is(err, genserver.ErrTimeout) || time.Since(t0) != 3*time.Second {
			t.Errorf("Stop = %v after %v; want ErrTimeout after 3s", err, time.Since(t0))
		}
		close(release)
	})
}

// syncBuffer is a bytes.Buffer safe for the server's goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLoggerReportsAbnormalTermination(t *testing.T) {
	node := otptest.NewNode(t)
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))

	quiet := start(t, node, &srv{}, genserver.WithLogger(logger))
	if err := genserver.Stop(quiet, process.ShutdownWith("done"), waitTimeout); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "" {
		t.Errorf("a {shutdown,_} stop logged %q; want nothing", buf.String())
	}
	loud := start(t, node, &srv{}, genserver.WithLogger(logger))
	pr := watch(t, node, loud)
	_ = genserver.Cast(loud, "x")
	_ = node.Send(loud, "y")
	if err := genserver.Stop(loud, errBoom, waitTimeout); err != nil {
		t.Fatal(err)
	}
	pr.ExpectDown(t, waitTimeout)
	out := buf.String()
	if !strings.Contains(out, "generic server terminating") || !strings.Contains(out, "reason=boom") || !strings.Contains(out, loud.String()) {
		t.Errorf("log = %q; want an error report with pid and reason", out)
	}
}
