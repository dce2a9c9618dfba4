package genserver_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

// Counter is a server whose state is a number.
type Counter struct{ n int }

func (c *Counter) Init(s *genserver.Self) error { return nil }

func (c *Counter) HandleCall(s *genserver.Self, from genserver.From, req any) (any, error) {
	switch req {
	case "get":
		return c.n, nil
	case "incr":
		c.n++
		return c.n, nil
	}
	return nil, fmt.Errorf("unknown request %v", req)
}

func (c *Counter) HandleCast(s *genserver.Self, msg any) error {
	if d, ok := msg.(int); ok {
		c.n += d
	}
	return nil
}

func newNode() *process.Node {
	node, err := process.NewNode()
	if err != nil {
		panic(err)
	}
	return node
}

func ExampleStart() {
	node := newNode()
	defer node.Stop(context.Background())

	pid, err := genserver.Start(node, &Counter{n: 41}, genserver.WithName("counter"))
	if err != nil {
		fmt.Println("start:", err)
		return
	}
	n, err := genserver.Call[int](context.Background(), node.Name("counter"), "incr")
	fmt.Println(n, err, node.IsAlive(pid))

	// A second server cannot take the name.
	_, err = genserver.Start(node, &Counter{}, genserver.WithName("counter"))
	var already *genserver.AlreadyStartedError
	fmt.Println(errors.As(err, &already) && already.PID == pid)
	// Output:
	// 42 <nil> true
	// true
}

func ExampleCall() {
	node := newNode()
	defer node.Stop(context.Background())
	pid, _ := genserver.Start(node, &Counter{})
	ctx := context.Background()

	n, err := genserver.Call[int](ctx, pid, "incr", genserver.WithTimeout(time.Second))
	fmt.Println(n, err)

	// HandleCall's error comes back as is.
	_, err = genserver.Call[int](ctx, pid, "reset")
	fmt.Println(err)

	// The reply is an int, not a string.
	_, err = genserver.Call[string](ctx, pid, "get")
	var bad *genserver.BadReplyError
	fmt.Println(errors.As(err, &bad), bad.Reply)

	// A call to a server that is gone fails at once with noproc.
	_ = genserver.Stop(pid, process.Normal, time.Second)
	_, err = genserver.Call[int](ctx, pid, "get")
	fmt.Println(errors.Is(err, process.NoProc))
	// Output:
	// 1 <nil>
	// unknown request reset
	// true 1
	// true
}

func ExampleCast() {
	node := newNode()
	defer node.Stop(context.Background())
	pid, _ := genserver.Start(node, &Counter{})

	for i := 1; i <= 3; i++ {
		_ = genserver.Cast(pid, i) // does not wait
	}
	// Messages from one sender arrive in order: the casts were handled
	// before this call.
	n, _ := genserver.Call[int](context.Background(), pid, "get")
	fmt.Println(n)
	// Output:
	// 6
}

// Hasher answers calls later: HandleCall parks the caller and queues the
// work as a message to itself, so the server stays free for other calls.
type Hasher struct{}

type hashJob struct {
	from genserver.From
	text string
}

func (Hasher) Init(s *genserver.Self) error { return nil }

func (Hasher) HandleCall(s *genserver.Self, from genserver.From, req any) (any, error) {
	s.NoReply()
	return nil, s.Send(s.PID(), hashJob{from: from, text: req.(string)})
}

func (Hasher) HandleInfo(s *genserver.Self, msg any) error {
	if job, ok := msg.(hashJob); ok {
		sum := 0
		for _, r := range job.text {
			sum += int(r)
		}
		genserver.Reply(job.from, sum)
	}
	return nil
}

func ExampleReply() {
	node := newNode()
	defer node.Stop(context.Background())
	pid, _ := genserver.Start(node, Hasher{})

	sum, err := genserver.Call[int](context.Background(), pid, "abc")
	fmt.Println(sum, err)
	// Output:
	// 294 <nil>
}

// Resource reports its Terminate call.
type Resource struct{ name string }

func (r *Resource) Init(s *genserver.Self) error { return nil }

func (r *Resource) Terminate(s *genserver.Self, reason error) {
	fmt.Printf("%s: terminate(%s)\n", r.name, process.FormatReason(reason))
}

func ExampleStop() {
	node := newNode()
	defer node.Stop(context.Background())
	pid, _ := genserver.Start(node, &Resource{name: "db"})

	// Stop waits for Terminate and the exit.
	err := genserver.Stop(pid, process.Shutdown, time.Second)
	fmt.Println("stopped:", err)

	err = genserver.Stop(pid, process.Shutdown, time.Second)
	fmt.Println(errors.Is(err, process.NoProc))
	// Output:
	// db: terminate(shutdown)
	// stopped: <nil>
	// true
}

