package process_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// nilCtx is a nil context, passed on purpose: it is bad input.
var nilCtx context.Context

// badCase is one call with bad input and the error it must return (nil
// for a call without an error result, whose check returns an error when
// it misbehaves).
type badCase struct {
	name string
	call func() error
	want error
}

// runBadCases runs every case, failing on a panic or a wrong error.
func runBadCases(t *testing.T, cases []badCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := otptest.NoPanic(tc.call)
			switch {
			case tc.want == nil && err != nil:
				t.Fatalf("%s = %v; want nil", tc.name, err)
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Fatalf("%s = %v; want an error matching %v", tc.name, err, tc.want)
			}
		})
	}
}

// zeroOr returns an error unless ok.
func zeroOr(ok bool, what string) error {
	if ok {
		return nil
	}
	return errors.New("got " + what)
}

type nopHandler struct{}

func (nopHandler) HandleMessage(*process.Proc, process.Msg) error { return nil }

func TestBadInput(t *testing.T) {
	inv := process.ErrInvalidArgument
	var nilNode *process.Node
	var nilProc *process.Proc
	node := otptest.NewNode(t)
	live := otptest.SpawnIdle(t, node)
	stopped, err := process.NewNode()
	if err != nil {
		t.Fatal(err)
	}
	if err := stopped.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	fn := func(*process.Proc) error { return nil }

	runBadCases(t, []badCase{
		// The error values of the package.
		{"ErrInvalidPID", func() error { return process.ErrInvalidPID }, inv},
		{"ErrInvalidOption", func() error { return process.ErrInvalidOption }, inv},

		// NewNode and its options.
		{"NewNode(nil option)", func() error { _, err := process.NewNode(nil); return err }, inv},
		{"NewNode(nil *Config)", func() error { _, err := process.NewNode((*process.Config)(nil)); return err }, inv},
		{"WithEventHook(nil)", func() error { _, err := process.NewNode(rt.WithEventHook(nil)); return err }, inv},
		{"Config{ZombieGrace: -1}", func() error { _, err := process.NewNode(process.Config{ZombieGrace: -1}); return err }, inv},
		{"Config{StopGrace: -1}", func() error { _, err := process.NewNode(process.Config{StopGrace: -1}); return err }, inv},
		{"Config{MaxIdleWorkers: -1}", func() error { _, err := process.NewNode(process.Config{MaxIdleWorkers: -1}); return err }, inv},

		// Methods of a nil *Node with an error result.
		{"nil Node.Send", func() error { return nilNode.Send(live, "x") }, inv},
		{"nil Node.SendDest", func() error { return nilNode.SendDest(live, "x") }, inv},
		{"nil Node.SendAfter", func() error { _, err := nilNode.SendAfter(live, "x", time.Second); return err }, inv},
		{"nil Node.Spawn", func() error { _, err := nilNode.Spawn(fn); return err }, inv},
		{"nil Node.SpawnHandler", func() error { _, err := nilNode.SpawnHandler(nopHandler{}); return err }, inv},
		{"nil Node.Exit", func() error { return nilNode.Exit(live, process.Kill) }, inv},
		{"nil Node.Info", func() error { _, err := nilNode.Info(live); return err }, inv},
		{"nil Node.Register", func() error { return nilNode.Register("n", live) }, inv},
		{"nil Node.Stop", func() error { return nilNode.Stop(context.Background()) }, inv},
		{"nil Node.Name.Resolve", func() error { _, err := nilNode.Name("n").Resolve(); return err }, inv},
		// Methods of a nil *Node without one: zero values.
		{"nil Node.ID", func() error { return zeroOr(nilNode.ID() == 0, "a node id") }, nil},
		{"nil Node.Stopped", func() error { return zeroOr(!nilNode.Stopped(), "true") }, nil},
		{"nil Node.Stats", func() error { return zeroOr(nilNode.Stats() == process.Stats{}, "counters") }, nil},
		{"nil Node.Processes", func() error { return zeroOr(nilNode.Processes() == nil, "processes") }, nil},
		{"nil Node.Registered", func() error { return zeroOr(nilNode.Registered() == nil, "names") }, nil},
		{"nil Node.MakeRef", func() error { return zeroOr(nilNode.MakeRef().IsZero(), "a ref") }, nil},
		{"nil Node.IsAlive", func() error { return zeroOr(!nilNode.IsAlive(live), "alive") }, nil},
		{"nil Node.Unregister", func() error { return zeroOr(!nilNode.Unregister("n"), "true") }, nil},
		{"nil Node.WhereIs", func() error { _, ok := nilNode.WhereIs("n"); return zeroOr(!ok, "a pid") }, nil},
		{"nil Node.Zombies", func() error { return zeroOr(nilNode.Zombies() == nil, "zombies") }, nil},
		{"nil Node.CancelTimer", func() error { return zeroOr(!nilNode.CancelTimer(process.TimerRef{}), "true") }, nil},

		// A live node given bad arguments.
		{"Send(zero PID)", func() error { return node.Send(process.PID{}, "x") }, inv},
		{"Send(zero PID)/ErrInvalidPID", func() error { return node.Send(process.PID{}, "x") }, process.ErrInvalidPID},
		{"SendDest(nil)", func() error { return node.SendDest(nil, "x") }, inv},
		{"SendDest(zero Name)", func() error { return node.SendDest(process.Name{}, "x") }, inv},
		{"SendDest(empty name)", func() error { return node.SendDest(node.Name(""), "x") }, inv},
		{"SendAfter(zero PID)", func() error { _, err := node.SendAfter(process.PID{}, "x", time.Second); return err }, inv},
		{"Spawn(nil)", func() error { _, err := node.Spawn(nil); return err }, inv},
		{"Spawn(zero option)", func() error { _, err := node.Spawn(fn, process.SpawnOption{}); return err }, inv},
		{"Spawn(WithName(\"\"))", func() error { _, err := node.Spawn(fn, process.WithName("")); return err }, inv},
		{"Spawn(rt.Behaviour(\"\"))", func() error { _, err := node.Spawn(fn, rt.Behaviour("")); return err }, inv},
		{"Spawn(WithMailbox(0))", func() error { _, err := node.Spawn(fn, process.WithMailbox(0, process.RejectWhenFull())); return err }, inv},
		{"Spawn(WithMailbox(block 0))", func() error {
			_, err := node.Spawn(fn, process.WithMailbox(1, process.BlockWhenFull(0)))
			return err
		}, inv},
		{"Spawn(Linked) without parent", func() error { _, err := node.Spawn(fn, process.Linked()); return err }, inv},
		{"SpawnHandler(nil)", func() error { _, err := node.SpawnHandler(nil); return err }, inv},
		{"Exit(zero PID)", func() error { return node.Exit(process.PID{}, process.Kill) }, inv},
		{"Info(zero PID)", func() error { _, err := node.Info(process.PID{}); return err }, inv},
		{"Register(empty)", func() error { return node.Register("", live) }, inv},
		{"Register(zero PID)", func() error { return node.Register("n", process.PID{}) }, inv},
		{"Stop(nil ctx)", func() error { return node.Stop(nilCtx) }, inv},
		{"PID.Resolve(zero)", func() error { _, err := process.PID{}.Resolve(); return err }, inv},
		{"IsAlive(zero PID)", func() error { return zeroOr(!node.IsAlive(process.PID{}), "alive") }, nil},
		{"CancelTimer(zero)", func() error { return zeroOr(!node.CancelTimer(process.TimerRef{}), "true") }, nil},

		// A stopped node creates nothing.
		{"stopped Spawn", func() error { _, err := stopped.Spawn(fn); return err }, process.ErrNodeStopped},
		{"stopped SpawnHandler", func() error { _, err := stopped.SpawnHandler(nopHandler{}); return err }, process.ErrNodeStopped},
		{"stopped Stop", func() error { return stopped.Stop(context.Background()) }, process.ErrStopped},

		// The zero Target.

		// Methods of a nil *Proc.
		{"nil Proc.Send", func() error { return nilProc.Send(live, "x") }, inv},
		{"nil Proc.SendDest", func() error { return nilProc.SendDest(live, "x") }, inv},
		{"nil Proc.SendAfter", func() error { _, err := nilProc.SendAfter(live, "x", time.Second); return err }, inv},
		{"nil Proc.Spawn", func() error { _, err := nilProc.Spawn(fn); return err }, inv},
		{"nil Proc.SpawnMonitor", func() error { _, _, err := nilProc.SpawnMonitor(fn); return err }, inv},
		{"nil Proc.SpawnHandler", func() error { _, err := nilProc.SpawnHandler(nopHandler{}); return err }, inv},
		{"nil Proc.Exit", func() error { return nilProc.Exit(live, process.Kill) }, inv},
		{"nil Proc.Link", func() error { return nilProc.Link(live) }, inv},
		{"nil Proc.Monitor", func() error { _, err := nilProc.Monitor(live); return err }, inv},
		{"nil Proc.Receive", func() error { _, err := nilProc.Receive(context.Background()); return err }, inv},
		{"nil Proc.ReceiveMatch", func() error { _, err := nilProc.ReceiveMatch(context.Background(), nil); return err }, inv},
		{"nil Proc.ReceiveTimeout", func() error { _, err := nilProc.ReceiveTimeout(time.Second); return err }, inv},
		{"nil Proc.PID", func() error { return zeroOr(nilProc.PID().IsZero(), "a pid") }, nil},
		{"nil Proc.Parent", func() error { return zeroOr(nilProc.Parent().IsZero(), "a pid") }, nil},
		{"nil Proc.Node", func() error { return zeroOr(nilProc.Node() == nil, "a node") }, nil},
		{"nil Proc.Alive", func() error { return zeroOr(!nilProc.Alive(), "alive") }, nil},
		{"nil Proc.Reason", func() error { return zeroOr(nilProc.Reason() == nil, "a reason") }, nil},
		{"nil Proc.MailboxLen", func() error { return zeroOr(nilProc.MailboxLen() == 0, "messages") }, nil},
		{"nil Proc.TrapExit", func() error { return zeroOr(!nilProc.TrapExit(true), "true") }, nil},
		{"nil Proc.Demonitor", func() error { return zeroOr(!nilProc.Demonitor(process.Ref{}, true), "true") }, nil},
		{"nil Proc.Flush", func() error { return zeroOr(nilProc.Flush(func(process.Msg) bool { return true }) == 0, "removals") }, nil},
		{"nil Proc.Unlink", func() error { nilProc.Unlink(live); return nil }, nil},
		{"nil Proc.Done", func() error {
			select {
			case <-nilProc.Done():
				return nil
			default:
				return errors.New("open channel")
			}
		}, nil},
		{"nil Proc.Context", func() error { return zeroOr(nilProc.Context().Err() != nil, "a live context") }, nil},
		{"FromContext(nilCtx)", func() error {
			_, ok := process.FromContext(nilCtx)
			return zeroOr(!ok, "a process")
		}, nil},
	})
}

