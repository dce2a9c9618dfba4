package bench_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// stopTimeout bounds the Stop of every benchmark node.
const stopTimeout = 10 * time.Second

// family runs the two sides of a workload as sub-benchmarks named orchard
// and rawgo, each reporting allocations. extra adds more sides (for
// example orchard-from-process) in order after orchard.
func family(b *testing.B, orchard, rawgo func(*testing.B), extra ...side) {
	b.Helper()
	sides := append([]side{{"orchard", orchard}}, extra...)
	sides = append(sides, side{"rawgo", rawgo})
	for _, s := range sides {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			s.fn(b)
		})
	}
}

type side struct {
	name string
	fn   func(*testing.B)
}

// newNode creates a node that is stopped, and checked to be empty, when
// the (sub-)benchmark ends. A node the benchmark stopped itself is fine.
func newNode(b *testing.B) *process.Node {
	b.Helper()
	n, err := process.NewNode()
	if err != nil {
		b.Fatalf("process.NewNode: %v", err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		if err := n.Stop(ctx); err != nil && !errors.Is(err, process.ErrStopped) {
			b.Errorf("node.Stop: %v", err)
		}
		if st := n.Stats(); st.Processes != 0 || st.Zombies != 0 {
			b.Errorf("after stop: %d processes, %d zombies", st.Processes, st.Zombies)
		}
	})
	return n
}

// wait waits for done or fails the benchmark after a generous timeout, so
// a lost message shows up as a failure instead of a hang.
func wait(b *testing.B, done <-chan struct{}, what string) {
	b.Helper()
	t := time.NewTimer(time.Minute)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		b.Fatalf("%s: not done after a minute", what)
	}
}

// perSecond reports b.N per measured second under the given unit.
func perSecond(b *testing.B, unit string) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, unit)
	}
}

// ---------------------------------------------------------------------------
// W1 pingpong: one op = one round trip (two hops).

// ball is the message of W1. It is a pointer, so a hop allocates nothing;
// only the process holding it touches it.
type ball struct {
	left int // hops still to make
	hops int // hops made
}

// pinger forwards the ball to its peer until no hops are left.
type pinger struct {
	peer process.PID
	done chan struct{}
}

func (h *pinger) HandleMessage(p *process.Proc, m process.Msg) error {
	bl := m.(*ball)
	if bl.left == 0 {
		close(h.done)
		return nil
	}
	bl.left--
	bl.hops++
	return p.Send(h.peer, bl)
}

func BenchmarkW1Pingpong(b *testing.B) {
	family(b, w1Orchard, w1Rawgo)
}

func w1Orchard(b *testing.B) {
	n := newNode(b)
	done := make(chan struct{})
	ha, hb := &pinger{done: done}, &pinger{done: done}
	a, err := n.SpawnHandler(ha)
	if err != nil {
		b.Fatal(err)
	}
	c, err := n.SpawnHandler(hb)
	if err != nil {
		b.Fatal(err)
	}
	// Set before the first message: the mailbox lock orders these writes
	// before the handlers read them.
	ha.peer, hb.peer = c, a
	bl := &ball{left: 2 * b.N}
	b.ResetTimer()
	if err := n.Send(a, bl); err != nil {
		b.Fatal(err)
	}
	wait(b, done, "pingpong")
	b.StopTimer()
	checkBall(b, bl)
}

func w1Rawgo(b *testing.B) {
	done := make(chan struct{})
	ab, ba := make(chan *ball), make(chan *ball)
	var wg sync.WaitGroup
	bounce := func(in <-chan *ball, out chan<- *ball) {
		for bl := range in {
			if bl.left == 0 {
				close(done)
				return
			}
			bl.left--
			bl.hops++
			out <- bl
		}
	}
	wg.Go(func() { bounce(ba, ab) })
	wg.Go(func() { bounce(ab, ba) })
	bl := &ball{left: 2 * b.N}
	b.ResetTimer()
	ba <- bl
	wait(b, done, "pingpong")
	b.StopTimer()
	// The goroutine that saw left == 0 returned; the other waits on its
	// input and nobody sends any more, so closing both ends it.
	close(ab)
	close(ba)
	wg.Wait()
	checkBall(b, bl)
}

func checkBall(b *testing.B, bl *ball) {
	b.Helper()
	if bl.left != 0 || bl.hops != 2*b.N {
		b.Fatalf("ball made %d hops with %d left; want %d and 0", bl.hops, bl.left, 2*b.N)
	}
}

// ---------------------------------------------------------------------------
// W2 fanin: 8 producers, 1 consumer; one op = one message.

const producers = 8

// share returns how many of total items worker i of k gets.
func share(total, k, i int) int {
	s := total / k
	if i < total%k {
		s++
	}
	return s
}

// counter is the W2 consumer: it counts messages and sums their payloads,
// and closes done when want messages arrived.
type counter struct {
	want, got, sum int
	done           chan struct{}
}

func (c *counter) add(v int) {
	c.got++
	c.sum += v
	if c.got == c.want {
		close(c.done)
	}
}

