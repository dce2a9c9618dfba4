package workload

import (
	"fmt"
	"runtime"
	"slices"
	"sync/atomic"
	"time"
)

// Workload names one of the workloads of docs/BENCHMARKS.md.
type Workload string

// The workloads, in report order.
const (
	W1  Workload = "W1"  // pingpong
	W2  Workload = "W2"  // fan-in 8 → 1
	W3  Workload = "W3"  // call, 1 caller
	W3b Workload = "W3b" // call, 64 callers
	W4  Workload = "W4"  // spawn idle servers
	W5  Workload = "W5"  // restart under one_for_one
	W6  Workload = "W6"  // dynamic supervisor
	W6a Workload = "W6a" // dynamic supervisor, no request/reply per start
	W7  Workload = "W7"  // registry
)

// All lists every workload in report order.
var All = []Workload{W1, W2, W3, W3b, W4, W5, W6, W6a, W7}

// Title returns a short human description of w.
func (w Workload) Title() string {
	switch w {
	case W1:
		return "pingpong"
	case W2:
		return "fan-in 8→1"
	case W3:
		return "call"
	case W3b:
		return "call, 64 callers"
	case W4:
		return "spawn idle servers"
	case W5:
		return "restart (one_for_one)"
	case W6:
		return "dynamic supervisor"
	case W6a:
		return "async dynamic"
	case W7:
		return "registry"
	}
	return string(w)
}

// Parse returns the workload named s.
func Parse(s string) (Workload, error) {
	for _, w := range All {
		if string(w) == s {
			return w, nil
		}
	}
	return "", fmt.Errorf("workload: unknown workload %q", s)
}

// Scale holds the counts a workload run uses.
type Scale struct {
	Name       string // "full", "quick" or "tiny"
	RoundTrips int    // W1 round trips
	FanIn      int    // W2 messages in total
	Calls      int    // W3 calls
	Calls64    int    // W3b calls in total
	Spawns     int    // W4 processes per batch
	Restarts   int    // W5 crashes
	Children   int    // W6 and W6a children
	Names      int    // W7 names registered
	Lookups    int    // W7 lookups in total
}

// Full is the scale of docs/BENCHMARKS.md.
var Full = Scale{Name: "full", RoundTrips: 1_000_000, FanIn: 2_000_000, Calls: 500_000,
	Calls64: 1_000_000, Spawns: 100_000, Restarts: 2_000, Children: 100_000,
	Names: 100_000, Lookups: 1_000_000}

// Quick is a tenth of [Full] (a fifth for W4–W6a), for a run of about a minute.
var Quick = Scale{Name: "quick", RoundTrips: 100_000, FanIn: 200_000, Calls: 50_000,
	Calls64: 100_000, Spawns: 20_000, Restarts: 400, Children: 20_000,
	Names: 20_000, Lookups: 200_000}

// Tiny is small enough for unit tests.
var Tiny = Scale{Name: "tiny", RoundTrips: 1_000, FanIn: 4_000, Calls: 500,
	Calls64: 1_280, Spawns: 500, Restarts: 20, Children: 500,
	Names: 1_000, Lookups: 4_000}

// ScaleByName returns the scale called name.
func ScaleByName(name string) (Scale, error) {
	for _, s := range []Scale{Full, Quick, Tiny} {
		if s.Name == name {
			return s, nil
		}
	}
	return Scale{}, fmt.Errorf("workload: unknown scale %q (want full, quick or tiny)", name)
}

// Better says which direction of a metric is an improvement.
type Better string

// The two directions.
const (
	Lower  Better = "lower"
	Higher Better = "higher"
)

// Metric names. Every runtime, and bench/beam, reports these names.
const (
	RoundTripNS   = "round_trip_ns"
	MsgsPerS      = "msgs_per_s"
	CallNS        = "call_ns"
	CallsPerS     = "calls_per_s"
	SpawnUS       = "spawn_us"
	BytesPerProc  = "bytes_per_proc"
	StopMS        = "stop_ms"
	RestartUS     = "restart_us"
	ChildrenPerS  = "children_per_s"
	Last10First10 = "last10_first10"
	RegsPerS      = "registrations_per_s"
	LookupsPerS   = "lookups_per_s"
)

