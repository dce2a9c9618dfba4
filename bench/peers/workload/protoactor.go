package workload

import (
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// ProtoActor runs the workloads on Proto.Actor Go (the 2024-08 snapshot)
// with local actors, its default unbounded mailboxes and its
// parent-as-supervisor model.
type ProtoActor struct{}

// Name returns "protoactor".
func (ProtoActor) Name() string { return "protoactor" }

// NA says why Proto.Actor cannot run W7.
func (ProtoActor) NA(w Workload) string {
	if w == W7 {
		return "no name registry: a name is fixed when the actor is spawned (SpawnNamed); a running actor cannot be registered under a name"
	}
	return ""
}

// protoTimeout bounds every Proto.Actor future.
const protoTimeout = time.Minute

// Run runs w at scale s on a fresh actor system with its logging
// discarded, and shuts the system down afterwards.
func (pa ProtoActor) Run(w Workload, s Scale) ([]Metric, error) {
	sys := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
	defer sys.Shutdown()
	root := sys.Root
	switch w {
	case W1:
		return pa.pingpong(root, s.RoundTrips)
	case W2:
		return pa.fanin(root, s.FanIn)
	case W3:
		return pa.call(root, s.Calls)
	case W3b:
		return pa.call64(root, s.Calls64)
	case W4:
		return pa.spawn(root, s.Spawns)
	case W5:
		return pa.restart(root, s.Restarts)
	case W6:
		return warm(func() ([]Metric, error) { return pa.dynamic(root, s.Children) })
	case W6a:
		return warm(func() ([]Metric, error) { return pa.asyncDynamic(root, s.Children) })
	}
	return nil, errNoWorkload(pa, w)
}

// protoPinger forwards the W1 ball to its peer.
type protoPinger struct {
	peer *actor.PID
	done chan struct{}
}

func (h *protoPinger) Receive(c actor.Context) {
	b, ok := c.Message().(*ball)
	if !ok {
		return
	}
	if b.left == 0 {
		close(h.done)
		return
	}
	b.left--
	b.hops++
	c.Send(h.peer, b)
}

func (ProtoActor) pingpong(root *actor.RootContext, rounds int) ([]Metric, error) {
	done := make(chan struct{})
	ha, hb := &protoPinger{done: done}, &protoPinger{done: done}
	a := root.Spawn(actor.PropsFromProducer(func() actor.Actor { return ha }))
	c := root.Spawn(actor.PropsFromProducer(func() actor.Actor { return hb }))
	ha.peer, hb.peer = c, a
	b := &ball{left: 2 * rounds}
	t0 := time.Now()
	root.Send(a, b)
	if err := await(done, "pingpong"); err != nil {
		return nil, err
	}
	d := time.Since(t0)
	return []Metric{{RoundTripNS, nsPer(d, rounds)}}, checkBall(b, rounds)
}

// goMsg starts a protoRunner.
type goMsg struct{}

// protoRunner runs its function once, on goMsg, and reports the outcome
// on result.
type protoRunner struct {
	run    func(c actor.Context) error
	result chan error
}

func (r *protoRunner) Receive(c actor.Context) {
	if _, ok := c.Message().(goMsg); ok {
		r.result <- r.run(c)
	}
}

// protoRunners spawns k runners, starts them and waits for all; it
// returns the time from the first start until the last finished.
func protoRunners(root *actor.RootContext, k int, run func(i int, c actor.Context) error) (time.Duration, error) {
	result := make(chan error, k)
	pids := make([]*actor.PID, k)
	for i := range k {
		r := &protoRunner{run: func(c actor.Context) error { return run(i, c) }, result: result}
		pids[i] = root.Spawn(actor.PropsFromProducer(func() actor.Actor { return r }))
	}
	t0 := time.Now()
	for _, p := range pids {
		root.Send(p, goMsg{})
	}
	t := time.NewTimer(waitTimeout)
	defer t.Stop()
	for range k {
		select {
		case err := <-result:
			if err != nil {
				return 0, err
			}
		case <-t.C:
			return 0, fmt.Errorf("protoactor: runners not done after %v", waitTimeout)
		}
	}
	return time.Since(t0), nil
}

// protoCounter is the W2 consumer.
type protoCounter struct {
	want, got, sum int
	done           chan struct{}
}

func (c *protoCounter) Receive(ctx actor.Context) {
	v, ok := ctx.Message().(int)
	if !ok {
		return
	}
	c.got++
	c.sum += v
	if c.got == c.want {
		close(c.done)
	}
}

func (ProtoActor) fanin(root *actor.RootContext, total int) ([]Metric, error) {
	c := &protoCounter{want: total, done: make(chan struct{})}
	consumer := root.Spawn(actor.PropsFromProducer(func() actor.Actor { return c }))
	t0 := time.Now()
	if _, err := protoRunners(root, Producers, func(i int, ctx actor.Context) error {
		for j := range share(total, Producers, i) {
			ctx.Send(consumer, payload(j))
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := await(c.done, "fanin"); err != nil {
		return nil, err
	}
	d := time.Since(t0)
	return []Metric{{MsgsPerS, perSec(d, total)}}, checkFanIn(c.got, c.sum, total)
}

// protoSum adds each request to its total and responds with it.
type protoSum struct{ total int }

func (s *protoSum) Receive(c actor.Context) {
	if v, ok := c.Message().(int); ok {
		s.total += v
		c.Respond(s.total)
	}
}

// protoCall makes one request-response call from outside any actor.
func protoCall(root *actor.RootContext, pid *actor.PID, v int) (int, error) {
	r, err := root.RequestFuture(pid, v, protoTimeout).Result()
	if err != nil {
		return 0, err
	}
	i, ok := r.(int)
	if !ok {
		return 0, fmt.Errorf("protoactor: reply %T; want int", r)
	}
	return i, nil
}

func (ProtoActor) call(root *actor.RootContext, calls int) ([]Metric, error) {
	pid := root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &protoSum{} }))
	t0 := time.Now()
	err := callLoop(calls, func() (int, error) { return protoCall(root, pid, 1) })
	d := time.Since(t0)
	if err != nil {
		return nil, err
	}
	return []Metric{{CallNS, nsPer(d, calls)}}, nil
}

func (ProtoActor) call64(root *actor.RootContext, calls int) ([]Metric, error) {
	pid := root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &protoSum{} }))
	v, err := concurrentCalls(calls,
		func() error { _, err := protoCall(root, pid, 1); return err },
		func() (int, error) { return protoCall(root, pid, 0) })
	if err != nil {
		return nil, err
	}
	return []Metric{{CallsPerS, v}}, nil
}

