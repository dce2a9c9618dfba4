package workload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// Orchard runs the workloads on Orchard through its public API only
// (process, genserver, supervisor, registry).
type Orchard struct{}

// Name returns "orchard".
func (Orchard) Name() string { return "orchard" }

// NA returns "": Orchard runs every workload.
func (Orchard) NA(Workload) string { return "" }

// orchardStopTimeout bounds the Stop of every node.
const orchardStopTimeout = time.Minute

// Run runs w at scale s on a fresh node and stops the node afterwards,
// checking that no process is left.
func (o Orchard) Run(w Workload, s Scale) (m []Metric, err error) {
	n, err := process.NewNode()
	if err != nil {
		return nil, fmt.Errorf("orchard: NewNode: %w", err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), orchardStopTimeout)
		defer cancel()
		if serr := n.Stop(ctx); serr != nil && !errors.Is(serr, process.ErrStopped) && err == nil {
			err = fmt.Errorf("orchard: node.Stop: %w", serr)
		}
		if st := n.Stats(); (st.Processes != 0 || st.Zombies != 0) && err == nil {
			err = fmt.Errorf("orchard: after stop: %d processes, %d zombies", st.Processes, st.Zombies)
		}
	}()
	switch w {
	case W1:
		return o.pingpong(n, s.RoundTrips)
	case W2:
		return o.fanin(n, s.FanIn)
	case W3:
		return o.call(n, s.Calls)
	case W3b:
		return o.call64(n, s.Calls64)
	case W4:
		return o.spawn(n, s.Spawns)
	case W5:
		return o.restart(n, s.Restarts)
	case W6:
		return warm(func() ([]Metric, error) { return o.dynamic(n, s.Children) })
	case W6a:
		return warm(func() ([]Metric, error) { return o.asyncDynamic(n, s.Children) })
	case W7:
		return o.registry(n, s.Names, s.Lookups)
	}
	return nil, errNoWorkload(o, w)
}

// pinger forwards the W1 ball to its peer until no hops are left.
type pinger struct {
	peer process.PID
	done chan struct{}
}

func (h *pinger) HandleMessage(p *process.Proc, m process.Msg) error {
	b := m.(*ball)
	if b.left == 0 {
		close(h.done)
		return nil
	}
	b.left--
	b.hops++
	return p.Send(h.peer, b)
}

func (Orchard) pingpong(n *process.Node, rounds int) ([]Metric, error) {
	done := make(chan struct{})
	ha, hb := &pinger{done: done}, &pinger{done: done}
	a, err := n.SpawnHandler(ha)
	if err != nil {
		return nil, err
	}
	c, err := n.SpawnHandler(hb)
	if err != nil {
		return nil, err
	}
	// Set before the first message: the send orders these writes before
	// the handlers read them.
	ha.peer, hb.peer = c, a
	b := &ball{left: 2 * rounds}
	t0 := time.Now()
	if err := n.Send(a, b); err != nil {
		return nil, err
	}
	if err := await(done, "pingpong"); err != nil {
		return nil, err
	}
	d := time.Since(t0)
	return []Metric{{RoundTripNS, nsPer(d, rounds)}}, checkBall(b, rounds)
}

// counter is the W2 consumer: it counts and sums messages and closes done
// when want arrived.
type counter struct {
	want, got, sum int
	done           chan struct{}
}

func (c *counter) HandleMessage(_ *process.Proc, m process.Msg) error {
	c.got++
	c.sum += m.(int)
	if c.got == c.want {
		close(c.done)
	}
	return nil
}

