package bench_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// quiet discards supervisor reports: the benchmarks measure restarts, not
// a terminal's write speed. (With a handler that writes, each report is
// logged after the restart it describes, so crash→ready latency stays the
// same but throughput pays for the write.)
var quiet = supervisor.WithLogger(slog.New(slog.DiscardHandler))

// errCrash is the reason W5's child crashes with.
var errCrash = errors.New("crash")

// ---------------------------------------------------------------------------
// W5 restart: one_for_one, one child, crash it b.N times in sequence,
// each time waiting until the new child's Init has run. One op = one
// crash → ready.

// crasher reports its PID from Init and exits with errCrash on any cast.
type crasher struct{ ready chan<- process.PID }

func (c *crasher) Init(s *genserver.Self) error {
	c.ready <- s.PID()
	return nil
}

func (c *crasher) HandleCast(*genserver.Self, any) error { return errCrash }

func BenchmarkW5Restart(b *testing.B) { family(b, w5Orchard, w5Rawgo) }

func w5Orchard(b *testing.B) {
	n := newNode(b)
	ready := make(chan process.PID, 1)
	flags := supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: b.N + 10, Period: time.Hour}
	spec := supervisor.Spec{Flags: flags, Children: []supervisor.ChildSpec{{
		ID:    "child",
		Start: func(p *process.Proc) (process.PID, error) { return genserver.StartLink(p, &crasher{ready: ready}) },
	}}}
	if _, err := supervisor.Start(n, spec, quiet); err != nil {
		b.Fatalf("supervisor.Start: %v", err)
	}
	pid := <-ready
	b.ResetTimer()
	for range b.N {
		if err := genserver.Cast(pid, "crash"); err != nil {
			b.Fatalf("Cast: %v", err)
		}
		next := <-ready // a lost restart hangs until go test's -timeout
		if next == pid {
			b.Fatal("child was not replaced")
		}
		pid = next
	}
}

