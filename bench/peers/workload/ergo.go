package workload

import (
	"errors"
	"flag"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ergo-services/ergo"
	"github.com/ergo-services/ergo/etf"
	"github.com/ergo-services/ergo/gen"
	"github.com/ergo-services/ergo/lib"
	"github.com/ergo-services/ergo/node"
)

// Ergo runs the workloads on ergo v1.999.224 (ergo 2.2.4) with gen.Server
// processes and gen.Supervisor, anonymous metrics off, no EPMD and static
// routes only.
type Ergo struct{}

// Name returns "ergo".
func (Ergo) Name() string { return "ergo" }

// NA returns "": ergo runs every workload (W6a with a parent gen.Server
// that spawns and links its children, W7 with its node-local name table,
// RegisterName and ProcessByName).
func (Ergo) NA(Workload) string { return "" }

// ergoNodes numbers ergo nodes, so each gets a unique name.
var ergoNodes atomic.Int64

// ergoMailbox is the largest mailbox ergo allows (a uint16); ergo's
// default of 100 makes sends fail as soon as a consumer falls behind.
const ergoMailbox = 65535

// Run runs w at scale s on a fresh ergo node and stops it afterwards.
func (e Ergo) Run(w Workload, s Scale) ([]Metric, error) {
	// ergo prints warnings (for example on unhandled messages) unless
	// told not to through its command-line flag.
	if f := flag.Lookup("ergo.warning"); f != nil {
		_ = f.Value.Set("false")
	}
	name := fmt.Sprintf("bench%d@localhost", ergoNodes.Add(1))
	n, err := ergo.StartNode(name, "bench", node.Options{
		StaticRoutesOnly: true, // no EPMD client or server
		System:           node.System{DisableAnonMetrics: true},
		// ergo requires a listener; it stays idle on loopback.
		Listeners: []node.Listener{{Hostname: "127.0.0.1", ListenBegin: 30000, ListenEnd: 60000}},
	})
	if err != nil {
		return nil, fmt.Errorf("ergo: StartNode: %w", err)
	}
	defer func() {
		n.Stop()
		n.Wait()
	}()
	switch w {
	case W1:
		return e.pingpong(n, s.RoundTrips)
	case W2:
		return e.fanin(n, s.FanIn)
	case W3:
		return e.call(n, s.Calls)
	case W3b:
		return e.call64(n, s.Calls64)
	case W4:
		return e.spawn(n, s.Spawns)
	case W5:
		return e.restart(n, s.Restarts)
	case W6:
		return warm(func() ([]Metric, error) { return e.dynamic(n, s.Children) })
	case W6a:
		return warm(func() ([]Metric, error) { return e.asyncDynamic(n, s.Children) })
	case W7:
		return e.registry(n, s.Names, s.Lookups)
	}
	return nil, errNoWorkload(e, w)
}

// ergoPinger forwards the W1 ball to its peer.
type ergoPinger struct {
	gen.Server
	peer etf.Pid
	done chan struct{}
}

func (h *ergoPinger) HandleInfo(p *gen.ServerProcess, m etf.Term) gen.ServerStatus {
	b := m.(*ball)
	if b.left == 0 {
		close(h.done)
		return gen.ServerStatusOK
	}
	b.left--
	b.hops++
	if err := p.Send(h.peer, b); err != nil {
		return err
	}
	return gen.ServerStatusOK
}

func (Ergo) pingpong(n node.Node, rounds int) ([]Metric, error) {
	done := make(chan struct{})
	ha, hb := &ergoPinger{done: done}, &ergoPinger{done: done}
	a, err := n.Spawn("", gen.ProcessOptions{}, ha)
	if err != nil {
		return nil, err
	}
	c, err := n.Spawn("", gen.ProcessOptions{}, hb)
	if err != nil {
		return nil, err
	}
	ha.peer, hb.peer = c.Self(), a.Self()
	b := &ball{left: 2 * rounds}
	t0 := time.Now()
	if err := a.Send(a.Self(), b); err != nil {
		return nil, err
	}
	if err := await(done, "pingpong"); err != nil {
		return nil, err
	}
	d := time.Since(t0)
	return []Metric{{RoundTripNS, nsPer(d, rounds)}}, checkBall(b, rounds)
}