func (Orchard) fanin(n *process.Node, total int) ([]Metric, error) {
	c := &counter{want: total, done: make(chan struct{})}
	consumer, err := n.SpawnHandler(c)
	if err != nil {
		return nil, err
	}
	start := make(chan struct{})
	for i := range Producers {
		k := share(total, Producers, i)
		_, err := n.Spawn(func(p *process.Proc) error {
			select {
			case <-start:
			case <-p.Context().Done():
				return nil
			}
			for j := range k {
				if err := p.Send(consumer, payload(j)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	t0 := time.Now()
	close(start)
	if err := await(c.done, "fanin"); err != nil {
		return nil, err
	}
	d := time.Since(t0)
	return []Metric{{MsgsPerS, perSec(d, total)}}, checkFanIn(c.got, c.sum, total)
}

// sumServer adds each request to its total and replies with the total.
type sumServer struct{ total int }

func (s *sumServer) Init(*genserver.Self) error { return nil }

func (s *sumServer) HandleCall(_ *genserver.Self, _ genserver.From, req any) (any, error) {
	s.total += req.(int)
	return s.total, nil
}

func (Orchard) call(n *process.Node, calls int) ([]Metric, error) {
	pid, err := genserver.Start(n, &sumServer{})
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	t0 := time.Now()
	err = callLoop(calls, func() (int, error) { return genserver.Call[int](ctx, pid, 1) })
	d := time.Since(t0)
	if err != nil {
		return nil, err
	}
	return []Metric{{CallNS, nsPer(d, calls)}}, nil
}

func (Orchard) call64(n *process.Node, calls int) ([]Metric, error) {
	pid, err := genserver.Start(n, &sumServer{})
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	v, err := concurrentCalls(calls,
		func() error { _, err := genserver.Call[int](ctx, pid, 1); return err },
		func() (int, error) { return genserver.Call[int](ctx, pid, 0) })
	if err != nil {
		return nil, err
	}
	return []Metric{{CallsPerS, v}}, nil
}

// idleServer is a GenServer with nothing to do.
type idleServer struct{}

func (idleServer) Init(*genserver.Self) error { return nil }

func (Orchard) spawn(n *process.Node, k int) ([]Metric, error) {
	pids := make([]process.PID, 0, k)
	return spawnBatches(k, func(k int) error {
		for range k {
			pid, err := genserver.Start(n, idleServer{})
			if err != nil {
				return err
			}
			pids = append(pids, pid)
		}
		if got := n.Stats().Processes; got != len(pids) {
			return fmt.Errorf("%d processes alive after spawning %d", got, len(pids))
		}
		return nil
	}, func() error {
		for _, pid := range pids {
			if err := n.Exit(pid, process.Kill); err != nil {
				return err
			}
		}
		pids = pids[:0]
		if got := n.Stats().Processes; got != 0 {
			return fmt.Errorf("%d processes alive after killing all", got)
		}
		return nil
	})
}

// quiet discards supervisor reports: the workloads measure restarts, not
// a terminal.
var quiet = supervisor.WithLogger(slog.New(slog.DiscardHandler))

// errCrash is the reason W5's children crash with.
var errCrash = errors.New("crash")

// crasher reports its PID from Init and exits with errCrash on any cast.
type crasher struct{ ready chan<- process.PID }

func (c *crasher) Init(s *genserver.Self) error {
	c.ready <- s.PID()
	return nil
}

func (c *crasher) HandleCast(*genserver.Self, any) error { return errCrash }

// readyTimeout bounds each wait for a restarted child.
const readyTimeout = 10 * time.Second

func (Orchard) restart(n *process.Node, crashes int) ([]Metric, error) {
	ready := make(chan process.PID, 1)
	flags := supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: crashes + 10, Period: time.Hour}
	spec := supervisor.Spec{Flags: flags, Children: []supervisor.ChildSpec{{
		ID:    "child",
		Start: func(p *process.Proc) (process.PID, error) { return genserver.StartLink(p, &crasher{ready: ready}) },
	}}}
	if _, err := supervisor.Start(n, spec, quiet); err != nil {
		return nil, fmt.Errorf("supervisor.Start: %w", err)
	}
	pid := <-ready
	t := time.NewTimer(readyTimeout)
	defer t.Stop()
	t0 := time.Now()
	for i := range crashes {
		if err := genserver.Cast(pid, "crash"); err != nil {
			return nil, fmt.Errorf("restart %d: Cast: %w", i, err)
		}
		t.Reset(readyTimeout)
		select {
		case next := <-ready:
			if next == pid {
				return nil, fmt.Errorf("restart %d: child was not replaced", i)
			}
			pid = next
		case <-t.C:
			return nil, fmt.Errorf("restart %d: no new child after %v", i, readyTimeout)
		}
	}
	d := time.Since(t0)
	return []Metric{{RestartUS, nsPer(d, crashes) / 1000}}, nil
}

func (Orchard) dynamic(n *process.Node, k int) ([]Metric, error) {
	sup, err := supervisor.StartDynamic(n, supervisor.DynamicSpec{Flags: supervisor.DefaultFlags()}, quiet)
	if err != nil {
		return nil, fmt.Errorf("StartDynamic: %w", err)
	}
	spec := supervisor.ChildSpec{
		ID:      "idle",
		Restart: supervisor.Temporary,
		Start:   func(p *process.Proc) (process.PID, error) { return genserver.StartLink(p, idleServer{}) },
	}
	ctx := context.Background()
	total, ratio, err := timeStarts(k, func(int) error {
		_, err := supervisor.StartDynamicChild(ctx, sup, spec)
		return err
	})
	if err != nil {
		return nil, err
	}
	c, err := supervisor.CountChildren(ctx, sup)
	if err != nil || c.Active != k {
		return nil, fmt.Errorf("dynamic: CountChildren = %+v, %v; want %d active", c, err, k)
	}
	t1 := time.Now()
	if err := supervisor.Stop(sup, process.Shutdown, time.Minute); err != nil {
		return nil, fmt.Errorf("dynamic: Stop: %w", err)
	}
	stopped := time.Since(t1)
	return []Metric{{ChildrenPerS, perSec(total, k)}, {Last10First10, ratio}, {StopMS, ms(stopped)}}, nil
}

// idleStarter is a W6a child: its HandleStart counts the start, and it
// has nothing else to do. A struct of one pointer, so handing it to Start
// as a process.Handler does not allocate.
type idleStarter struct{ started *atomic.Int64 }

func (h idleStarter) HandleStart(*process.Proc) error {
	h.started.Add(1)
	return nil
}

func (idleStarter) HandleMessage(*process.Proc, process.Msg) error { return nil }

// asyncDynamic: a supervisor.TemporaryStarter spawns each child on the
// dynamic supervisor's behalf, linked to it and recorded where the
// supervisor takes it from, without a round trip to the supervisor (and
// without waiting for the child's HandleStart, which the clock waits for
// after the loop).
func (Orchard) asyncDynamic(n *process.Node, k int) ([]Metric, error) {
	sup, err := supervisor.StartDynamic(n, supervisor.DynamicSpec{Flags: supervisor.DefaultFlags()}, quiet)
	if err != nil {
		return nil, fmt.Errorf("StartDynamic: %w", err)
	}
	ctx := context.Background()
	ts, err := supervisor.NewTemporaryStarter(ctx, n, sup, supervisor.TemporarySpec{ID: "idle"})
	if err != nil {
		return nil, fmt.Errorf("NewTemporaryStarter: %w", err)
	}
	var started atomic.Int64
	h := idleStarter{started: &started}
	total, ratio, err := asyncStarts(k, &started, func(int) error {
		_, err := ts.Start(h)
		return err
	})
	if err != nil {
		return nil, err
	}
	// Timed too: the supervisor files the children it has not seen yet
	// when it handles this call (Proto.Actor's parent has filed each
	// child in SpawnChild).
	t0 := time.Now()
	c, err := supervisor.CountChildren(ctx, sup)
	total += time.Since(t0)
	if err != nil || c.Active != k {
		return nil, fmt.Errorf("async dynamic: CountChildren = %+v, %v; want %d active", c, err, k)
	}
	if err := checkStarted(&started, k); err != nil {
		return nil, err
	}
	t1 := time.Now()
	if err := supervisor.Stop(sup, process.Shutdown, time.Minute); err != nil {
		return nil, fmt.Errorf("async dynamic: Stop: %w", err)
	}
	stopped := time.Since(t1)
	return []Metric{{ChildrenPerS, perSec(total, k)}, {Last10First10, ratio}, {StopMS, ms(stopped)}}, nil
}

func (Orchard) registry(n *process.Node, nNames, nLookups int) ([]Metric, error) {
	reg, err := registry.New(n)
	if err != nil {
		return nil, fmt.Errorf("registry.New: %w", err)
	}
	defer func() { _ = reg.Close() }()
	keys := make([]any, nNames) // boxed once, so lookups do not allocate keys
	for i, s := range names(nNames) {
		keys[i] = s
	}
	owners := make([]process.PID, holders(nNames))
	for i := range owners {
		pid, err := n.Spawn(func(p *process.Proc) error {
			<-p.Done()
			return nil
		})
		if err != nil {
			return nil, err
		}
		owners[i] = pid
	}
	t0 := time.Now()
	for i, k := range keys {
		if err := reg.Register(owners[i%len(owners)], k, nil); err != nil {
			return nil, fmt.Errorf("registry: Register(%v): %w", k, err)
		}
	}
	regs := time.Since(t0)
	lookups, err := readersWith(nLookups, nNames, func(i int) bool {
		pid, ok := reg.WhereIs(keys[i])
		return ok && pid == owners[i%len(owners)]
	}, func(f func()) (func() error, error) {
		done := make(chan struct{})
		_, err := n.Spawn(func(*process.Proc) error {
			defer close(done)
			f()
			return nil
		})
		return func() error { return await(done, "registry reader") }, err
	})
	if err != nil {
		return nil, err
	}
	return []Metric{{RegsPerS, perSec(regs, nNames)}, {LookupsPerS, lookups}}, nil
}
