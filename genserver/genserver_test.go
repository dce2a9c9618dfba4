package genserver_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// waitTimeout bounds every wait on an event in these tests. Tests that
// wait on time itself run in a synctest bubble instead.
const waitTimeout = 5 * time.Second

var errBoom = errors.New("boom")

// srv is a server whose callbacks are set per test. Nil callbacks do
// nothing (HandleCall replies with the request). Terminate sends its
// reason on terminated when that is set.
type srv struct {
	init       func(s *genserver.Self) error
	call       func(s *genserver.Self, from genserver.From, req any) (any, error)
	cast       func(s *genserver.Self, msg any) error
	info       func(s *genserver.Self, msg any) error
	cont       func(s *genserver.Self, c any) error
	term       func(s *genserver.Self, reason error)
	terminated chan error
}

func (x *srv) Init(s *genserver.Self) error {
	if x.init == nil {
		return nil
	}
	return x.init(s)
}

func (x *srv) HandleCall(s *genserver.Self, from genserver.From, req any) (any, error) {
	if x.call == nil {
		return req, nil
	}
	return x.call(s, from, req)
}

func (x *srv) HandleCast(s *genserver.Self, msg any) error {
	if x.cast == nil {
		return nil
	}
	return x.cast(s, msg)
}

func (x *srv) HandleInfo(s *genserver.Self, msg any) error {
	if x.info == nil {
		return nil
	}
	return x.info(s, msg)
}

func (x *srv) HandleContinue(s *genserver.Self, c any) error {
	if x.cont == nil {
		return nil
	}
	return x.cont(s, c)
}

func (x *srv) Terminate(s *genserver.Self, reason error) {
	if x.terminated != nil {
		x.terminated <- reason
	}
	if x.term != nil {
		x.term(s, reason)
	}
}

// initOnly implements nothing but Init.
type initOnly struct{}

func (initOnly) Init(*genserver.Self) error { return nil }

// start starts x on node and fails the test on error.
func start(t *testing.T, node *process.Node, x genserver.Server, opts ...genserver.StartOption) process.PID {
	t.Helper()
	pid, err := genserver.Start(node, x, opts...)
	if err != nil {
		t.Fatalf("Start = %v; want nil", err)
	}
	return pid
}

// watch returns a probe monitoring pid.
func watch(t *testing.T, node *process.Node, pid process.PID) *otptest.Probe {
	t.Helper()
	pr := otptest.NewProbe(t, node)
	pr.Monitor(pid)
	return pr
}

// recv returns the next value of ch, failing the test after waitTimeout.
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitTimeout):
		t.Fatalf("nothing received within %v", waitTimeout)
		panic("unreachable")
	}
}

// pidOf makes Init report the server's PID on the returned channel.
func pidOf(x *srv) <-chan process.PID {
	ch := make(chan process.PID, 1)
	prev := x.init
	x.init = func(s *genserver.Self) error {
		ch <- s.PID()
		if prev != nil {
			return prev(s)
		}
		return nil
	}
	return ch
}

// ---------------------------------------------------------------- Start

func TestStartReturnsAfterInit(t *testing.T) {
	node := otptest.NewNode(t)
	initDone := false // written by Init, read here: the race detector checks Start's ordering
	pid := start(t, node, &srv{init: func(*genserver.Self) error { initDone = true; return nil }})
	if !initDone {
		t.Errorf("Start returned before Init finished")
	}
	if !node.IsAlive(pid) {
		t.Errorf("IsAlive(%v) = false after Start; want true", pid)
	}
	info, err := node.Info(pid)
	if err != nil || info.Behaviour != "genserver" {
		t.Errorf("Info(%v) = %+v, %v; want behaviour genserver", pid, info, err)
	}
}

