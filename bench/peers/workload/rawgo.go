package workload

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// RawGo runs the workloads with plain goroutines and channels (and a
// sync.Map for W7): the practical floor for Go. It has no mailboxes, links,
// monitors or crash recovery.
type RawGo struct{}

// Name returns "rawgo".
func (RawGo) Name() string { return "rawgo" }

// NA returns "": rawgo runs every workload.
func (RawGo) NA(Workload) string { return "" }

// rawFanInBuffer is W2's channel buffer, the "default chan" of docs/BENCHMARKS.md.
const rawFanInBuffer = 1024

// Run runs w at scale s.
func (r RawGo) Run(w Workload, s Scale) ([]Metric, error) {
	switch w {
	case W1:
		return r.pingpong(s.RoundTrips)
	case W2:
		return r.fanin(s.FanIn)
	case W3:
		return r.call(s.Calls)
	case W3b:
		return r.call64(s.Calls64)
	case W4:
		return r.spawn(s.Spawns)
	case W5:
		return r.restart(s.Restarts)
	case W6:
		return warm(func() ([]Metric, error) { return r.dynamic(s.Children) })
	case W6a:
		return warm(func() ([]Metric, error) { return r.asyncDynamic(s.Children) })
	case W7:
		return r.registry(s.Names, s.Lookups)
	}
	return nil, errNoWorkload(r, w)
}

// ball is the W1 message: a pointer, so a hop allocates nothing.
type ball struct{ left, hops int }

func checkBall(b *ball, roundTrips int) error {
	if b.left != 0 || b.hops != 2*roundTrips {
		return fmt.Errorf("pingpong: ball made %d hops with %d left; want %d and 0", b.hops, b.left, 2*roundTrips)
	}
	return nil
}

func (RawGo) pingpong(n int) ([]Metric, error) {
	done := make(chan struct{})
	ab, ba := make(chan *ball), make(chan *ball)
	var wg sync.WaitGroup
	bounce := func(in <-chan *ball, out chan<- *ball) {
		for b := range in {
			if b.left == 0 {
				close(done)
				return
			}
			b.left--
			b.hops++
			out <- b
		}
	}
	wg.Go(func() { bounce(ba, ab) })
	wg.Go(func() { bounce(ab, ba) })
	b := &ball{left: 2 * n}
	t0 := time.Now()
	ba <- b
	err := await(done, "pingpong")
	d := time.Since(t0)
	close(ab)
	close(ba)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	return []Metric{{RoundTripNS, nsPer(d, n)}}, checkBall(b, n)
}

func (RawGo) fanin(n int) ([]Metric, error) {
	ch := make(chan int, rawFanInBuffer)
	start := make(chan struct{})
	done := make(chan struct{})
	got, sum := 0, 0
	var wg sync.WaitGroup
	wg.Go(func() {
		for range n {
			v := <-ch
			got++
			sum += v
		}
		close(done)
	})
	for i := range Producers {
		k := share(n, Producers, i)
		wg.Go(func() {
			<-start
			for j := range k {
				ch <- payload(j)
			}
		})
	}
	t0 := time.Now()
	close(start)
	if err := await(done, "fanin"); err != nil {
		return nil, err
	}
	d := time.Since(t0)
	wg.Wait()
	return []Metric{{MsgsPerS, perSec(d, n)}}, checkFanIn(got, sum, n)
}

// rawReq is a rawgo call: an increment and where to send the total.
type rawReq struct {
	n     int
	reply chan int
}

// rawServer is the rawgo W3 server: a goroutine that adds each request to
// its total and replies with the total.
type rawServer struct {
	reqs chan rawReq
	wg   sync.WaitGroup
}

func startRawServer() *rawServer {
	s := &rawServer{reqs: make(chan rawReq)}
	s.wg.Go(func() {
		total := 0
		for r := range s.reqs {
			total += r.n
			r.reply <- total
		}
	})
	return s
}

// call makes one call with a fresh reply channel, as idiomatic
// request/response code (and genserver.Call) does.
func (s *rawServer) call(n int) int {
	reply := make(chan int, 1)
	s.reqs <- rawReq{n: n, reply: reply}
	return <-reply
}

func (s *rawServer) stop() {
	close(s.reqs)
	s.wg.Wait()
}

// callLoop makes k calls adding 1 and checks each reply is the running
// total (one caller only).
func callLoop(k int, call func() (int, error)) error {
	for i := 1; i <= k; i++ {
		v, err := call()
		if err != nil {
			return fmt.Errorf("call %d: %w", i, err)
		}
		if v != i {
			return fmt.Errorf("call %d: reply %d out of sequence", i, v)
		}
	}
	return nil
}