// protoIdle counts its Started and Stopped messages.
type protoIdle struct {
	started *atomic.Int64
	stopped *sync.WaitGroup
}

func (s *protoIdle) Receive(c actor.Context) {
	switch c.Message().(type) {
	case *actor.Started:
		s.started.Add(1)
	case *actor.Stopped:
		if s.stopped != nil {
			s.stopped.Done()
		}
	}
}

// waitCount waits until c reaches want or waitTimeout passes.
func waitCount(c *atomic.Int64, want int64, what string) error {
	deadline := time.Now().Add(waitTimeout)
	for c.Load() < want {
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %d of %d after %v", what, c.Load(), want, waitTimeout)
		}
		time.Sleep(50 * time.Microsecond)
	}
	return nil
}

func (ProtoActor) spawn(root *actor.RootContext, k int) ([]Metric, error) {
	var started atomic.Int64
	var stopped sync.WaitGroup
	props := actor.PropsFromProducer(func() actor.Actor { return &protoIdle{started: &started, stopped: &stopped} })
	pids := make([]*actor.PID, 0, k)
	return spawnBatches(k, func(k int) error {
		started.Store(0)
		for range k {
			pids = append(pids, root.Spawn(props))
		}
		// Spawn returns before the actor ran; count it once Started ran.
		return waitCount(&started, int64(k), "spawn: started")
	}, func() error {
		stopped.Add(len(pids))
		for _, p := range pids {
			root.Stop(p)
		}
		done := make(chan struct{})
		go func() { stopped.Wait(); close(done) }()
		pids = pids[:0]
		return await(done, "spawn: stop")
	})
}

// protoCrasher sends its generation to ready on every Started and panics
// on any string message.
type protoCrasher struct {
	ready chan int
	gen   *int
}

func (c *protoCrasher) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		*c.gen++
		c.ready <- *c.gen
	case string:
		panic(errCrash)
	}
}

// protoParent spawns child on Started and, on a startChild request,
// spawns a child of childProps and responds with its PID; on spawnChild
// it spawns one without responding, and on countChildren it responds
// with how many children it has.
type protoParent struct {
	child      *actor.Props
	childReady chan *actor.PID
}

// startChild asks a protoParent for a new child and its PID (W6).
type startChild struct{}

