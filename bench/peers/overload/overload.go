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
	// Warmup is how long each server's capacity is measured before its
	// overload phase (see Saturate); 0 skips it, and goodput is then
	// taken against the nominal Capacity.
	Warmup   time.Duration
	Capacity float64 // nominal C, requests/s: one per Cost
	Measured float64 // the spin capacity measured before the runs (SpinCapacity)
	Offered  float64 // the offered load, requests/s (2C)
}

// Server is a fixed-cost server on one runtime, and the way to call it.
type Server interface {
	// Call makes one call with timeout and reports whether the reply
	// came in time.
	Call(timeout time.Duration) bool
	// Handled returns how many requests the handler has run.
	Handled() int64
	// Drain waits until every request sent so far was handled or dropped.
	Drain() error
	// Close stops the server and its runtime.
	Close()
}

// Result is one runtime's W12 outcome.
type Result struct {
	Runtime string  `json:"runtime"`
	Offered float64 `json:"offered_per_s"`
	// Capacity is C for this server: what it handled per second just
	// before, busy but not overloaded (Saturate), or the nominal C.
	Capacity  float64 `json:"capacity_per_s"`
	Goodput   float64 `json:"goodput_per_s"`
	OfC       float64 `json:"goodput_of_capacity"`
	OfNominal float64 `json:"goodput_of_nominal"`
	Wasted    int64   `json:"wasted"`
	WastedPS  float64 `json:"wasted_per_s"`
	P99       float64 `json:"p99_ms"`
	Error     string  `json:"error,omitempty"`
}

// Spin is the request's fixed cost: a busy wait of d, as a CPU-bound
// handler would take.
func Spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

// SpinCapacity measures how many requests of cost a goroutine can spin
// through per second when it does nothing else (the spin alone, back to
// back): what the machine gives a busy goroutine. It takes the best of
// three samples of about d/3: on a shared machine the least disturbed one
// is the closest to a core's worth.
func SpinCapacity(cost, d time.Duration) float64 {
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

// saturateTimeout is the calls' timeout while Saturate measures C: long
// enough that no caller gives up.
const saturateTimeout = 10 * time.Second

// Saturate measures the capacity C of s under the conditions of its
// overload phase (the same process, runtime, callers and host load) but
// without anyone giving up: for d, cfg.Callers callers call in a closed
// loop with a timeout nothing reaches, so the server always has requests
// waiting (a caller slow to wake does not leave it idle) and handles
// each. C is what it handled per second. It drains s before returning,
// so the overload phase starts empty.
func Saturate(s Server, cfg Config, d time.Duration) (float64, error) {
	h0 := s.Handled()
	start := time.Now()
	end := start.Add(d)
	var wg sync.WaitGroup
	for range cfg.Callers {
		wg.Go(func() {
			for time.Now().Before(end) {
				s.Call(saturateTimeout)
			}
		})
	}
	wg.Wait()
	c := float64(s.Handled()-h0) / time.Since(start).Seconds()
	return c, s.Drain()
}

// Run offers cfg.Offered requests/s to s from cfg.Callers callers for
// cfg.Duration, then drains s and returns the measures. With a
// cfg.Warmup, C is the mean of the capacities Saturate measures for that
// long just before and just after: what a shared machine gives a process
// drifts from second to second, and the mean of the two is the closer to
// what it gave during the overload.
func Run(name string, s Server, cfg Config) (r Result) {
	r = Result{Runtime: name, Offered: cfg.Offered, Capacity: cfg.Capacity}
	if cfg.Warmup > 0 {
		before, err := Saturate(s, cfg, cfg.Warmup)
		if err != nil {
			r.Error = err.Error()
			return r
		}
		defer func() { // r is the result: named, so this sets it
			if r.Error != "" {
				return
			}
			after, err := Saturate(s, cfg, cfg.Warmup)
			if err != nil {
				r.Error = err.Error()
				return
			}
			r.Capacity = (before + after) / 2
			r.OfC = r.Goodput / r.Capacity
		}()
	}
	handled0 := s.Handled()
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
				if s.Call(cfg.Timeout) {
					ok.Add(1)
					lat[i] = append(lat[i], time.Since(t))
				}
				next = next.Add(interval)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := s.Drain(); err != nil {
		r.Error = err.Error()
		return r
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	good := ok.Load()
	r.Goodput = float64(good) / elapsed.Seconds()
	r.OfC = r.Goodput / r.Capacity
	r.OfNominal = r.Goodput / cfg.Capacity
	r.Wasted = s.Handled() - handled0 - good // before Saturate runs again
	r.WastedPS = float64(r.Wasted) / elapsed.Seconds()
	if len(all) > 0 {
		r.P99 = float64(all[len(all)*99/100].Microseconds()) / 1000
	}
	return r
}

// Table formats results as a markdown table.
func Table(c Config, rs []Result) string {
	s := fmt.Sprintf("W12 overload: cost %v, nominal capacity %.0f/s (spin measured before the runs: %.0f/s), offered %.0f/s (%.1fx nominal) by %d callers, %v timeouts, %v; C measured per runtime for %v just before and just after its run (mean), busy but not overloaded\n\n",
		c.Cost, c.Capacity, c.Measured, c.Offered, c.Offered/c.Capacity, c.Callers, c.Timeout, c.Duration, c.Warmup)
	s += "| runtime | C (handled/s, busy) | goodput/s | goodput/C | goodput/nominal C | wasted (handled after the caller gave up) | wasted/s | p99 of successes (ms) |\n|---|---|---|---|---|---|---|---|\n"
	for _, r := range rs {
		if r.Error != "" {
			s += fmt.Sprintf("| %s | error: %s | | | | | | |\n", r.Runtime, r.Error)
			continue
		}
		s += fmt.Sprintf("| %s | %.0f | %.0f | %.2f | %.2f | %d | %.0f | %.2f |\n", r.Runtime, r.Capacity, r.Goodput, r.OfC, r.OfNominal, r.Wasted, r.WastedPS, r.P99)
	}
	return s
}