func ExampleTerminator() {
	node := newNode()
	defer node.Stop(context.Background())

	// Terminate runs when a trapping server's parent exits...
	children := make(chan process.PID, 1)
	_, _ = node.Spawn(func(p *process.Proc) error {
		pid, err := genserver.StartLink(p, &trapping{Resource{name: "child"}})
		if err != nil {
			return err
		}
		children <- pid
		return process.Shutdown
	})
	waitDead(node, <-children)

	// ...but not when the server is killed.
	pid, _ := genserver.Start(node, &Resource{name: "killed"})
	_ = node.Exit(pid, process.Kill)
	waitDead(node, pid)
	fmt.Println("done")
	// Output:
	// child: terminate(shutdown)
	// done
}

// waitDead returns when pid is dead: a process monitors it and returns on
// the Down (at once, with NoProc, if pid is dead already).
func waitDead(node *process.Node, pid process.PID) {
	done := make(chan struct{})
	_, err := node.Spawn(func(p *process.Proc) error {
		defer close(done)
		if _, err := p.Monitor(pid); err != nil {
			return err
		}
		_, err := p.ReceiveMatch(p.Context(), func(m process.Msg) bool {
			_, ok := m.(process.Down)
			return ok
		})
		return err
	})
	if err == nil {
		<-done
	}
}

// trapping is a Resource that traps exits.
type trapping struct{ Resource }

func (t *trapping) Init(s *genserver.Self) error {
	s.TrapExit(true)
	return nil
}

func ExampleStartLink() {
	node := newNode()
	defer node.Stop(context.Background())

	result := make(chan string)
	_, _ = node.Spawn(func(p *process.Proc) error {
		// A failing Init unlinks first: the parent lives on.
		_, err := genserver.StartLink(p, &failing{})
		result <- fmt.Sprint("start failed: ", err)

		// A linked server's exit reaches its parent as an exit signal.
		p.TrapExit(true)
		pid, _ := genserver.StartLink(p, &Counter{})
		_ = genserver.Stop(pid, process.ShutdownWith("bye"), time.Second)
		m, _ := p.Receive(p.Context())
		exit := m.(process.Exit)
		result <- fmt.Sprint("parent got exit: ", process.FormatReason(exit.Reason))
		return nil
	})
	fmt.Println(<-result)
	fmt.Println(<-result)
	// Output:
	// start failed: genserver: init failed: no database
	// parent got exit: {shutdown,bye}
}

type failing struct{}

func (failing) Init(s *genserver.Self) error { return errors.New("no database") }

// Cache loads its data after Init, so Start does not wait for the load.
type Cache struct{ data map[string]int }

func (c *Cache) Init(s *genserver.Self) error {
	s.Continue("load")
	return nil
}

func (c *Cache) HandleContinue(s *genserver.Self, cont any) error {
	c.data = map[string]int{"answer": 42} // runs before any message
	return nil
}

func (c *Cache) HandleCall(s *genserver.Self, from genserver.From, req any) (any, error) {
	return c.data[req.(string)], nil
}

func ExampleSelf_Continue() {
	node := newNode()
	defer node.Stop(context.Background())
	pid, _ := genserver.Start(node, &Cache{})

	v, _ := genserver.Call[int](context.Background(), pid, "answer")
	fmt.Println(v)
	// Output:
	// 42
}

// Idle stops itself after a period without messages.
type Idle struct{}

func (Idle) Init(s *genserver.Self) error {
	s.SetTimeout(10 * time.Millisecond)
	return nil
}

func (Idle) HandleInfo(s *genserver.Self, msg any) error {
	if _, ok := msg.(genserver.Timeout); ok {
		fmt.Println("idle: stopping")
		s.Stop(process.Normal)
	}
	return nil
}

func ExampleSelf_SetTimeout() {
	node := newNode()
	defer node.Stop(context.Background())
	pid, _ := genserver.Start(node, Idle{})

	waitDead(node, pid)
	fmt.Println("stopped")
	// Output:
	// idle: stopping
	// stopped
}

// WithInlineInit runs Init on the calling goroutine: no hand-off to a
// worker, no init timeout (as an OTP start_link waits by default).
func ExampleWithInlineInit() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	pid, err := genserver.Start(node, &Counter{}, genserver.WithInlineInit())
	if err != nil {
		panic(err)
	}
	n, _ := genserver.Call[int](context.Background(), pid, "get")
	fmt.Println("count:", n)
	// Output: count: 0
}