func TestStartInitFailure(t *testing.T) {
	tests := []struct {
		name  string
		init  func(*genserver.Self) error
		check func(t *testing.T, err error)
	}{
		{
			name: "error",
			init: func(*genserver.Self) error { return fmt.Errorf("wrapped: %w", errBoom) },
			check: func(t *testing.T, err error) {
				var ie *genserver.InitError
				if !errors.As(err, &ie) || !errors.Is(err, errBoom) {
					t.Errorf("Start = %v; want *InitError matching errBoom", err)
				}
			},
		},
		{
			name: "panic",
			init: func(*genserver.Self) error { panic("init exploded") },
			check: func(t *testing.T, err error) {
				var ie *genserver.InitError
				var pe *process.PanicError
				if !errors.As(err, &ie) || !errors.As(err, &pe) || pe.Value != "init exploded" {
					t.Errorf("Start = %v; want *InitError wrapping *process.PanicError", err)
				}
				if pe != nil && !bytes.Contains(pe.Stack, []byte("genserver_test")) {
					t.Errorf("panic stack does not show the panicking Init:\n%s", pe.Stack)
				}
			},
		},
		{
			name: "ignore",
			init: func(*genserver.Self) error { return genserver.Ignore },
			check: func(t *testing.T, err error) {
				if !errors.Is(err, genserver.ErrIgnored) {
					t.Errorf("Start = %v; want ErrIgnored", err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			node := otptest.NewNode(t)
			x := &srv{init: tc.init, terminated: make(chan error, 1)}
			pids := pidOf(x)
			pid, err := genserver.Start(node, x)
			tc.check(t, err)
			if !pid.IsZero() {
				t.Errorf("Start returned pid %v with an error; want the zero PID", pid)
			}
			child := recv(t, pids)
			// Start returns after the failed process is dead (OTP 26).
			if _, err := node.Info(child); err == nil {
				t.Errorf("process %v alive after Start failed", child)
			}
			if len(x.terminated) != 0 {
				t.Errorf("Terminate ran after a failed Init")
			}
		})
	}
}

func TestStartInitTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		x := &srv{init: func(s *genserver.Self) error {
			<-s.Context().Done() // stuck until killed
			return context.Cause(s.Context())
		}}
		pids := pidOf(x)
		t0 := time.Now()
		_, err := genserver.Start(node, x, genserver.WithInitTimeout(2*time.Second))
		if !errors.Is(err, genserver.ErrTimeout) {
			t.Errorf("Start = %v; want ErrTimeout", err)
		}
		if d := time.Since(t0); d != 2*time.Second {
			t.Errorf("Start waited %v; want 2s", d)
		}
		if pid := <-pids; node.IsAlive(pid) {
			t.Errorf("process %v alive after init timeout; want killed", pid)
		}
	})
}

func TestStartDefaultInitTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		t0 := time.Now()
		_, err := genserver.Start(node, &srv{init: func(s *genserver.Self) error {
			<-s.Context().Done()
			return nil
		}})
		if !errors.Is(err, genserver.ErrTimeout) || time.Since(t0) != genserver.DefaultInitTimeout {
			t.Errorf("Start = %v after %v; want ErrTimeout after %v", err, time.Since(t0), genserver.DefaultInitTimeout)
		}
	})
}

func TestStartContextCancelled(t *testing.T) {
	node := otptest.NewNode(t)
	ctx, cancel := context.WithCancel(context.Background())
	inInit := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := genserver.Start(node, &srv{init: func(s *genserver.Self) error {
			close(inInit)
			<-s.Context().Done()
			return nil
		}}, genserver.WithContext(ctx))
		done <- err
	}()
	<-inInit
	cancel()
	err := recv(t, done)
	if !errors.Is(err, context.Canceled) || errors.Is(err, genserver.ErrTimeout) {
		t.Errorf("Start = %v; want context.Canceled, not ErrTimeout", err)
	}
}

func TestStartNameTaken(t *testing.T) {
	node := otptest.NewNode(t)
	holder := start(t, node, &srv{}, genserver.WithName("db"))
	if pid, ok := node.WhereIs("db"); !ok || pid != holder {
		t.Fatalf("WhereIs(db) = %v, %v; want %v", pid, ok, holder)
	}
	initRan := false
	_, err := genserver.Start(node, &srv{init: func(*genserver.Self) error { initRan = true; return nil }}, genserver.WithName("db"))
	var ae *genserver.AlreadyStartedError
	if !errors.As(err, &ae) || ae.PID != holder || ae.Name != "db" {
		t.Errorf("second Start = %v; want *AlreadyStartedError{db, %v}", err, holder)
	}
	if initRan {
		t.Errorf("Init ran for a server whose name was taken")
	}
	if got, err := genserver.Call[string](context.Background(), node.Name("db"), "hi"); err != nil || got != "hi" {
		t.Errorf("Call(db) = %q, %v; want hi", got, err)
	}
}