func (c *counter) HandleMessage(_ *process.Proc, m process.Msg) error {
	c.add(m.(int))
	return nil
}

// payload is message i of a producer: a small int, which converts to an
// interface without allocating.
func payload(i int) int { return i & 0xff }

// wantSum is the sum of the payloads producers send for b.N messages.
func wantSum(total int) int {
	s := 0
	for i := range producers {
		for j := range share(total, producers, i) {
			s += payload(j)
		}
	}
	return s
}

func (c *counter) check(b *testing.B) {
	b.Helper()
	if c.got != c.want || c.sum != wantSum(c.want) {
		b.Fatalf("consumer counted %d messages summing to %d; want %d summing to %d",
			c.got, c.sum, c.want, wantSum(c.want))
	}
}

func BenchmarkW2Fanin(b *testing.B) {
	family(b, w2Orchard, w2Rawgo)
}

func w2Orchard(b *testing.B) {
	n := newNode(b)
	c := &counter{want: b.N, done: make(chan struct{})}
	consumer, err := n.SpawnHandler(c)
	if err != nil {
		b.Fatal(err)
	}
	start := make(chan struct{})
	for i := range producers {
		k := share(b.N, producers, i)
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
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	close(start)
	wait(b, c.done, "fanin")
	b.StopTimer()
	perSecond(b, "msgs/s")
	c.check(b)
}

// rawgoChanSize is the buffer of W2's rawgo channel: the "default chan" of
// the reference figures.
const rawgoChanSize = 1024

func w2Rawgo(b *testing.B) {
	c := &counter{want: b.N, done: make(chan struct{})}
	ch := make(chan int, rawgoChanSize)
	start := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for range b.N {
			c.add(<-ch)
		}
	})
	for i := range producers {
		k := share(b.N, producers, i)
		wg.Go(func() {
			<-start
			for j := range k {
				ch <- payload(j)
			}
		})
	}
	b.ResetTimer()
	close(start)
	wait(b, c.done, "fanin")
	b.StopTimer()
	perSecond(b, "msgs/s")
	wg.Wait()
	c.check(b)
}

// ---------------------------------------------------------------------------
// W3 call and W3b call64: synchronous calls to one server.

// sumServer adds each request to its total and replies with the total, so
// the last reply proves every call was handled once.
type sumServer struct{ total int }

func (s *sumServer) Init(*genserver.Self) error { return nil }

func (s *sumServer) HandleCall(_ *genserver.Self, _ genserver.From, req any) (any, error) {
	s.total += req.(int)
	return s.total, nil
}

// rawReq is a rawgo request: an increment and where to send the total.
type rawReq struct {
	n     int
	reply chan int
}

// rawServer is W3's rawgo server: a goroutine reading requests until its
// channel is closed.
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

// call makes one request with a fresh reply channel, as genserver.Call
// does.
func (s *rawServer) call(n int) int {
	reply := make(chan int, 1)
	s.reqs <- rawReq{n: n, reply: reply}
	return <-reply
}

func (s *rawServer) stop() {
	close(s.reqs)
	s.wg.Wait()
}

func startSumServer(b *testing.B, n *process.Node) process.PID {
	b.Helper()
	pid, err := genserver.Start(n, &sumServer{})
	if err != nil {
		b.Fatal(err)
	}
	return pid
}

// callLoop makes calls 1..k with call, checking each reply is the running
// total (one caller only).
func callLoop(k int, call func() (int, error)) error {
	for i := 1; i <= k; i++ {
		v, err := call()
		if err != nil {
			return err
		}
		if v != i {
			return errors.New("reply out of sequence")
		}
	}
	return nil
}

func BenchmarkW3Call(b *testing.B) {
	family(b, w3Orchard, w3Rawgo, side{"orchard-from-process", w3OrchardFromProcess})
}

func w3Orchard(b *testing.B) {
	n := newNode(b)
	pid := startSumServer(b, n)
	ctx := context.Background()
	b.ResetTimer()
	err := callLoop(b.N, func() (int, error) { return genserver.Call[int](ctx, pid, 1) })
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
}