// ergoCounter is the W2 consumer.
type ergoCounter struct {
	gen.Server
	want, got, sum int
	done           chan struct{}
}

func (c *ergoCounter) HandleInfo(_ *gen.ServerProcess, m etf.Term) gen.ServerStatus {
	c.got++
	c.sum += m.(int)
	if c.got == c.want {
		close(c.done)
	}
	return gen.ServerStatusOK
}

// ergoRunner runs its function once, on the "go" message, and reports
// the outcome on result.
type ergoRunner struct {
	gen.Server
	run    func(p *gen.ServerProcess) error
	result chan error
}

func (r *ergoRunner) HandleInfo(p *gen.ServerProcess, _ etf.Term) gen.ServerStatus {
	r.result <- r.run(p)
	return gen.ServerStatusOK
}

// spawnRunners spawns k ergoRunners, sends each "go" and waits for all of
// them; it returns the time from the first "go" until the last finished.
func spawnRunners(n node.Node, k int, run func(i int, p *gen.ServerProcess) error) (time.Duration, error) {
	result := make(chan error, k)
	procs := make([]gen.Process, k)
	for i := range k {
		p, err := n.Spawn("", gen.ProcessOptions{}, &ergoRunner{
			run:    func(p *gen.ServerProcess) error { return run(i, p) },
			result: result,
		})
		if err != nil {
			return 0, err
		}
		procs[i] = p
	}
	t0 := time.Now()
	for _, p := range procs {
		if err := p.Send(p.Self(), "go"); err != nil {
			return 0, err
		}
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
			return 0, fmt.Errorf("ergo: runners not done after %v", waitTimeout)
		}
	}
	return time.Since(t0), nil
}

// sendRetry sends m and retries while the mailbox is full: ergo's
// mailboxes are bounded (at most 65,535 messages) and a send to a full one
// fails instead of blocking, so a producer has to try again.
func sendRetry(p gen.Process, to etf.Pid, m etf.Term) error {
	for {
		err := p.Send(to, m)
		if !errors.Is(err, lib.ErrProcessMailboxFull) && !errors.Is(err, lib.ErrProcessBusy) {
			return err
		}
		runtime.Gosched()
	}
}