// TestStartLinkInitFailure is OTP 26's start_link: a failed Init unlinks
// first, so the parent neither dies nor gets an exit message.
func TestStartLinkInitFailure(t *testing.T) {
	for _, trap := range []bool{false, true} {
		t.Run(fmt.Sprintf("trap=%v", trap), func(t *testing.T) {
			node := otptest.NewNode(t)
			parent := otptest.NewProbe(t, node)
			parent.TrapExit(trap)
			watcher := otptest.NewProbe(t, node)
			proceed := make(chan struct{})
			x := &srv{init: func(*genserver.Self) error { <-proceed; return errBoom }}
			pids := pidOf(x)
			started := make(chan error, 1)
			go parent.Do(func(p *process.Proc) {
				_, err := genserver.StartLink(p, x)
				started <- err
			})
			child := recv(t, pids)
			watcher.Monitor(child)
			close(proceed)
			if err := recv(t, started); !errors.Is(err, errBoom) {
				t.Errorf("StartLink = %v; want errBoom", err)
			}
			// A dying process signals its links before its monitors: once
			// the Down is here, an exit signal would have reached the parent.
			if d := watcher.ExpectDown(t, waitTimeout); !errors.Is(d.Reason, errBoom) {
				t.Errorf("child exited with %v; want boom", d.Reason)
			}
			if !node.IsAlive(parent.PID()) {
				t.Fatalf("parent died with its child's Init")
			}
			parent.Do(func(*process.Proc) {}) // anything sent to it before is queued now
			if parent.Len() != 0 {
				t.Errorf("parent got %v; want no message", parent.Expect(t, 0))
			}
		})
	}
}

func TestStartLinkSuccessLinks(t *testing.T) {
	node := otptest.NewNode(t)
	parent := otptest.NewProbe(t, node, process.TrapExits())
	var pid process.PID
	var err error
	parent.Do(func(p *process.Proc) { pid, err = genserver.StartLink(p, &srv{}) })
	if err != nil {
		t.Fatalf("StartLink = %v", err)
	}
	info, err := node.Info(pid)
	if err != nil || info.Parent != parent.PID() || len(info.Links) != 1 || info.Links[0] != parent.PID() {
		t.Fatalf("Info(%v) = %+v, %v; want parent and link %v", pid, info, err, parent.PID())
	}
	if err := genserver.Stop(pid, errBoom, waitTimeout); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	if e := parent.ExpectExit(t, waitTimeout); e.From != pid || !errors.Is(e.Reason, errBoom) {
		t.Errorf("parent got %+v; want Exit{%v, boom}", e, pid)
	}
}

// TestBadOptionsStartNothing: bad options start no process and send no
// message (badinput_test.go walks the whole API).
func TestBadOptionsStartNothing(t *testing.T) {
	node := otptest.NewNode(t)
	parent := otptest.NewProbe(t, node)
	tests := []struct {
		name string
		run  func() error
	}{
		{"nil node", func() error { _, err := genserver.Start(nil, &srv{}); return err }},
		{"nil server", func() error { _, err := genserver.Start(node, nil); return err }},
		{"nil parent", func() error { _, err := genserver.StartLink(nil, &srv{}); return err }},
		{"nil server linked", func() error {
			var err error
			parent.Do(func(p *process.Proc) { _, err = genserver.StartLink(p, nil) })
			return err
		}},
		{"nil option", func() error { _, err := genserver.Start(node, &srv{}, nil); return err }},
		{"empty name", func() error { _, err := genserver.Start(node, &srv{}, genserver.WithName("")); return err }},
		{"zero init timeout", func() error {
			_, err := genserver.Start(node, &srv{}, genserver.WithInitTimeout(0))
			return err
		}},
		{"negative init timeout", func() error {
			_, err := genserver.Start(node, &srv{}, genserver.WithInitTimeout(-time.Second))
			return err
		}},
		{"nil context", func() error {
			//lint:ignore SA1012 testing the nil check
			_, err := genserver.Start(node, &srv{}, genserver.WithContext(nil))
			return err
		}},
		{"zero spawn option", func() error {
			_, err := genserver.Start(node, &srv{}, genserver.WithSpawnOptions(process.SpawnOption{}))
			return err
		}},
		{"bad spawn option", func() error {
			_, err := genserver.Start(node, &srv{}, genserver.WithSpawnOptions(process.WithName("")))
			return err
		}},
		{"link without parent", func() error {
			_, err := genserver.Start(node, &srv{}, genserver.WithSpawnOptions(process.Linked()))
			return err
		}},
		{"call nil context", func() error {
			//lint:ignore SA1012 testing the nil check
			_, err := genserver.Call[int](nil, parent.PID(), 1)
			return err
		}},
		{"call zero timeout", func() error {
			_, err := genserver.Call[int](context.Background(), parent.PID(), 1, genserver.WithTimeout(0))
			return err
		}},
		{"call negative timeout", func() error {
			_, err := genserver.Call[int](context.Background(), parent.PID(), 1, genserver.WithTimeout(-2))
			return err
		}},
		{"call nil option", func() error {
			_, err := genserver.Call[int](context.Background(), parent.PID(), 1, nil)
			return err
		}},
		{"stop zero timeout", func() error { return genserver.Stop(parent.PID(), nil, 0) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.run(); !errors.Is(err, genserver.ErrInvalidOption) {
				t.Errorf("%s: err = %v; want ErrInvalidOption", tc.name, err)
			}
		})
	}
	if n := len(node.Processes()); n != 1 {
		t.Errorf("%d processes after bad starts; want only the probe", n)
	}
	parent.Do(func(*process.Proc) {}) // anything sent to it before is queued now
	if parent.Len() != 0 {
		t.Errorf("a bad call reached a process: %v", parent.Expect(t, 0))
	}
}

