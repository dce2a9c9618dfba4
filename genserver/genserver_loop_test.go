package genserver_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

func TestCast(t *testing.T) {
	node := otptest.NewNode(t)
	var tr otptest.Trace
	pid := start(t, node, &srv{cast: func(_ *genserver.Self, msg any) error {
		tr.Addf("cast %v", msg)
		return nil
	}}, genserver.WithName("caster"))
	for i := range 3 {
		if err := genserver.Cast(pid, i); err != nil {
			t.Fatalf("Cast = %v", err)
		}
	}
	if err := genserver.Cast(node.Name("caster"), "by name"); err != nil {
		t.Fatalf("Cast(name) = %v", err)
	}
	tr.WaitN(t, 4, waitTimeout)
	tr.Equal(t, []string{"cast 0", "cast 1", "cast 2", "cast by name"})

	if err := genserver.Stop(pid, process.Normal, waitTimeout); err != nil {
		t.Fatal(err)
	}
	if err := genserver.Cast(pid, "to the dead"); err != nil {
		t.Errorf("Cast to a dead PID = %v; want nil (dropped, as in OTP)", err)
	}
	if err := genserver.Cast(node.Name("caster"), "to nobody"); !errors.Is(err, process.NoProc) {
		t.Errorf("Cast to an unregistered name = %v; want NoProc", err)
	}
}

func TestCastNotImplemented(t *testing.T) {
	node := otptest.NewNode(t)
	pid := start(t, node, initOnly{})
	pr := watch(t, node, pid)
	_ = genserver.Cast(pid, 1)
	if d := pr.ExpectDown(t, waitTimeout); !errors.Is(d.Reason, genserver.ErrNotImplemented) {
		t.Errorf("server without HandleCast exited with %v; want ErrNotImplemented", d.Reason)
	}
}

func TestHandleInfo(t *testing.T) {
	node := otptest.NewNode(t)
	infos := make(chan any, 8)
	worker := otptest.NewProbe(t, node)
	linked := otptest.NewProbe(t, node)
	pid := start(t, node, &srv{
		init: func(s *genserver.Self) error {
			s.TrapExit(true)
			if _, err := s.Monitor(worker.PID()); err != nil {
				return err
			}
			return s.Link(linked.PID())
		},
		info: func(_ *genserver.Self, msg any) error { infos <- msg; return nil },
	})
	_ = node.Send(pid, "plain")
	if m := recv(t, infos); m != "plain" {
		t.Errorf("HandleInfo got %v; want plain", m)
	}
	worker.Do(func(p *process.Proc) { _ = p.Exit(p.PID(), errBoom) })
	if d, ok := recv(t, infos).(process.Down); !ok || d.PID != worker.PID() || !errors.Is(d.Reason, errBoom) {
		t.Errorf("HandleInfo got %+v; want Down{%v, boom}", d, worker.PID())
	}
	linked.Do(func(p *process.Proc) { _ = p.Exit(p.PID(), errBoom) })
	if e, ok := recv(t, infos).(process.Exit); !ok || e.From != linked.PID() || !errors.Is(e.Reason, errBoom) {
		t.Errorf("HandleInfo got %+v; want Exit{%v, boom}", e, linked.PID())
	}
	if !node.IsAlive(pid) {
		t.Errorf("server died from a trapped exit of a non-parent")
	}
}

func TestHandleInfoMissingDropsMessages(t *testing.T) {
	node := otptest.NewNode(t)
	pid := start(t, node, initOnly{})
	_ = node.Send(pid, "dropped")
	if err := genserver.Stop(pid, process.Normal, waitTimeout); err != nil {
		t.Errorf("server without HandleInfo: Stop = %v; want it alive and stopping normally", err)
	}
}