func (Ergo) fanin(n node.Node, total int) ([]Metric, error) {
	c := &ergoCounter{want: total, done: make(chan struct{})}
	consumer, err := n.Spawn("", gen.ProcessOptions{MailboxSize: ergoMailbox}, c)
	if err != nil {
		return nil, err
	}
	to := consumer.Self()
	t0 := time.Now()
	if _, err := spawnRunners(n, Producers, func(i int, p *gen.ServerProcess) error {
		for j := range share(total, Producers, i) {
			if err := sendRetry(p, to, payload(j)); err != nil {
				return err
			}
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

// ergoSum adds each call's request to its total and replies with it.
type ergoSum struct {
	gen.Server
	total int
}

func (s *ergoSum) HandleCall(_ *gen.ServerProcess, _ gen.ServerFrom, m etf.Term) (etf.Term, gen.ServerStatus) {
	s.total += m.(int)
	return s.total, gen.ServerStatusOK
}

func (Ergo) call(n node.Node, calls int) ([]Metric, error) {
	srv, err := n.Spawn("", gen.ProcessOptions{}, &ergoSum{})
	if err != nil {
		return nil, err
	}
	to := srv.Self()
	d, err := spawnRunners(n, 1, func(_ int, p *gen.ServerProcess) error {
		return callLoop(calls, func() (int, error) {
			v, err := p.Call(to, 1)
			i, _ := v.(int)
			return i, err
		})
	})
	if err != nil {
		return nil, err
	}
	return []Metric{{CallNS, nsPer(d, calls)}}, nil
}

func (Ergo) call64(n node.Node, calls int) ([]Metric, error) {
	sum := &ergoSum{}
	srv, err := n.Spawn("", gen.ProcessOptions{MailboxSize: ergoMailbox}, sum)
	if err != nil {
		return nil, err
	}
	to := srv.Self()
	d, err := spawnRunners(n, Callers, func(i int, p *gen.ServerProcess) error {
		for range share(calls, Callers, i) {
			if _, err := p.Call(to, 1); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Every call returned, so the server handled them all; ask it from
	// one more runner for its total.
	var got int
	if _, err := spawnRunners(n, 1, func(_ int, p *gen.ServerProcess) error {
		v, err := p.Call(to, 0)
		got, _ = v.(int)
		return err
	}); err != nil {
		return nil, err
	}
	if got != calls {
		return nil, fmt.Errorf("call64: server counted %d calls; want %d", got, calls)
	}
	return []Metric{{CallsPerS, perSec(d, calls)}}, nil
}

// ergoIdle is a gen.Server with nothing to do; started, if set, counts
// Inits.
type ergoIdle struct {
	gen.Server
	started *atomic.Int64
}

func (s *ergoIdle) Init(*gen.ServerProcess, ...etf.Term) error {
	if s.started != nil {
		s.started.Add(1)
	}
	return nil
}

func (Ergo) spawn(n node.Node, k int) ([]Metric, error) {
	procs := make([]gen.Process, 0, k)
	return spawnBatches(k, func(k int) error {
		for range k {
			p, err := n.Spawn("", gen.ProcessOptions{}, &ergoIdle{})
			if err != nil {
				return err
			}
			procs = append(procs, p)
		}
		return nil
	}, func() error {
		for _, p := range procs {
			p.Kill()
		}
		for _, p := range procs {
			if err := p.WaitWithTimeout(waitTimeout); err != nil {
				return fmt.Errorf("ergo: wait for killed process: %w", err)
			}
		}
		procs = procs[:0]
		return nil
	})
}

// ergoCrasher sends its process to ready from Init and stops with an
// error on any message.
type ergoCrasher struct {
	gen.Server
	ready chan gen.Process
}

func (c *ergoCrasher) Init(p *gen.ServerProcess, _ ...etf.Term) error {
	c.ready <- p
	return nil
}

func (c *ergoCrasher) HandleInfo(*gen.ServerProcess, etf.Term) gen.ServerStatus {
	return gen.ServerStatus(errCrash)
}

// ergoSup is a gen.Supervisor with a fixed spec.
type ergoSup struct {
	gen.Supervisor
	spec gen.SupervisorSpec
}

func (s *ergoSup) Init(...etf.Term) (gen.SupervisorSpec, error) { return s.spec, nil }

func (Ergo) restart(n node.Node, crashes int) ([]Metric, error) {
	ready := make(chan gen.Process, 1)
	sup := &ergoSup{spec: gen.SupervisorSpec{
		Children: []gen.SupervisorChildSpec{{Name: "child", Child: &ergoCrasher{ready: ready}}},
		Strategy: gen.SupervisorStrategy{
			Type:      gen.SupervisorStrategyOneForOne,
			Intensity: 65535, // the largest allowed
			Period:    3600,
			Restart:   gen.SupervisorStrategyRestartPermanent,
		},
	}}
	if _, err := n.Spawn("", gen.ProcessOptions{}, sup); err != nil {
		return nil, fmt.Errorf("ergo: start supervisor: %w", err)
	}
	p := <-ready
	t := time.NewTimer(readyTimeout)
	defer t.Stop()
	t0 := time.Now()
	for i := range crashes {
		if err := p.Send(p.Self(), "crash"); err != nil {
			return nil, fmt.Errorf("restart %d: send: %w", i, err)
		}
		t.Reset(readyTimeout)
		select {
		case next := <-ready:
			if next.Self() == p.Self() {
				return nil, fmt.Errorf("restart %d: child was not replaced", i)
			}
			p = next
		case <-t.C:
			return nil, fmt.Errorf("restart %d: no new child after %v", i, readyTimeout)
		}
	}
	d := time.Since(t0)
	return []Metric{{RestartUS, nsPer(d, crashes) / 1000}}, nil
}

func (Ergo) dynamic(n node.Node, k int) ([]Metric, error) {
	var started atomic.Int64
	sup := &ergoSup{spec: gen.SupervisorSpec{
		Children: []gen.SupervisorChildSpec{{Name: "idle", Child: &ergoIdle{started: &started}}},
		Strategy: gen.SupervisorStrategy{
			Type:      gen.SupervisorStrategySimpleOneForOne,
			Intensity: gen.SupervisorRestartIntensity,
			Period:    gen.SupervisorRestartPeriod,
			Restart:   gen.SupervisorStrategyRestartTemporary,
		},
	}}
	sp, err := n.Spawn("", gen.ProcessOptions{}, sup)
	if err != nil {
		return nil, fmt.Errorf("ergo: start supervisor: %w", err)
	}
	children := make([]gen.Process, 0, k)
	total, ratio, err := timeStarts(k, func(int) error {
		c, err := sup.StartChild(sp, "idle")
		children = append(children, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	if got := started.Load(); got != int64(k) {
		return nil, fmt.Errorf("dynamic: %d children ran Init; want %d", got, k)
	}
	if kids, err := sp.Children(); err != nil || len(kids) != k {
		return nil, fmt.Errorf("dynamic: supervisor has %d children (%v); want %d", len(kids), err, k)
	}
	t1 := time.Now()
	if err := sp.Exit("shutdown"); err != nil {
		return nil, fmt.Errorf("dynamic: stop supervisor: %w", err)
	}
	if err := sp.WaitWithTimeout(waitTimeout); err != nil {
		return nil, fmt.Errorf("dynamic: wait for supervisor: %w", err)
	}
	for _, c := range children {
		if err := c.WaitWithTimeout(waitTimeout); err != nil {
			return nil, fmt.Errorf("dynamic: wait for child: %w", err)
		}
	}
	stopped := time.Since(t1)
	return []Metric{{ChildrenPerS, perSec(total, k)}, {Last10First10, ratio}, {StopMS, ms(stopped)}}, nil
}

// ergoParent is the W6a parent: a gen.Server that traps exits and, on
// every spawnChild message, spawns an ergoIdle child from its own handler
// (ergo runs the child's Init inside Spawn) and links it. It keeps its
// children, never restarts them (they are temporary), and stops on an
// exit signal from itself, its children dying with it through their
// links. ergo's gen.Supervisor adds a child only through StartChild, a
// Direct request to the supervisor (W6); a parent process is ergo's way
// to start children without a request per child.
type ergoParent struct {
	gen.Server
	child    *ergoIdle
	children []gen.Process
	failed   chan error // the first failed spawn, then the parent stops
}

func (h *ergoParent) Init(p *gen.ServerProcess, _ ...etf.Term) error {
	p.SetTrapExit(true)
	return nil
}

func (h *ergoParent) HandleInfo(p *gen.ServerProcess, m etf.Term) gen.ServerStatus {
	switch m := m.(type) {
	case spawnChild:
		// ergo has no spawn_link: the link follows the spawn, which is
		// safe here as an idle child cannot exit in between.
		c, err := p.Spawn("", gen.ProcessOptions{}, h.child)
		if err == nil {
			err = p.Link(c.Self())
			h.children = append(h.children, c)
		}
		if err != nil {
			h.failed <- err
			return gen.ServerStatus(err)
		}
	case gen.MessageExit:
		if m.Pid == p.Self() {
			return gen.ServerStatusStopWithReason(m.Reason)
		}
		// A temporary child exited: nothing to restart.
	}
	return gen.ServerStatusOK
}

// HandleDirect answers countChildren with a copy of the children.
func (h *ergoParent) HandleDirect(_ *gen.ServerProcess, _ etf.Ref, m any) (any, gen.DirectStatus) {
	if _, ok := m.(countChildren); ok {
		return slices.Clone(h.children), gen.DirectStatusOK
	}
	return nil, lib.ErrUnsupportedRequest
}

// asyncDynamic: each start is one message to the parent (sent as the
// parent, from outside it, retried while its bounded mailbox is full); the
// parent spawns and links the child. Spawn returns once the child's Init
// ran, so the started count follows the parent's progress. The first
// 65,535 sends only fill the mailbox; later ones wait for the parent to
// make room, so at the full scale the last 10% / first 10% ratio of the
// start calls shows that back-pressure (and ergo's Link, which scans the
// parent's whole link list) more than the cost of a send.
func (Ergo) asyncDynamic(n node.Node, k int) ([]Metric, error) {
	var started atomic.Int64
	h := &ergoParent{child: &ergoIdle{started: &started}, failed: make(chan error, 1)}
	parent, err := n.Spawn("", gen.ProcessOptions{MailboxSize: ergoMailbox}, h)
	if err != nil {
		return nil, fmt.Errorf("ergo: start parent: %w", err)
	}
	self := parent.Self()
	total, ratio, err := asyncStarts(k, &started, func(int) error {
		return sendRetry(parent, self, spawnChild{})
	})
	if err != nil {
		select {
		case ferr := <-h.failed:
			return nil, fmt.Errorf("async dynamic: parent: %w", ferr)
		default:
		}
		return nil, err
	}
	v, err := parent.Direct(countChildren{})
	children, _ := v.([]gen.Process)
	if err != nil || len(children) != k {
		return nil, fmt.Errorf("async dynamic: parent has %d children (%v); want %d", len(children), err, k)
	}
	if links := len(parent.Links()); links != k {
		return nil, fmt.Errorf("async dynamic: parent has %d links; want %d", links, k)
	}
	if err := checkStarted(&started, k); err != nil {
		return nil, err
	}
	t1 := time.Now()
	if err := parent.Exit("shutdown"); err != nil {
		return nil, fmt.Errorf("async dynamic: stop parent: %w", err)
	}
	if err := parent.WaitWithTimeout(waitTimeout); err != nil {
		return nil, fmt.Errorf("async dynamic: wait for parent: %w", err)
	}
	for _, c := range children {
		if err := c.WaitWithTimeout(waitTimeout); err != nil {
			return nil, fmt.Errorf("async dynamic: wait for child: %w", err)
		}
	}
	stopped := time.Since(t1)
	return []Metric{{ChildrenPerS, perSec(total, k)}, {Last10First10, ratio}, {StopMS, ms(stopped)}}, nil
}

func (Ergo) registry(n node.Node, nNames, nLookups int) ([]Metric, error) {
	keys := names(nNames)
	owners := make([]etf.Pid, holders(nNames))
	for i := range owners {
		p, err := n.Spawn("", gen.ProcessOptions{}, &ergoIdle{})
		if err != nil {
			return nil, err
		}
		owners[i] = p.Self()
	}
	t0 := time.Now()
	for i, k := range keys {
		if err := n.RegisterName(k, owners[i%len(owners)]); err != nil {
			return nil, fmt.Errorf("registry: RegisterName(%s): %w", k, err)
		}
	}
	regs := time.Since(t0)
	// Readers are ergo processes, like the holders.
	lookups, err := readersWith(nLookups, nNames, func(i int) bool {
		p := n.ProcessByName(keys[i])
		return p != nil && p.Self() == owners[i%len(owners)]
	}, func(f func()) (func() error, error) {
		var wg sync.WaitGroup
		wg.Add(1)
		r := &ergoRunner{run: func(*gen.ServerProcess) error { defer wg.Done(); f(); return nil }, result: make(chan error, 1)}
		p, err := n.Spawn("", gen.ProcessOptions{}, r)
		if err != nil {
			return nil, err
		}
		if err := p.Send(p.Self(), "go"); err != nil {
			return nil, err
		}
		return func() error { wg.Wait(); return <-r.result }, nil
	})
	if err != nil {
		return nil, err
	}
	return []Metric{{RegsPerS, perSec(regs, nNames)}, {LookupsPerS, lookups}}, nil
}