// MetricsOf returns the metric names w reports, primary first, with the
// direction of each.
func MetricsOf(w Workload) []MetricInfo {
	switch w {
	case W1:
		return []MetricInfo{{RoundTripNS, Lower}}
	case W2:
		return []MetricInfo{{MsgsPerS, Higher}}
	case W3:
		return []MetricInfo{{CallNS, Lower}}
	case W3b:
		return []MetricInfo{{CallsPerS, Higher}}
	case W4:
		return []MetricInfo{{SpawnUS, Lower}, {BytesPerProc, Lower}, {StopMS, Lower}}
	case W5:
		return []MetricInfo{{RestartUS, Lower}}
	case W6, W6a:
		return []MetricInfo{{ChildrenPerS, Higher}, {Last10First10, Lower}, {StopMS, Lower}}
	case W7:
		return []MetricInfo{{RegsPerS, Higher}, {LookupsPerS, Higher}}
	}
	return nil
}

// MetricInfo names a metric and its better direction.
type MetricInfo struct {
	Name   string
	Better Better
}

// Metric is one measured value.
type Metric struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

// Result is the outcome of one run of one workload on one runtime.
type Result struct {
	Runtime  string   `json:"runtime"`
	Workload Workload `json:"workload"`
	Scale    string   `json:"scale"`
	Metrics  []Metric `json:"metrics,omitempty"`
	// NA, if set, says why the runtime cannot run the workload.
	NA string `json:"na,omitempty"`
	// Error, if set, says why the run failed (for example a lost message).
	Error string `json:"error,omitempty"`
}

// Value returns the value of the metric called name.
func (r Result) Value(name string) (float64, bool) {
	i := slices.IndexFunc(r.Metrics, func(m Metric) bool { return m.Name == name })
	if i < 0 {
		return 0, false
	}
	return r.Metrics[i].Value, true
}

// Runtime is one system the workloads run on.
type Runtime interface {
	// Name returns the runtime's short name ("orchard", "rawgo", ...).
	Name() string
	// NA returns why the runtime cannot run w, or "" if it can.
	NA(w Workload) string
	// Run runs w at scale s and returns its metrics. It returns an error
	// if the workload did not complete or its result did not verify. Run
	// waits until everything it started has stopped.
	Run(w Workload, s Scale) ([]Metric, error)
}

// Runtimes returns every Go runtime, Orchard first.
func Runtimes() []Runtime {
	return []Runtime{Orchard{}, RawGo{}, Ergo{}, ProtoActor{}, Suture{}}
}

// ByName returns the Go runtime called name.
func ByName(name string) (Runtime, error) {
	for _, r := range Runtimes() {
		if r.Name() == name {
			return r, nil
		}
	}
	return nil, fmt.Errorf("workload: unknown runtime %q", name)
}

// RunOne runs w on r at scale s and wraps the outcome in a Result; an
// error or a not-applicable reason is recorded in the Result.
func RunOne(r Runtime, w Workload, s Scale) Result {
	res := Result{Runtime: r.Name(), Workload: w, Scale: s.Name}
	if why := r.NA(w); why != "" {
		res.NA = why
		return res
	}
	m, err := r.Run(w, s)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.Metrics = m
	return res
}

// errNoWorkload is returned by Run for a workload the runtime does not
// support.
func errNoWorkload(r Runtime, w Workload) error {
	return fmt.Errorf("%s: workload %s not supported: %s", r.Name(), w, r.NA(w))
}

// waitTimeout bounds every wait for a workload to finish, so that a lost
// message is reported as an error instead of a hang.
const waitTimeout = 2 * time.Minute

// await waits for done or returns an error naming what after waitTimeout.
func await(done <-chan struct{}, what string) error {
	t := time.NewTimer(waitTimeout)
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-t.C:
		return fmt.Errorf("%s: not done after %v", what, waitTimeout)
	}
}

// share returns how many of total items worker i of k gets.
func share(total, k, i int) int {
	s := total / k
	if i < total%k {
		s++
	}
	return s
}