// TestBadInputInProcess calls the methods of a live process with bad
// arguments from its own goroutine.
func TestBadInputInProcess(t *testing.T) {
	inv := process.ErrInvalidArgument
	node := otptest.NewNode(t)
	type result struct {
		name string
		err  error
		want error
	}
	results := make(chan []result, 1)
	_, err := node.Spawn(func(p *process.Proc) error {
		var rs []result
		add := func(name string, err, want error) { rs = append(rs, result{name, err, want}) }
		_, err := p.Receive(nilCtx)
		add("Receive(nil ctx)", err, inv)
		_, err = p.ReceiveMatch(nilCtx, nil)
		add("ReceiveMatch(nil ctx)", err, inv)
		add("Send(zero PID)", p.Send(process.PID{}, "x"), inv)
		add("SendDest(nil)", p.SendDest(nil, "x"), inv)
		_, err = p.SendAfter(process.PID{}, "x", time.Second)
		add("SendAfter(zero PID)", err, inv)
		add("Link(zero PID)", p.Link(process.PID{}), inv)
		_, err = p.Monitor(process.PID{})
		add("Monitor(zero PID)", err, inv)
		add("Exit(zero PID)", p.Exit(process.PID{}, process.Kill), inv)
		add("Register(empty, self)", p.Node().Register("", p.PID()), inv)
		_, err = p.Spawn(nil)
		add("Spawn(nil)", err, inv)
		_, err = p.Spawn(nil, process.Linked())
		add("Spawn(nil, Linked())", err, inv)
		_, _, err = p.SpawnMonitor(nil)
		add("SpawnMonitor(nil)", err, inv)
		_, err = p.SpawnHandler(nil)
		add("SpawnHandler(nil)", err, inv)
		if n := p.Flush(nil); n != 0 {
			add("Flush(nil)", fmt.Errorf("removed %d", n), nil)
		}
		results <- rs
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range <-results {
		if r.want == nil && r.err != nil || r.want != nil && !errors.Is(r.err, r.want) {
			t.Errorf("%s = %v; want an error matching %v", r.name, r.err, r.want)
		}
	}
}

func TestArgumentErrorIsShared(t *testing.T) {
	var nilNode *process.Node
	err := nilNode.Send(process.PID{}, "x")
	var ae *process.ArgumentError
	if !errors.As(err, &ae) || ae.Op != "process: Node.Send" || ae.Arg != "receiver" {
		t.Fatalf("Send on a nil node = %v; want an *ArgumentError for Node.Send's receiver", err)
	}
}

// TestZeroNode: a Node declared as a value instead of made by NewNode is
// bad input, not a crash: every method returns an error or its zero
// result, and none panics.
func TestZeroNode(t *testing.T) {
	var n process.Node
	calls := map[string]func() error{
		"Spawn":    func() error { _, err := n.Spawn(func(*process.Proc) error { return nil }); return err },
		"Send":     func() error { return n.Send(process.PID{}, 1) },
		"Stop":     func() error { return n.Stop(context.Background()) },
		"Register": func() error { return n.Register("x", process.PID{}) },
		"Exit":     func() error { return n.Exit(process.PID{}, process.Kill) },
		"Info":     func() error { _, err := n.Info(process.PID{}); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("%s on a zero Node panicked: %v", name, r)
				}
			}()
			if err := call(); err == nil {
				t.Errorf("%s on a zero Node = nil; want an error", name)
			}
		})
	}
	for name, read := range map[string]func(){
		"Stats": func() { _ = n.Stats() }, "Processes": func() { _ = n.Processes() },
		"WhereIs": func() { _, _ = n.WhereIs("x") }, "MakeRef": func() { _ = n.MakeRef() },
		"Zombies": func() { _ = n.Zombies() }, "Registered": func() { _ = n.Registered() },
	} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s on a zero Node panicked: %v", name, r)
				}
			}()
			read()
		}()
	}
}

// TestZeroProc: a Proc declared as a value instead of handed to process
// code by the runtime is bad input: its methods return errors or zero
// results, and none panics.
func TestZeroProc(t *testing.T) {
	var p process.Proc
	calls := map[string]func() error{
		"Send":      func() error { return p.Send(process.PID{}, 1) },
		"Spawn":     func() error { _, err := p.Spawn(func(*process.Proc) error { return nil }); return err },
		"Link":      func() error { return p.Link(process.PID{}) },
		"Monitor":   func() error { _, err := p.Monitor(process.PID{}); return err },
		"Exit":      func() error { return p.Exit(process.PID{}, process.Kill) },
		"SendAfter": func() error { _, err := p.SendAfter(process.PID{}, 1, time.Second); return err },
		"Receive":   func() error { _, err := p.Receive(context.Background()); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("%s on a zero Proc panicked: %v", name, r)
				}
			}()
			if err := call(); err == nil {
				t.Errorf("%s on a zero Proc = nil; want an error", name)
			}
		})
	}
}