// TestBadSpawnOptionMessage: a spawn option the process runtime rejects
// comes back from Start as the runtime's own error, with its message
// unchanged (no second "invalid argument" prefix), and still matches
// ErrInvalidArgument and process.ErrInvalidOption.
func TestBadSpawnOptionMessage(t *testing.T) {
	node := otptest.NewNode(t)
	_, want := node.Spawn(func(*process.Proc) error { return nil }, process.WithName(""))
	if want == nil {
		t.Fatal("Spawn(WithName(\"\")) = nil; want an error")
	}
	_, err := genserver.Start(node, &srv{}, genserver.WithSpawnOptions(process.WithName("")))
	if err == nil || err.Error() != want.Error() {
		t.Errorf("Start(bad spawn option) = %v; want the spawn's error %q as is", err, want)
	}
	if !errors.Is(err, genserver.ErrInvalidArgument) || !errors.Is(err, process.ErrInvalidOption) {
		t.Errorf("Start(bad spawn option) = %v; want it to match ErrInvalidArgument and process.ErrInvalidOption", err)
	}
}

// TestCallNilDest: a nil destination is bad input, an *ArgumentError
// (see badinput_test.go for the rest of the API).
func TestCallNilDest(t *testing.T) {
	_, err := genserver.Call[int](context.Background(), nil, 1)
	var ae *genserver.ArgumentError
	if !errors.As(err, &ae) || ae.Arg != "dest" || !errors.Is(err, genserver.ErrInvalidArgument) {
		t.Errorf("Call(nil) = %v; want an *ArgumentError for dest", err)
	}
	if err := genserver.Cast(nil, 1); !errors.Is(err, genserver.ErrInvalidArgument) {
		t.Errorf("Cast(nil) = %v; want ErrInvalidArgument", err)
	}
	if err := genserver.Stop(nil, nil, time.Second); !errors.Is(err, genserver.ErrInvalidArgument) {
		t.Errorf("Stop(nil) = %v; want ErrInvalidArgument", err)
	}
}

// ---------------------------------------------------------------- Call

type point struct{ X, Y int }