// liveBytes returns the live heap plus goroutine stacks after a GC.
func liveBytes() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc + ms.StackInuse
}

// perProc returns the growth from before to after per process.
func perProc(before, after uint64, n int) float64 {
	return float64(int64(after)-int64(before)) / float64(n)
}

// Producers is the number of W2 producers; Callers the number of W3b
// callers; Readers the number of W7 lookup readers.
const (
	Producers = 8
	Callers   = 64
	Readers   = 2
)

// payload is message j of a W2 producer: a small int, which converts to an
// interface without allocating.
func payload(j int) int { return j & 0xff }

// fanInSum returns the sum of all payloads of a W2 run of total messages.
func fanInSum(total int) int {
	s := 0
	for i := range Producers {
		for j := range share(total, Producers, i) {
			s += payload(j)
		}
	}
	return s
}

// checkFanIn verifies a W2 consumer's count and sum.
func checkFanIn(got, sum, want int) error {
	if got != want || sum != fanInSum(want) {
		return fmt.Errorf("fanin: consumer counted %d messages summing to %d; want %d summing to %d",
			got, sum, want, fanInSum(want))
	}
	return nil
}

// nsPer returns d in ns per op.
func nsPer(d time.Duration, ops int) float64 { return float64(d.Nanoseconds()) / float64(ops) }

// perSec returns ops per second over d.
func perSec(d time.Duration, ops int) float64 { return float64(ops) / d.Seconds() }

// ms returns d in milliseconds.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// names returns the W7 names name-0 … name-(n-1).
func names(n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprintf("name-%d", i)
	}
	return s
}

// holders is the number of W7 processes that hold the names.
func holders(n int) int { return max(1, min(1000, n/100)) }

// lookupOrder returns the index reader r uses for its j-th lookup over n
// names: a stride through all names, different per reader.
func lookupIndex(r, j, n int) int { return (r*7919 + j*13) % n }

// timeStarts is the W6 and W6a helper: it times n calls of start and returns the
// total time and the time of the last 10% of starts over the first 10%.
func timeStarts(n int, start func(i int) error) (total time.Duration, ratio float64, err error) {
	tenth := max(n/10, 1)
	var first, last time.Duration
	began := time.Now()
	for i := range n {
		if i == tenth {
			first = time.Since(began)
		}
		if i == n-tenth {
			last = time.Since(began)
		}
		if err := start(i); err != nil {
			return 0, 0, fmt.Errorf("start child %d: %w", i, err)
		}
	}
	total = time.Since(began)
	if first > 0 {
		ratio = float64(total-last) / float64(first)
	}
	return total, ratio, nil
}

// asyncStarts is the W6a helper: it times n calls of start, each of which
// only has a child started, without waiting for a reply, and then waits
// until started (which every child increments in its start: Orchard's
// HandleStart, Proto.Actor's Started, ergo's Init, a goroutine's first
// statement) reaches n. That wait is part of the total: W6a's clock stops
// when every child has run its start. The ratio is the last 10% of start
// calls over the first 10%, as for W6.
func asyncStarts(n int, started *atomic.Int64, start func(i int) error) (total time.Duration, ratio float64, err error) {
	total, ratio, err = timeStarts(n, start)
	if err != nil {
		return 0, 0, err
	}
	t := time.Now()
	if err := waitCount(started, int64(n), "async dynamic: started"); err != nil {
		return 0, 0, err
	}
	return total + time.Since(t), ratio, nil
}

// checkStarted verifies, once every child has started and the parent
// counted its children, that the children ran n starts in total: with n
// children counted and no start run twice by any runtime, every child
// started exactly once.
func checkStarted(started *atomic.Int64, n int) error {
	if got := started.Load(); got != int64(n) {
		return fmt.Errorf("async dynamic: %d starts ran; want %d", got, n)
	}
	return nil
}

// warm runs a workload twice and returns the second run's metrics: W6 and
// W6a measure children/s warm, as the reference measurements are, after the runtime, its
// heap and its tables have grown once to the workload's size.
func warm(run func() ([]Metric, error)) ([]Metric, error) {
	if _, err := run(); err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	return run()
}
