package observer_test

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/observer"
	"github.com/seed-fe72f376/orchard/process"
)

// BenchmarkOverhead runs the W1 (pingpong) and W3 (call) workloads of
// package bench on a node without an observer ("off"), and on a node
// whose observer page is open and refreshing: "on" at the default rate
// (once a second), "on-100ms" ten times as often, each with a process
// page selected; "ticker-100ms" is a control, a goroutine that only
// wakes up every 100 ms. Read on/off from one run, with runs of a second or more
// so that "on" refreshes during each:
//
//	go test -run xxx -bench Overhead -benchtime 1s -count 3 ./observer
func BenchmarkOverhead(b *testing.B) {
	for _, w := range []struct {
		name string
		run  func(b *testing.B, n *process.Node)
	}{{"W1", w1}, {"W3", w3}} {
		for _, v := range []struct {
			name     string
			interval time.Duration // zero: no observer open
		}{{"off", 0}, {"on", time.Second}, {"on-100ms", 100 * time.Millisecond}, {"ticker-100ms", -100 * time.Millisecond}} {
			b.Run(w.name+"/"+v.name, func(b *testing.B) {
				cfg := observer.Config{Interval: max(v.interval, 0)} // zero: the default, unused
				f := newFixture(b, cfg)
				if v.interval > 0 {
					stop := watch(b, f)
					defer stop()
				}
				if v.interval < 0 {
					stop := ticker(-v.interval)
					defer stop()
				}
				w.run(b, f.node)
			})
		}
	}
}

// watch reads f's stream (with a process page open) until stopped, and
// fails the benchmark if no update arrived.
func watch(b *testing.B, f *fixture) func() {
	ctx, cancel := context.WithCancel(context.Background())
	q := url.Values{"pid": {f.busy.String()}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.srv.URL+"/events?"+q.Encode(), nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	got := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "data: ") {
				select {
				case got <- struct{}{}:
				default:
				}
			}
		}
	})
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		b.Fatal("no update from the observer")
	}
	return func() { cancel(); wg.Wait() }
}

// ticker is the control: a goroutine that only wakes up every d, to tell
// the observer's cost from the cost of any periodic wake-up.
func ticker(d time.Duration) func() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// ball, pinger: W1 as in package bench.
type ball struct{ left, hops int }

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

func w1(b *testing.B, n *process.Node) {
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
	ha.peer, hb.peer = c, a
	bl := &ball{left: 2 * b.N}
	b.ResetTimer()
	if err := n.Send(a, bl); err != nil {
		b.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(time.Minute):
		b.Fatal("pingpong did not finish")
	}
	b.StopTimer()
	if bl.hops != 2*b.N {
		b.Fatalf("%d hops, want %d", bl.hops, 2*b.N)
	}
}

// sum is W3's server.
type sum struct{ total int }

func (s *sum) Init(*genserver.Self) error { return nil }

func (s *sum) HandleCall(_ *genserver.Self, _ genserver.From, req any) (any, error) {
	s.total += req.(int)
	return s.total, nil
}

func w3(b *testing.B, n *process.Node) {
	pid, err := genserver.Start(n, &sum{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	var last int
	for range b.N {
		if last, err = genserver.Call[int](ctx, pid, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if last != b.N {
		b.Fatalf("sum %d, want %d", last, b.N)
	}
}