// spawnChild tells a protoParent to spawn a new child, with no response
// (W6a).
type spawnChild struct{}

// countChildren asks a protoParent for its number of children.
type countChildren struct{}

func (p *protoParent) Receive(c actor.Context) {
	switch c.Message().(type) {
	case *actor.Started:
		if p.childReady != nil {
			p.childReady <- c.Spawn(p.child)
		}
	case startChild:
		c.Respond(c.Spawn(p.child))
	case spawnChild:
		c.Spawn(p.child)
	case countChildren:
		c.Respond(len(c.Children()))
	}
}

func (ProtoActor) restart(root *actor.RootContext, crashes int) ([]Metric, error) {
	ready := make(chan int, 1)
	gen := 0 // owned by the child actor; read only through ready
	child := actor.PropsFromProducer(func() actor.Actor { return &protoCrasher{ready: ready, gen: &gen} })
	childPID := make(chan *actor.PID, 1)
	strategy := actor.NewOneForOneStrategy(crashes+10, time.Hour, actor.DefaultDecider)
	root.Spawn(actor.PropsFromProducer(func() actor.Actor {
		return &protoParent{child: child, childReady: childPID}
	}, actor.WithSupervisor(strategy)))
	pid := <-childPID
	last := <-ready
	t := time.NewTimer(readyTimeout)
	defer t.Stop()
	t0 := time.Now()
	for i := range crashes {
		root.Send(pid, "crash")
		t.Reset(readyTimeout)
		select {
		case g := <-ready:
			if g != last+1 {
				return nil, fmt.Errorf("restart %d: generation %d after %d", i, g, last)
			}
			last = g
		case <-t.C:
			return nil, fmt.Errorf("restart %d: not restarted after %v", i, readyTimeout)
		}
	}
	d := time.Since(t0)
	return []Metric{{RestartUS, nsPer(d, crashes) / 1000}}, nil
}

func (ProtoActor) dynamic(root *actor.RootContext, k int) ([]Metric, error) {
	var started atomic.Int64
	child := actor.PropsFromProducer(func() actor.Actor { return &protoIdle{started: &started} })
	parent := root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &protoParent{child: child} }))
	total, ratio, err := timeStarts(k, func(int) error {
		r, err := root.RequestFuture(parent, startChild{}, protoTimeout).Result()
		if err != nil {
			return err
		}
		if _, ok := r.(*actor.PID); !ok {
			return fmt.Errorf("reply %T; want *actor.PID", r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// A spawned child runs its Started asynchronously: the start counts
	// once that ran, so the wait is part of the time.
	t := time.Now()
	if err := waitCount(&started, int64(k), "dynamic: started"); err != nil {
		return nil, err
	}
	total += time.Since(t)
	t1 := time.Now()
	if err := root.StopFuture(parent).Wait(); err != nil {
		return nil, fmt.Errorf("dynamic: stop parent: %w", err)
	}
	stopped := time.Since(t1)
	return []Metric{{ChildrenPerS, perSec(total, k)}, {Last10First10, ratio}, {StopMS, ms(stopped)}}, nil
}

// asyncDynamic: each start is one send to the parent, which spawns the
// child from its own context (so the child is its child, supervised by
// it); no future per child. The clock stops when every child's Started
// ran.
func (ProtoActor) asyncDynamic(root *actor.RootContext, k int) ([]Metric, error) {
	var started atomic.Int64
	child := actor.PropsFromProducer(func() actor.Actor { return &protoIdle{started: &started} })
	parent := root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &protoParent{child: child} }))
	total, ratio, err := asyncStarts(k, &started, func(int) error {
		root.Send(parent, spawnChild{})
		return nil
	})
	if err != nil {
		return nil, err
	}
	r, err := root.RequestFuture(parent, countChildren{}, protoTimeout).Result()
	if err != nil {
		return nil, fmt.Errorf("async dynamic: count children: %w", err)
	}
	if c, ok := r.(int); !ok || c != k {
		return nil, fmt.Errorf("async dynamic: parent has %v children; want %d", r, k)
	}
	if err := checkStarted(&started, k); err != nil {
		return nil, err
	}
	t1 := time.Now()
	if err := root.StopFuture(parent).Wait(); err != nil {
		return nil, fmt.Errorf("async dynamic: stop parent: %w", err)
	}
	stopped := time.Since(t1)
	return []Metric{{ChildrenPerS, perSec(total, k)}, {Last10First10, ratio}, {StopMS, ms(stopped)}}, nil
}