func TestCallTyped(t *testing.T) {
	node := otptest.NewNode(t)
	pid := start(t, node, &srv{call: func(_ *genserver.Self, _ genserver.From, req any) (any, error) {
		switch req {
		case "int":
			return 42, nil
		case "nil":
			return nil, nil
		case "point":
			return &point{1, 2}, nil
		case "error":
			return nil, fmt.Errorf("bad request: %w", errBoom)
		}
		return req, nil
	}})
	ctx := context.Background()

	if v, err := genserver.Call[int](ctx, pid, "int"); err != nil || v != 42 {
		t.Errorf("Call[int](int) = %v, %v; want 42, nil", v, err)
	}
	v, err := genserver.Call[string](ctx, pid, "int")
	var bre *genserver.BadReplyError
	if !errors.As(err, &bre) || bre.Want != "string" || bre.Reply != 42 || v != "" {
		t.Errorf("Call[string](int) = %q, %v; want *BadReplyError{string, 42}", v, err)
	}
	if p, err := genserver.Call[*point](ctx, pid, "nil"); err != nil || p != nil {
		t.Errorf("Call[*point](nil) = %v, %v; want nil, nil", p, err)
	}
	if p, err := genserver.Call[*point](ctx, pid, "point"); err != nil || *p != (point{1, 2}) {
		t.Errorf("Call[*point](point) = %v, %v; want &{1 2}", p, err)
	}
	if _, err := genserver.Call[int](ctx, pid, "nil"); !errors.As(err, &bre) {
		t.Errorf("Call[int](nil) = %v; want *BadReplyError", err)
	}
	if v, err := genserver.Call[any](ctx, pid, "nil"); err != nil || v != nil {
		t.Errorf("Call[any](nil) = %v, %v; want nil, nil", v, err)
	}
	if _, err := genserver.Call[int](ctx, pid, "error"); !errors.Is(err, errBoom) {
		t.Errorf("Call(error) = %v; want errBoom", err)
	}
	var ce *genserver.CallError
	if _, err := genserver.Call[int](ctx, pid, "error"); errors.As(err, &ce) {
		t.Errorf("HandleCall's error came back as *CallError %v; want it as is", err)
	}
	if v, err := genserver.Call[int](ctx, pid, "int"); err != nil || v != 42 {
		t.Errorf("Call after an error reply = %v, %v; want the server alive", v, err)
	}
}

func TestCallTimeout(t *testing.T) {
	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		opts []genserver.CallOption
		want time.Duration
	}{
		{"WithTimeout", noDeadline, []genserver.CallOption{genserver.WithTimeout(50 * time.Millisecond)}, 50 * time.Millisecond},
		{"default", noDeadline, nil, genserver.DefaultCallTimeout},
		{"ctx deadline", deadline(2 * time.Second), nil, 2 * time.Second},
		{"ctx deadline overrides default", deadline(7 * time.Second), nil, 7 * time.Second},
		{"shorter of both", deadline(3 * time.Second), []genserver.CallOption{genserver.WithTimeout(time.Second)}, time.Second},
		{"Infinity uses ctx", deadline(9 * time.Second), []genserver.CallOption{genserver.WithTimeout(genserver.Infinity)}, 9 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				node := otptest.NewNode(t)
				pid := start(t, node, &srv{call: func(s *genserver.Self, _ genserver.From, _ any) (any, error) {
					s.NoReply() // and never reply
					return nil, nil
				}})
				ctx, cancel := tc.ctx()
				defer cancel()
				t0 := time.Now()
				_, err := genserver.Call[int](ctx, pid, "hello", tc.opts...)
				if d := time.Since(t0); d != tc.want {
					t.Errorf("Call timed out after %v; want %v", d, tc.want)
				}
				var ce *genserver.CallError
				if !errors.As(err, &ce) || !errors.Is(err, genserver.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("Call = %v; want *CallError matching ErrTimeout and DeadlineExceeded", err)
				}
				if err != nil && !strings.Contains(err.Error(), "timed out after "+tc.want.String()) {
					t.Errorf("error text %q does not say after %v", err, tc.want)
				}
				if !node.IsAlive(pid) {
					t.Errorf("server died from a caller's timeout")
				}
			})
		})
	}
}

func noDeadline() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}

func deadline(d time.Duration) func() (context.Context, context.CancelFunc) {
	return func() (context.Context, context.CancelFunc) { return context.WithTimeout(context.Background(), d) }
}

func TestCallContextCancelled(t *testing.T) {
	node := otptest.NewNode(t)
	calls := make(chan any, 4)
	pid := start(t, node, &srv{call: func(s *genserver.Self, _ genserver.From, req any) (any, error) {
		calls <- req
		if req == "block" {
			s.NoReply()
		}
		return req, nil
	}})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-calls; cancel() }()
	_, err := genserver.Call[string](ctx, pid, "block")
	if !errors.Is(err, context.Canceled) || errors.Is(err, genserver.ErrTimeout) {
		t.Errorf("Call = %v; want context.Canceled, not a timeout", err)
	}
	// A context that is already done fails the call without sending it.
	if _, err := genserver.Call[string](ctx, pid, "after cancel"); !errors.Is(err, context.Canceled) {
		t.Errorf("Call with a done context = %v; want context.Canceled", err)
	}
	if v, err := genserver.Call[string](context.Background(), pid, "sync"); err != nil || v != "sync" {
		t.Fatalf("Call(sync) = %q, %v", v, err)
	}
	if got := <-calls; got != "sync" {
		t.Errorf("server handled %v after the cancelled call; want only sync", got)
	}
}