func (RawGo) call(n int) ([]Metric, error) {
	s := startRawServer()
	defer s.stop()
	t0 := time.Now()
	err := callLoop(n, func() (int, error) { return s.call(1), nil })
	d := time.Since(t0)
	if err != nil {
		return nil, err
	}
	return []Metric{{CallNS, nsPer(d, n)}}, nil
}

// concurrentCalls runs n calls split among [Callers] goroutines and then
// checks with total that the server counted exactly n. It returns calls/s.
func concurrentCalls(n int, call func() error, total func() (int, error)) (float64, error) {
	start := make(chan struct{})
	errs := make(chan error, Callers)
	var wg sync.WaitGroup
	for i := range Callers {
		k := share(n, Callers, i)
		wg.Go(func() {
			<-start
			for range k {
				if err := call(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	d := time.Since(t0)
	close(errs)
	if err := <-errs; err != nil {
		return 0, fmt.Errorf("call64: %w", err)
	}
	got, err := total()
	if err != nil {
		return 0, fmt.Errorf("call64: total: %w", err)
	}
	if got != n {
		return 0, fmt.Errorf("call64: server counted %d calls; want %d", got, n)
	}
	return perSec(d, n), nil
}

func (RawGo) call64(n int) ([]Metric, error) {
	s := startRawServer()
	defer s.stop()
	v, err := concurrentCalls(n,
		func() error { s.call(1); return nil },
		func() (int, error) { return s.call(0), nil })
	if err != nil {
		return nil, err
	}
	return []Metric{{CallsPerS, v}}, nil
}

// spawnBatches runs W4 with spawn and stop in two batches of n. The
// first batch, in a fresh runtime, gives the bytes per idle process (the
// growth of live heap plus stacks, which includes each runtime's tables
// growing to hold n processes); the second, warm batch is timed for the
// spawn and the stop. It returns µs per spawn, bytes per process and ms
// to stop.
func spawnBatches(n int, spawn func(n int) error, stop func() error) ([]Metric, error) {
	before := liveBytes()
	if err := spawn(n); err != nil {
		return nil, fmt.Errorf("spawn: first batch: %w", err)
	}
	after := liveBytes()
	if err := stop(); err != nil {
		return nil, fmt.Errorf("spawn: stop first batch: %w", err)
	}
	t0 := time.Now()
	if err := spawn(n); err != nil {
		return nil, fmt.Errorf("spawn: %w", err)
	}
	d := time.Since(t0)
	t1 := time.Now()
	if err := stop(); err != nil {
		return nil, fmt.Errorf("spawn: stop: %w", err)
	}
	stopped := time.Since(t1)
	return []Metric{
		{SpawnUS, nsPer(d, n) / 1000},
		{BytesPerProc, perProc(before, after, n)},
		{StopMS, ms(stopped)},
	}, nil
}

func (RawGo) spawn(n int) ([]Metric, error) {
	var park chan struct{}
	var wg sync.WaitGroup
	return spawnBatches(n, func(n int) error {
		park = make(chan struct{})
		wg.Add(n)
		for range n {
			go parked(park, &wg)
		}
		return nil
	}, func() error {
		close(park)
		wg.Wait()
		return nil
	})
}

// parked is a rawgo idle process: a goroutine blocked on a channel.
func parked(park <-chan struct{}, wg *sync.WaitGroup) {
	<-park
	wg.Done()
}

// restart: a supervisor goroutine starts a child goroutine and starts a
// new one each time the child reports a crash; the child signals ready
// from its start.
func (RawGo) restart(n int) ([]Metric, error) {
	ready := make(chan chan struct{}, 1)
	crashed := make(chan struct{})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	startChild := func() {
		kick := make(chan struct{})
		wg.Go(func() {
			ready <- kick
			select {
			case <-kick:
				crashed <- struct{}{}
			case <-stop:
			}
		})
	}
	restarts := 0
	wg.Go(func() {
		startChild()
		for {
			select {
			case <-crashed:
				restarts++
				startChild()
			case <-stop:
				return
			}
		}
	})
	kick := <-ready
	t0 := time.Now()
	for range n {
		close(kick)
		kick = <-ready
	}
	d := time.Since(t0)
	close(stop)
	wg.Wait()
	if restarts != n {
		return nil, fmt.Errorf("restart: %d restarts; want %d", restarts, n)
	}
	return []Metric{{RestartUS, nsPer(d, n) / 1000}}, nil
}

// dynamic: a supervisor goroutine that, per request, starts a child
// goroutine, waits for its init signal, records it and replies.
func (RawGo) dynamic(n int) ([]Metric, error) {
	type startReq struct{ reply chan int }
	reqs := make(chan startReq)
	stop := make(chan struct{})
	count := make(chan int, 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		children := make(map[int]chan struct{})
		defer func() { count <- len(children) }()
		for id := 0; ; id++ {
			select {
			case r := <-reqs:
				inited := make(chan struct{})
				quit := make(chan struct{})
				wg.Go(func() {
					close(inited)
					select {
					case <-quit:
					case <-stop:
					}
				})
				<-inited
				children[id] = quit
				r.reply <- id
			case <-stop:
				return
			}
		}
	})
	total, ratio, err := timeStarts(n, func(int) error {
		r := startReq{reply: make(chan int, 1)}
		reqs <- r
		<-r.reply
		return nil
	})
	t1 := time.Now()
	close(stop)
	wg.Wait()
	stopped := time.Since(t1)
	if err != nil {
		return nil, err
	}
	if c := <-count; c != n {
		return nil, fmt.Errorf("dynamic: %d children; want %d", c, n)
	}
	return []Metric{{ChildrenPerS, perSec(total, n)}, {Last10First10, ratio}, {StopMS, ms(stopped)}}, nil
}

// asyncDynamic: the bare loop of the reference raw Go W6 figure. Each
// start is a go statement (through a WaitGroup, the parent's only record
// of its children); the child counts its start as its first statement and
// parks until the parent closes stop. Nothing counts the children but the
// WaitGroup, so the check is the started counter.
func (RawGo) asyncDynamic(n int) ([]Metric, error) {
	var started atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	total, ratio, err := asyncStarts(n, &started, func(int) error {
		wg.Go(func() {
			started.Add(1)
			<-stop
		})
		return nil
	})
	t1 := time.Now()
	close(stop)
	wg.Wait()
	stopped := time.Since(t1)
	if err != nil {
		return nil, err
	}
	if err := checkStarted(&started, n); err != nil {
		return nil, err
	}
	return []Metric{{ChildrenPerS, perSec(total, n)}, {Last10First10, ratio}, {StopMS, ms(stopped)}}, nil
}

// registry: a sync.Map from name to owner.
func (RawGo) registry(nNames, nLookups int) ([]Metric, error) {
	keys := make([]any, nNames) // boxed once, as for Orchard, so lookups do not allocate keys
	for i, s := range names(nNames) {
		keys[i] = s
	}
	owners := make([]*int, holders(nNames))
	for i := range owners {
		owners[i] = new(int)
	}
	var m sync.Map
	t0 := time.Now()
	for i, k := range keys {
		if _, loaded := m.LoadOrStore(k, owners[i%len(owners)]); loaded {
			return nil, fmt.Errorf("registry: %v taken", k)
		}
	}
	regs := time.Since(t0)
	lookups, err := readers(nLookups, len(keys), func(i int) bool {
		v, ok := m.Load(keys[i])
		return ok && v == owners[i%len(owners)]
	})
	if err != nil {
		return nil, err
	}
	return []Metric{{RegsPerS, perSec(regs, nNames)}, {LookupsPerS, lookups}}, nil
}

// errMissed reports a lookup that did not find its name's owner.
var errMissed = errors.New("registry: a lookup missed")

// readers runs n lookups split among [Readers] goroutines; lookup(i)
// looks up name i and reports whether it found its owner. It returns
// lookups/s.
func readers(n, nNames int, lookup func(i int) bool) (float64, error) {
	return readersWith(n, nNames, lookup, func(f func()) (func() error, error) {
		var wg sync.WaitGroup
		wg.Go(f)
		return func() error { wg.Wait(); return nil }, nil
	})
}

// readersWith is readers with a custom way to start a reader: spawn starts
// f (in a process, for example) and returns a function waiting for it.
func readersWith(n, nNames int, lookup func(i int) bool, spawn func(f func()) (func() error, error)) (float64, error) {
	start := make(chan struct{})
	missed := make([]int, Readers)
	waits := make([]func() error, 0, Readers)
	for r := range Readers {
		k := share(n, Readers, r)
		wait, err := spawn(func() {
			<-start
			for j := range k {
				if !lookup(lookupIndex(r, j, nNames)) {
					missed[r]++
				}
			}
		})
		if err != nil {
			close(start)
			return 0, fmt.Errorf("registry: start reader: %w", err)
		}
		waits = append(waits, wait)
	}
	t0 := time.Now()
	close(start)
	for _, wait := range waits {
		if err := wait(); err != nil {
			return 0, err
		}
	}
	d := time.Since(t0)
	for _, m := range missed {
		if m != 0 {
			return 0, fmt.Errorf("%w (%d misses)", errMissed, m)
		}
	}
	return perSec(d, n), nil
}