func TestContinueRunsBeforeNextMessage(t *testing.T) {
	node := otptest.NewNode(t)
	var tr otptest.Trace
	gate1, gate2 := make(chan struct{}), make(chan struct{})
	pid := start(t, node, &srv{
		init: func(s *genserver.Self) error {
			tr.Add("init")
			s.Continue("c1")
			return nil
		},
		cont: func(s *genserver.Self, c any) error {
			tr.Addf("continue %v", c)
			switch c {
			case "c1":
				<-gate1 // m1 is queued while c1 runs
				s.Continue("c2")
				s.Continue("c3")
			case "after m1":
				<-gate2 // m2 is queued while this runs
			}
			return nil
		},
		cast: func(s *genserver.Self, msg any) error {
			tr.Addf("cast %v", msg)
			if msg == "m1" {
				s.Continue("after m1")
			}
			return nil
		},
	})
	_ = genserver.Cast(pid, "m1")
	close(gate1)
	tr.WaitFor(t, "continue after m1", waitTimeout)
	_ = genserver.Cast(pid, "m2")
	close(gate2)
	tr.WaitN(t, 7, waitTimeout)
	tr.Equal(t, []string{"init", "continue c1", "continue c2", "continue c3", "cast m1", "continue after m1", "cast m2"})
}

func TestContinueFailures(t *testing.T) {
	tests := []struct {
		name  string
		srv   genserver.Server
		check func(error) bool
	}{
		{"error", &srv{
			init: func(s *genserver.Self) error { s.Continue(1); return nil },
			cont: func(*genserver.Self, any) error { return errBoom },
		}, func(r error) bool { return errors.Is(r, errBoom) }},
		{"panic", &srv{
			init: func(s *genserver.Self) error { s.Continue(1); return nil },
			cont: func(*genserver.Self, any) error { panic("continue exploded") },
		}, func(r error) bool { var pe *process.PanicError; return errors.As(r, &pe) }},
		{"stop before later continues", &srv{
			init: func(s *genserver.Self) error { s.Continue(1); s.Continue(2); return nil },
			cont: func(s *genserver.Self, c any) error {
				if c == 2 {
					panic("continue 2 ran after a stop")
				}
				s.Stop(process.Shutdown)
				return nil
			},
		}, func(r error) bool { return r == process.Shutdown }},
		{"not implemented", &continueOnly{}, func(r error) bool { return errors.Is(r, genserver.ErrNotImplemented) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			exits := make(chan rt.Exited, 8)
			node := otptest.NewNode(t, rt.WithEventHook(func(e rt.Event) {
				if ex, ok := e.(rt.Exited); ok {
					exits <- ex
				}
			}))
			pid, err := genserver.Start(node, tc.srv)
			if err != nil {
				t.Fatalf("Start = %v; want nil (continues run after Start returns)", err)
			}
			ex := recv(t, exits)
			if ex.PID != pid || !tc.check(ex.Reason) {
				t.Errorf("%v exited with %v", ex.PID, process.FormatReason(ex.Reason))
			}
		})
	}
}

// continueOnly schedules a continue without implementing HandleContinue.
type continueOnly struct{}

func (continueOnly) Init(s *genserver.Self) error { s.Continue("x"); return nil }

func TestSetTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		t0 := time.Now()
		var tr otptest.Trace
		pid := start(t, node, &srv{
			init: func(s *genserver.Self) error { s.SetTimeout(time.Second); return nil },
			info: func(s *genserver.Self, msg any) error {
				tr.Addf("%v %T", time.Since(t0), msg)
				if msg == "rearm" {
					s.SetTimeout(3 * time.Second)
				}
				return nil
			},
			call: func(s *genserver.Self, _ genserver.From, req any) (any, error) {
				s.SetTimeout(2 * time.Second)
				return req, nil
			},
		})
		time.Sleep(10 * time.Second)
		synctest.Wait()
		// The timeout set in Init fired once, at 1s.
		tr.Equal(t, []string{"1s genserver.Timeout"})
		tr.Reset()
		t0 = time.Now()

		// A message cancels a pending timeout.
		if _, err := genserver.Call[string](context.Background(), pid, "arm"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		_ = node.Send(pid, "plain") // at 1s: cancels the 2s timeout
		time.Sleep(10 * time.Second)
		synctest.Wait()
		tr.Equal(t, []string{"1s string"})
		tr.Reset()
		t0 = time.Now()

		// A callback may re-arm it; each message restarts the clock.
		_ = node.Send(pid, "rearm")
		time.Sleep(2 * time.Second)
		_ = node.Send(pid, "rearm") // cancels the first, arms a new 3s
		time.Sleep(10 * time.Second)
		synctest.Wait()
		tr.Equal(t, []string{"0s string", "2s string", "5s genserver.Timeout"})
	})
}