func TestCallDeadCallee(t *testing.T) {
	node := otptest.NewNode(t)
	pid := start(t, node, &srv{})
	if err := genserver.Stop(pid, process.Normal, waitTimeout); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	tests := []struct {
		name string
		dest process.Dest
	}{
		{"dead pid", pid},
		{"unregistered name", node.Name("nobody")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := genserver.Call[int](context.Background(), tc.dest, 1)
			var ce *genserver.CallError
			if !errors.As(err, &ce) || !errors.Is(err, process.NoProc) || ce.Dest != tc.dest {
				t.Errorf("Call(%v) = %v; want *CallError{%v} matching NoProc", tc.dest, err, tc.dest)
			}
		})
	}
}

func TestCallStoppedNode(t *testing.T) {
	node := otptest.NewNode(t)
	pid := start(t, node, &srv{})
	if err := node.Stop(context.Background()); err != nil {
		t.Fatalf("node.Stop = %v", err)
	}
	if _, err := genserver.Call[int](context.Background(), pid, 1); !errors.Is(err, process.ErrNodeStopped) {
		t.Errorf("Call on a stopped node = %v; want ErrNodeStopped", err)
	}
	if _, err := genserver.Start(node, &srv{}); !errors.Is(err, process.ErrNodeStopped) {
		t.Errorf("Start on a stopped node = %v; want ErrNodeStopped", err)
	}
}

// TestCalleeDiesMidCall: the call fails at once with the exit reason,
// not with a timeout.
func TestCalleeDiesMidCall(t *testing.T) {
	tests := []struct {
		name  string
		kill  func(node *process.Node, pid process.PID, unblock chan<- struct{})
		check func(err error) bool
	}{
		{
			name: "killed",
			kill: func(node *process.Node, pid process.PID, _ chan<- struct{}) { _ = node.Exit(pid, process.Kill) },
			check: func(err error) bool {
				return errors.Is(err, process.Killed)
			},
		},
		{
			name: "panics",
			kill: func(_ *process.Node, _ process.PID, unblock chan<- struct{}) { unblock <- struct{}{} },
			check: func(err error) bool {
				var pe *process.PanicError
				return errors.As(err, &pe) && pe.Value == "handler exploded"
			},
		},
		{
			name: "exit signal",
			kill: func(node *process.Node, pid process.PID, _ chan<- struct{}) { _ = node.Exit(pid, errBoom) },
			check: func(err error) bool {
				return errors.Is(err, errBoom)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				node := otptest.NewNode(t)
				entered := make(chan struct{})
				unblock := make(chan struct{})
				pid := start(t, node, &srv{call: func(s *genserver.Self, _ genserver.From, _ any) (any, error) {
					close(entered)
					select {
					case <-unblock:
						panic("handler exploded")
					case <-s.Context().Done(): // killed: return so no zombie is left
						return nil, nil
					}
				}})
				go func() { <-entered; tc.kill(node, pid, unblock) }()
				t0 := time.Now()
				_, err := genserver.Call[int](context.Background(), pid, 1)
				var ce *genserver.CallError
				if !errors.As(err, &ce) || !tc.check(err) {
					t.Errorf("Call = %v; want *CallError with the exit reason", err)
				}
				if errors.Is(err, genserver.ErrTimeout) || time.Since(t0) != 0 {
					t.Errorf("Call returned %v after %v; want at once", err, time.Since(t0))
				}
			})
		})
	}
}

func TestCallNotImplemented(t *testing.T) {
	node := otptest.NewNode(t)
	pid := start(t, node, initOnly{})
	_, err := genserver.Call[int](context.Background(), pid, 1)
	if !errors.Is(err, genserver.ErrNotImplemented) {
		t.Errorf("Call to a server without HandleCall = %v; want ErrNotImplemented", err)
	}
}

