// Package overload is workload W12 of docs/BENCHMARKS.md: a server with a
// fixed cost per request, offered about twice its capacity by 64 callers
// whose calls time out after 10 ms. It measures goodput (replies received
// before their deadline, per second), wasted work (requests the server
// handled after their caller had given up) and the p99 latency of the
// calls that succeeded, on each runtime: Orchard dropping abandoned calls
// (its default), Orchard in OTP-exact mode (genserver.HandleAbandoned),
// raw Go, Proto.Actor and ergo here, the BEAM's gen_server in
// bench/beam/overload.erl.
//
// It also has the crash-loop benchmark: a child whose start fails at
// once, under an Orchard supervisor with and without restart backoff.
package overload

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Config is one W12 run.
type Config struct {
	Cost     time.Duration // the server's work per request (a busy wait)
	Callers  int           // 64
	Timeout  time.Duration // each call's timeout, 10 ms
	Duration time.Duration // how long the load is offered
	Capacity float64       // C, requests/s: nominally one per Cost
	Measured float64       // the spin capacity measured before the run (Capacity)
	Offered  float64       // the offered load, requests/s (2C)
}

// Server is a fixed-cost server on one runtime, and the way to call it.
type Server interface {
	// Call makes one call with the run's timeout and reports whether the
	// reply came in time.
	Call() bool
	// Handled returns how many requests the handler has run.
	Handled() int64
	// Drain waits until every request sent so far was handled or dropped.
	Drain() error
	// Close stops the server and its runtime.
	Close()
}

// Result is one runtime's W12 outcome.
type Result struct {
	Runtime  string  `json:"runtime"`
	Offered  float64 `json:"offered_per_s"`
	Goodput  float64 `json:"goodput_per_s"`
	OfC      float64 `json:"goodput_of_capacity"`
	Wasted   int64   `json:"wasted"`
	WastedPS float64 `json:"wasted_per_s"`
	P99      float64 `json:"p99_ms"`
	Error    string  `json:"error,omitempty"`
}

// Spin is the request's fixed cost: a busy wait of d, as a CPU-bound
// handler would take.
func Spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

// Capacity measures C: how many requests of cost a server can handle per
// second when it does nothing else (the spin alone, back to back). It
// takes the best of three samples of about d/3: on a shared machine the
// least disturbed one is the closest to the server's own capacity.
func Capacity(cost, d time.Duration) float64 {
	best := 0.0
	for range 3 {
		n := 0
		start := time.Now()
		for time.Since(start) < d/3 {
			Spin(cost)
			n++
		}
		best = max(best, float64(n)/time.Since(start).Seconds())
	}
	return best
}

// Run offers cfg.Offered requests/s to s from cfg.Callers callers for
// cfg.Duration, then drains s and returns the measures.
func Run(name string, s Server, cfg Config) Result {
	interval := time.Duration(float64(cfg.Callers) / cfg.Offered * float64(time.Second))
	var ok atomic.Int64
	lat := make([][]time.Duration, cfg.Callers)
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(cfg.Duration)
	for i := range cfg.Callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Open loop: call k is due at start + offset + k*interval,
			// whatever the earlier calls took.
			next := start.Add(interval * time.Duration(i) / time.Duration(cfg.Callers))
			for next.Before(end) {
				if d := time.Until(next); d > 0 {
					time.Sleep(d)
				}
				t := time.Now()
				if s.Call() {
					ok.Add(1)
					lat[i] = append(lat[i], time.Since(t))
				}
				next = next.Add(interval)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	r := Result{Runtime: name, Offered: cfg.Offered}
	if err := s.Drain(); err != nil {
		r.Error = err.Error()
		return r
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	good := ok.Load()
	r.Goodput = float64(good) / elapsed.Seconds()
	r.OfC = r.Goodput / cfg.Capacity
	r.Wasted = s.Handled() - good
	r.WastedPS = float64(r.Wasted) / elapsed.Seconds()
	if len(all) > 0 {
		r.P99 = float64(all[len(all)*99/100].Microseconds()) / 1000
	}
	return r
}

// Table formats results as a markdown table.
func Table(c Config, rs []Result) string {
	s := fmt.Sprintf("W12 overload: cost %v, capacity C = %.0f/s (spin measured now: %.0f/s), offered %.0f/s (%.1fC) by %d callers, %v timeouts, %v\n\n",
		c.Cost, c.Capacity, c.Measured, c.Offered, c.Offered/c.Capacity, c.Callers, c.Timeout, c.Duration)
	s += "| runtime | goodput/s | goodput/C | wasted (handled after the caller gave up) | wasted/s | p99 of successes (ms) |\n|---|---|---|---|---|---|\n"
	for _, r := range rs {
		if r.Error != "" {
			s += fmt.Sprintf("| %s | error: %s | | | | |\n", r.Runtime, r.Error)
			continue
		}
		s += fmt.Sprintf("| %s | %.0f | %.2f | %d | %.0f | %.2f |\n", r.Runtime, r.Goodput, r.OfC, r.Wasted, r.WastedPS, r.P99)
	}
	return s
}