// w5Rawgo is the same job with goroutines: a supervisor goroutine that
// starts a child goroutine, waits for its ready signal and starts a new one
// each time the child reports a crash.
func w5Rawgo(b *testing.B) {
	ready := make(chan chan struct{}, 1)
	crashed := make(chan struct{})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	startChild := func() {
		kick := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			ready <- kick
			select {
			case <-kick:
				crashed <- struct{}{}
			case <-stop:
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		startChild()
		for {
			select {
			case <-crashed:
				startChild()
			case <-stop:
				return
			}
		}
	}()
	kick := <-ready
	b.ResetTimer()
	for range b.N {
		close(kick)
		kick = <-ready
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
}

// ---------------------------------------------------------------------------
// W6 dynamic: start b.N idle children under one dynamic supervisor. One op
// = one started child (children/s is reported). last10/first10 compares the
// time of the last 10% of starts with the first 10%: 1.0 is flat.

type idleChild struct{}

func (idleChild) Init(*genserver.Self) error { return nil }

// BenchmarkW6Dynamic's sides: orchard is OTP's start_child (a request to
// the supervisor per child, answered once the child's Init ran; rawgo is
// the same job in plain Go). orchard-starter starts the children through a
// supervisor.TemporaryStarter, without a request per child, and stops the
// clock once every child's HandleStart ran: the job of rawgo-bare (a
// goroutine per child that signals it started), of the reference raw Go and
// Proto.Actor figures, and of bench/peers' W6a.
//
// Every side runs warm, as the reference measures W6: twice in a row, the
// first run untimed (it grows the heap and the runtime's tables to the
// workload's size, as bench/peers' warm-up does), the second measured.
func BenchmarkW6Dynamic(b *testing.B) {
	family(b, warm(func(b *testing.B) { w6Orchard(b, false) }), warm(w6Rawgo),
		side{"orchard-inline", warm(func(b *testing.B) { w6Orchard(b, true) })},
		side{"orchard-starter", warm(w6OrchardStarter)},
		side{"rawgo-bare", warm(w6RawgoBare)})
}

// warm runs a side twice; the second run's timer and metrics (reported
// under the same units) replace the first's.
func warm(run func(*testing.B)) func(*testing.B) {
	return func(b *testing.B) {
		run(b)
		run(b)
	}
}

// startCounter is an idle child that counts its start and closes all once
// want children have started.
type startCounter struct {
	n    *atomic.Int64
	want int64
	all  chan struct{}
}

func (c startCounter) HandleStart(*process.Proc) error {
	if c.n.Add(1) == c.want {
		close(c.all)
	}
	return nil
}

func (startCounter) HandleMessage(*process.Proc, process.Msg) error { return nil }

func newStartCounter(want int) startCounter {
	return startCounter{n: new(atomic.Int64), want: int64(want), all: make(chan struct{})}
}

// await waits until every child started, or fails b.
func (c startCounter) await(b *testing.B) error {
	select {
	case <-c.all:
		return nil
	case <-time.After(stopTimeout):
		return fmt.Errorf("%d of %d children started in %v", c.n.Load(), c.want, stopTimeout)
	}
}

func w6OrchardStarter(b *testing.B) {
	n := newNode(b)
	sup, err := supervisor.StartDynamic(n, supervisor.DynamicSpec{Flags: supervisor.DefaultFlags()}, quiet)
	if err != nil {
		b.Fatalf("StartDynamic: %v", err)
	}
	ctx := context.Background()
	starter, err := supervisor.NewTemporaryStarter(ctx, n, sup, supervisor.TemporarySpec{ID: "idle"})
	if err != nil {
		b.Fatalf("NewTemporaryStarter: %v", err)
	}
	child := newStartCounter(b.N)
	startManyThen(b, func() error {
		_, err := starter.Start(child)
		return err
	}, func() error {
		if err := child.await(b); err != nil {
			return err
		}
		// Timed too: the supervisor files the children it has not seen
		// yet when it handles this call.
		c, err := supervisor.CountChildren(ctx, sup)
		if err != nil || c.Active != b.N {
			return fmt.Errorf("CountChildren = %+v, %v; want %d active", c, err, b.N)
		}
		return nil
	})
	stopped := time.Now()
	if err := supervisor.Stop(sup, process.Shutdown, time.Minute); err != nil {
		b.Fatalf("Stop: %v", err)
	}
	b.ReportMetric(float64(time.Since(stopped).Milliseconds()), "stop-ms")
}

// w6RawgoBare: a goroutine per child that signals it started and parks.
func w6RawgoBare(b *testing.B) {
	var started atomic.Int64
	all := make(chan struct{})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	want := int64(b.N)
	startManyThen(b, func() error {
		wg.Go(func() {
			if started.Add(1) == want {
				close(all)
			}
			<-stop
		})
		return nil
	}, func() error {
		select {
		case <-all:
			return nil
		case <-time.After(stopTimeout):
			return fmt.Errorf("%d of %d goroutines started", started.Load(), want)
		}
	})
	stopped := time.Now()
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(time.Since(stopped).Milliseconds()), "stop-ms")
}

// w6Orchard starts the children with genserver.StartLink from their spec's
// start function; inline makes their Init run on the supervisor's
// goroutine (genserver.WithInlineInit), as an OTP start_link would block it.
func w6Orchard(b *testing.B, inline bool) {
	n := newNode(b)
	sup, err := supervisor.StartDynamic(n, supervisor.DynamicSpec{Flags: supervisor.DefaultFlags()}, quiet)
	if err != nil {
		b.Fatalf("StartDynamic: %v", err)
	}
	var opts []genserver.StartOption
	if inline {
		opts = append(opts, genserver.WithInlineInit())
	}
	spec := supervisor.ChildSpec{
		ID:      "idle",
		Restart: supervisor.Temporary,
		Start:   func(p *process.Proc) (process.PID, error) { return genserver.StartLink(p, idleChild{}, opts...) },
	}
	ctx := context.Background()
	startMany(b, func() error {
		_, err := supervisor.StartDynamicChild(ctx, sup, spec)
		return err
	})
	b.StopTimer()
	c, err := supervisor.CountChildren(ctx, sup)
	if err != nil || c.Active != b.N {
		b.Fatalf("CountChildren = %+v, %v; want %d active", c, err, b.N)
	}
	stopped := time.Now()
	if err := supervisor.Stop(sup, process.Shutdown, time.Minute); err != nil {
		b.Fatalf("Stop: %v", err)
	}
	b.ReportMetric(float64(time.Since(stopped).Milliseconds()), "stop-ms")
}

// w6Rawgo: a supervisor goroutine that, per request, starts a child
// goroutine, waits for its init signal, records it in a map and replies.
func w6Rawgo(b *testing.B) {
	type startReq struct{ reply chan int }
	reqs := make(chan startReq)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		children := make(map[int]chan struct{})
		for id := 0; ; id++ {
			select {
			case r := <-reqs:
				inited := make(chan struct{})
				quit := make(chan struct{})
				wg.Add(1)
				go func() {
					defer wg.Done()
					close(inited)
					select {
					case <-quit:
					case <-stop:
					}
				}()
				<-inited
				children[id] = quit
				r.reply <- id
			case <-stop:
				return
			}
		}
	}()
	startMany(b, func() error {
		r := startReq{reply: make(chan int, 1)}
		reqs <- r
		<-r.reply
		return nil
	})
	b.StopTimer()
	stopped := time.Now()
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(time.Since(stopped).Milliseconds()), "stop-ms")
}

// startMany runs start b.N times and reports children/s and the cost of
// the last 10% of starts relative to the first 10%.
func startMany(b *testing.B, start func() error) {
	startManyThen(b, start, func() error { return nil })
}

// startManyThen is startMany with a settle step, timed with the starts:
// it waits until every child started.
func startManyThen(b *testing.B, start, settle func() error) {
	tenth := max(b.N/10, 1)
	var first, last time.Duration
	b.ResetTimer()
	b.StartTimer() // a warm-up run stopped it
	began := time.Now()
	for i := range b.N {
		if i == tenth {
			first = time.Since(began)
		}
		if i == b.N-tenth {
			last = time.Since(began)
		}
		if err := start(); err != nil {
			b.Fatalf("start child %d: %v", i, err)
		}
	}
	if err := settle(); err != nil {
		b.Fatal(err)
	}
	total := time.Since(began)
	b.StopTimer()
	perSecond(b, "children/s")
	if b.N >= 20 && first > 0 {
		b.ReportMetric(float64(total-last)/float64(first), "last10/first10")
	}
}