func TestDeferredReply(t *testing.T) {
	node := otptest.NewNode(t)
	froms := make(chan genserver.From, 1)
	var pending []genserver.From // owned by the server
	pid := start(t, node, &srv{
		call: func(s *genserver.Self, from genserver.From, _ any) (any, error) {
			pending = append(pending, from)
			s.NoReply()
			froms <- from
			return "ignored", nil // NoReply: the value is not sent
		},
		info: func(_ *genserver.Self, msg any) error {
			from := pending[0]
			pending = pending[1:]
			switch msg {
			case "reply":
				genserver.Reply(from, 7)
				genserver.Reply(from, 8) // only the first reply counts
			case "error":
				genserver.ReplyError(from, errBoom)
			}
			return nil
		},
	})
	for _, tc := range []struct {
		msg  string
		want int
		err  error
	}{
		{"reply", 7, nil},
		{"error", 0, errBoom},
	} {
		done := make(chan error, 1)
		var got int
		go func() {
			var err error
			got, err = genserver.Call[int](context.Background(), pid, "q")
			done <- err
		}()
		from := recv(t, froms)
		if !from.Caller().IsZero() {
			t.Errorf("From.Caller() = %v for a call from outside any process; want zero", from.Caller())
		}
		_ = node.Send(pid, tc.msg)
		if err := recv(t, done); !errors.Is(err, tc.err) || (tc.err == nil && err != nil) || got != tc.want {
			t.Errorf("deferred %s: Call = %v, %v; want %v, %v", tc.msg, got, err, tc.want, tc.err)
		}
	}
	genserver.Reply(genserver.From{}, 1) // the zero From is ignored
}

func TestFromCallerIsCallingProcess(t *testing.T) {
	node := otptest.NewNode(t)
	pid := start(t, node, &srv{call: func(_ *genserver.Self, from genserver.From, _ any) (any, error) {
		return from.Caller(), nil
	}})
	caller := otptest.NewProbe(t, node)
	var got process.PID
	var err error
	caller.Do(func(p *process.Proc) { got, err = genserver.Call[process.PID](p.Context(), pid, "who") })
	if err != nil || got != caller.PID() {
		t.Errorf("From.Caller() = %v, %v; want %v", got, err, caller.PID())
	}
}

// TestLateReplyDiscarded: a reply sent after its call timed out reaches
// neither the next call nor the caller's mailbox.
func TestLateReplyDiscarded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		var stale genserver.From // owned by the server
		pid := start(t, node, &srv{
			call: func(s *genserver.Self, from genserver.From, req any) (any, error) {
				if req == "slow" {
					stale = from
					s.NoReply()
					return nil, nil
				}
				return req, nil
			},
			info: func(_ *genserver.Self, msg any) error {
				if msg == "reply late" {
					genserver.Reply(stale, "late reply")
				}
				return nil
			},
		})
		type result struct {
			first       error
			second      string
			secondErr   error
			mailbox     int
			receiveErr  error
			receivedMsg any
		}
		results := make(chan result, 1)
		_, err := node.Spawn(func(p *process.Proc) error {
			var r result
			_, r.first = genserver.Call[string](p.Context(), pid, "slow", genserver.WithTimeout(50*time.Millisecond))
			if err := p.Send(pid, "reply late"); err != nil {
				return err
			}
			// The server handles "reply late" before this call: the late
			// reply has been sent when this one returns.
			r.second, r.secondErr = genserver.Call[string](p.Context(), pid, "fresh")
			r.mailbox = p.MailboxLen()
			r.receivedMsg, r.receiveErr = p.ReceiveTimeout(time.Second)
			results <- r
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		r := <-results
		if !errors.Is(r.first, genserver.ErrTimeout) {
			t.Errorf("first call = %v; want ErrTimeout", r.first)
		}
		if r.second != "fresh" || r.secondErr != nil {
			t.Errorf("second call = %q, %v; want its own reply fresh", r.second, r.secondErr)
		}
		if r.mailbox != 0 || !errors.Is(r.receiveErr, context.DeadlineExceeded) {
			t.Errorf("caller mailbox: len %d, Receive = %v, %v; want empty", r.mailbox, r.receivedMsg, r.receiveErr)
		}
	})
}

func TestCallingSelf(t *testing.T) {
	node := otptest.NewNode(t)
	pid := start(t, node, &srv{call: func(s *genserver.Self, _ genserver.From, req any) (any, error) {
		if req == "self" {
			_, err := genserver.Call[int](s.Context(), s.PID(), "inner")
			return nil, err
		}
		return req, nil
	}})
	_, err := genserver.Call[int](context.Background(), pid, "self")
	var ce *genserver.CallError
	if !errors.As(err, &ce) || !errors.Is(err, genserver.ErrCallingSelf) {
		t.Errorf("Call to self = %v; want *CallError matching ErrCallingSelf", err)
	}
}
