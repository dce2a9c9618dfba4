package process_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/process"
)

func ExampleNewNode() {
	node, err := process.NewNode()
	if err != nil {
		panic(err)
	}
	defer node.Stop(context.Background())

	done := make(chan struct{})
	pid, _ := node.Spawn(func(p *process.Proc) error {
		defer close(done)
		msg, err := p.Receive(p.Context())
		if err != nil {
			return err
		}
		fmt.Println("received:", msg)
		return nil
	})
	_ = node.Send(pid, "hello")
	<-done
	// Output: received: hello
}

// greet is a request to the greeter handler.
type greet struct {
	From process.PID
	Name string
}

// greeter is a message-driven process: it holds no goroutine while idle.
type greeter struct{}

func (greeter) HandleMessage(p *process.Proc, msg process.Msg) error {
	req := msg.(greet)
	return p.Send(req.From, "hello, "+req.Name)
}

func ExampleNode_SpawnHandler() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	server, _ := node.SpawnHandler(greeter{})
	done := make(chan struct{})
	_, _ = node.Spawn(func(p *process.Proc) error {
		defer close(done)
		_ = p.Send(server, greet{From: p.PID(), Name: "joe"})
		reply, err := p.Receive(p.Context())
		if err != nil {
			return err
		}
		fmt.Println(reply)
		return nil
	})
	<-done
	// Output: hello, joe
}

func ExampleLinked() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	done := make(chan struct{})
	_, _ = node.Spawn(func(p *process.Proc) error {
		defer close(done)
		p.TrapExit(true) // receive the child's exit signal as a message
		child, _ := p.Spawn(func(*process.Proc) error {
			return errors.New("disk full")
		}, process.Linked())
		msg, err := p.Receive(p.Context())
		if err != nil {
			return err
		}
		exit := msg.(process.Exit)
		fmt.Println("from child:", exit.From == child)
		fmt.Println("reason:", exit.Reason)
		return nil
	})
	<-done
	// Output:
	// from child: true
	// reason: disk full
}

func ExampleProc_Monitor() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	done := make(chan struct{})
	_, _ = node.Spawn(func(p *process.Proc) error {
		defer close(done)
		worker, _ := p.Spawn(func(w *process.Proc) error {
			_, err := w.Receive(w.Context()) // wait for the go-ahead
			if err != nil {
				return err
			}
			return process.ShutdownWith("done")
		})
		ref, _ := p.Monitor(worker)
		_ = p.Send(worker, "go")
		msg, err := p.Receive(p.Context())
		if err != nil {
			return err
		}
		down := msg.(process.Down)
		fmt.Println("same ref:", down.Ref == ref)
		fmt.Println("reason:", process.FormatReason(down.Reason))
		return nil
	})
	<-done
	// Output:
	// same ref: true
	// reason: {shutdown,done}
}

func ExampleProc_SendAfter() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	done := make(chan struct{})
	_, _ = node.Spawn(func(p *process.Proc) error {
		defer close(done)
		never, _ := p.SendAfter(p.PID(), "never", time.Hour)
		_, _ = p.SendAfter(p.PID(), "tick", 10*time.Millisecond)
		fmt.Println("cancelled:", p.Node().CancelTimer(never))
		msg, err := p.Receive(p.Context())
		if err != nil {
			return err
		}
		fmt.Println(msg)
		return nil
	})
	<-done
	// Output:
	// cancelled: true
	// tick
}

func ExampleNode_Register() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	done := make(chan struct{})
	pid, _ := node.Spawn(func(p *process.Proc) error {
		defer close(done)
		msg, err := p.Receive(p.Context())
		if err != nil {
			return err
		}
		fmt.Println("logger got:", msg)
		return nil
	})
	_ = node.Register("logger", pid)
	found, ok := node.WhereIs("logger")
	fmt.Println("registered:", ok && found == pid)
	_ = node.SendDest(node.Name("logger"), "disk almost full")
	<-done

	err := node.SendDest(node.Name("nobody"), "hello?")
	fmt.Println(err)
	// Output:
	// registered: true
	// logger got: disk almost full
	// process: no process registered as "nobody"
}

func ExampleNode_Exit() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	// A process that traps exits still cannot survive Kill.
	worker, _ := node.Spawn(func(p *process.Proc) error {
		<-p.Context().Done()
		return nil
	}, process.TrapExits())

	monitoring := make(chan struct{})
	done := make(chan struct{})
	_, _ = node.Spawn(func(p *process.Proc) error {
		defer close(done)
		_, _ = p.Monitor(worker)
		close(monitoring)
		msg, err := p.Receive(p.Context())
		if err != nil {
			return err
		}
		fmt.Println("worker down:", process.FormatReason(msg.(process.Down).Reason))
		return nil
	})
	<-monitoring
	_ = node.Exit(worker, process.Kill)
	<-done
	fmt.Println("alive:", node.IsAlive(worker))
	// Output:
	// worker down: killed
	// alive: false
}

func ExampleNode_Info() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	release := make(chan struct{})
	pid, _ := node.Spawn(func(p *process.Proc) error {
		select { // busy: reads no messages until released
		case <-release:
		case <-p.Context().Done():
		}
		return nil
	}, process.WithName("indexer"))
	_ = node.Send(pid, "doc 1")
	_ = node.Send(pid, "doc 2")

	info, _ := node.Info(pid)
	fmt.Println("name:", info.Name)
	fmt.Println("status:", info.Status)
	fmt.Println("mailbox:", info.MailboxLen)
	close(release)
	// Output:
	// name: indexer
	// status: running
	// mailbox: 2
}

// Bad input is an error, never a panic: here a send through a node that
// was never created. The error matches ErrInvalidArgument, the same value
// in every Orchard package, and says which argument of which call was bad.
func ExampleArgumentError() {
	var node *process.Node // never created
	err := node.Send(process.PID{}, "hello")
	fmt.Println(errors.Is(err, process.ErrInvalidArgument))
	var ae *process.ArgumentError
	if errors.As(err, &ae) {
		fmt.Printf("%s | %s | %s\n", ae.Op, ae.Arg, ae.Reason)
	}
	// Output:
	// true
	// process: Node.Send | receiver | is nil
}