func w3OrchardFromProcess(b *testing.B) {
	n := newNode(b)
	pid := startSumServer(b, n)
	start := make(chan struct{})
	result := make(chan error, 1)
	_, err := n.Spawn(func(p *process.Proc) error {
		ctx := p.Context()
		select {
		case <-start:
		case <-ctx.Done():
			return nil
		}
		result <- callLoop(b.N, func() (int, error) { return genserver.Call[int](ctx, pid, 1) })
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	close(start)
	err = <-result
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
}

func w3Rawgo(b *testing.B) {
	s := startRawServer()
	defer s.stop()
	b.ResetTimer()
	err := callLoop(b.N, func() (int, error) { return s.call(1), nil })
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
}

const callers = 64

// concurrentCalls runs b.N calls split among 64 goroutines, then checks
// with total that the server handled exactly b.N increments.
func concurrentCalls(b *testing.B, call func() (int, error), total func() (int, error)) {
	b.Helper()
	start := make(chan struct{})
	errs := make(chan error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		k := share(b.N, callers, i)
		wg.Go(func() {
			<-start
			for range k {
				if _, err := call(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	b.ResetTimer()
	close(start)
	wg.Wait()
	b.StopTimer()
	perSecond(b, "calls/s")
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	got, err := total()
	if err != nil || got != b.N {
		b.Fatalf("server total = %d, %v; want %d", got, err, b.N)
	}
}

func BenchmarkW3bCall64(b *testing.B) {
	family(b, w3bOrchard, w3bRawgo)
}

func w3bOrchard(b *testing.B) {
	n := newNode(b)
	pid := startSumServer(b, n)
	ctx := context.Background()
	concurrentCalls(b,
		func() (int, error) { return genserver.Call[int](ctx, pid, 1) },
		func() (int, error) { return genserver.Call[int](ctx, pid, 0) })
}

func w3bRawgo(b *testing.B) {
	s := startRawServer()
	defer s.stop()
	concurrentCalls(b,
		func() (int, error) { return s.call(1), nil },
		func() (int, error) { return s.call(0), nil })
}

// ---------------------------------------------------------------------------
// W4 spawn: one op = one spawn of an idle server; plus a fixed batch of
// 100,000 for memory and stop time.

// batch is the largest number of spawns kept alive at once, and the size
// of the fixed memory and stop measurement.
const batch = 100_000

// idleServer is a GenServer with nothing to do.
type idleServer struct{}

func (idleServer) Init(*genserver.Self) error { return nil }

// liveBytes returns the live heap plus goroutine stacks after a GC.
func liveBytes() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc + ms.StackInuse
}

// spawner is one side of W4.
type spawner interface {
	// spawn starts k idle processes (timed).
	spawn(b *testing.B, k int)
	// stop stops everything spawn started and checks that all are gone.
	stop(b *testing.B)
}

func BenchmarkW4Spawn(b *testing.B) {
	family(b,
		func(b *testing.B) { w4(b, &orchardSpawner{node: newNode(b)}) },
		func(b *testing.B) { w4(b, &rawSpawner{}) },
		side{"orchard-inline", func(b *testing.B) { w4(b, &orchardSpawner{node: newNode(b), inline: true}) }})
}

func w4(b *testing.B, s spawner) {
	b.ResetTimer()
	for done := 0; done < b.N; {
		k := min(b.N-done, batch)
		s.spawn(b, k)
		b.StopTimer()
		s.stop(b)
		b.StartTimer()
		done += k
	}
	b.StopTimer()

	before := liveBytes()
	s.spawn(b, batch)
	after := liveBytes()
	b.ReportMetric(float64(int64(after)-int64(before))/batch, "B/proc")
	t0 := time.Now()
	s.stop(b)
	b.ReportMetric(float64(time.Since(t0).Microseconds())/1000, "stop-ms")

	if o, ok := s.(*orchardSpawner); ok {
		o.spawn(b, batch)
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		t0 := time.Now()
		err := o.node.Stop(ctx)
		b.ReportMetric(float64(time.Since(t0).Microseconds())/1000, "nodestop-ms")
		if err != nil {
			b.Fatalf("node.Stop: %v", err)
		}
		if got := o.node.Stats().Processes; got != 0 {
			b.Fatalf("%d processes alive after node.Stop", got)
		}
	}
}

type orchardSpawner struct {
	node   *process.Node
	pids   []process.PID
	inline bool // Init on the spawning goroutine (genserver.WithInlineInit)
}

func (o *orchardSpawner) spawn(b *testing.B, k int) {
	if cap(o.pids) < k {
		b.StopTimer()
		o.pids = make([]process.PID, 0, batch)
		b.StartTimer()
	}
	var opts []genserver.StartOption
	if o.inline {
		opts = append(opts, genserver.WithInlineInit())
	}
	for range k {
		pid, err := genserver.Start(o.node, idleServer{}, opts...)
		if err != nil {
			b.Fatal(err)
		}
		o.pids = append(o.pids, pid)
	}
	if got := o.node.Stats().Processes; got != len(o.pids) {
		b.Fatalf("%d processes alive after spawning %d", got, len(o.pids))
	}
}

func (o *orchardSpawner) stop(b *testing.B) {
	for _, pid := range o.pids {
		if err := o.node.Exit(pid, process.Kill); err != nil {
			b.Fatal(err)
		}
	}
	o.pids = o.pids[:0]
	if got := o.node.Stats().Processes; got != 0 {
		b.Fatalf("%d processes alive after killing all", got)
	}
}

type rawSpawner struct {
	park chan struct{}
	wg   sync.WaitGroup
}

func (r *rawSpawner) spawn(_ *testing.B, k int) {
	if r.park == nil {
		r.park = make(chan struct{})
	}
	r.wg.Add(k)
	for range k {
		go parked(r.park, &r.wg)
	}
}

// parked is a rawgo idle process: a goroutine blocked on a channel.
func parked(park <-chan struct{}, wg *sync.WaitGroup) {
	<-park
	wg.Done()
}

func (r *rawSpawner) stop(_ *testing.B) {
	close(r.park)
	r.wg.Wait()
	r.park = nil
}
