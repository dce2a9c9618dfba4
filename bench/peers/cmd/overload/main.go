// Command overload runs workload W12 (overload) side by side, and the
// crash-loop benchmark (see package overload and docs/BENCHMARKS.md):
//
//	cd bench/peers
//	go run ./cmd/overload                       # 10 s per runtime
//	go run ./cmd/overload -duration 3s -warmup 1s  # a brief run
//	go run ./cmd/overload -runtimes orchard,orchard-otp-exact,rawgo
//	go run ./cmd/overload -crashloop -fault 5s  # the crash-loop benchmark
//
// The BEAM's gen_server runs when erl and erlc are installed
// (bench/beam/overload.erl); ergo is not run: its calls take their timeout
// in whole seconds (gen.ServerProcess.CallWithTimeout), so a 10 ms
// deadline cannot be expressed.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/seed-fe72f376/orchard/bench/peers/overload"
	"github.com/seed-fe72f376/orchard/supervisor"
)

func main() {
	duration := flag.Duration("duration", 10*time.Second, "how long the load is offered to each runtime")
	warmup := flag.Duration("warmup", 2*time.Second, "how long each runtime's capacity C is measured before its overload phase (0: C is nominal, one request per cost)")
	cost := flag.Duration("cost", 500*time.Microsecond, "the server's fixed cost per request (busy wait)")
	callers := flag.Int("callers", 64, "callers")
	timeout := flag.Duration("timeout", 10*time.Millisecond, "each call's timeout")
	load := flag.Float64("load", 2, "offered load, in multiples of the capacity C")
	runtimes := flag.String("runtimes", "orchard,orchard-otp-exact,rawgo,beam,protoactor", "runtimes, comma-separated")
	crashloop := flag.Bool("crashloop", false, "run the crash-loop benchmark instead")
	fault := flag.Duration("fault", 5*time.Second, "crash loop: how long the fault lasts")
	flag.Parse()
	if *crashloop {
		runCrashLoop(*fault)
		return
	}
	cfg := overload.Config{Cost: *cost, Callers: *callers, Timeout: *timeout, Duration: *duration, Warmup: *warmup}
	// The nominal capacity is one request per cost, and the load is
	// offered in multiples of it. Goodput is taken against C measured on
	// each runtime just before its overload phase, busy but not
	// overloaded (overload.Saturate): on a shared machine a busy
	// goroutine gets less than a core, and the nominal C is out of
	// reach. The spin capacity measured now says how much it gets.
	cfg.Capacity = float64(time.Second) / float64(cfg.Cost)
	cfg.Measured = overload.SpinCapacity(cfg.Cost, time.Second)
	cfg.Offered = *load * cfg.Capacity
	var results []overload.Result
	for _, name := range strings.Split(*runtimes, ",") {
		fmt.Fprintf(os.Stderr, "W12 on %s...\n", name)
		results = append(results, runOne(name, cfg))
		runtime.GC()
	}
	fmt.Print(overload.Table(cfg, results))
}

func runOne(name string, cfg overload.Config) overload.Result {
	var s overload.Server
	var err error
	switch name {
	case "orchard":
		s, err = overload.NewOrchard(cfg, false)
	case "orchard-otp-exact":
		s, err = overload.NewOrchard(cfg, true)
	case "rawgo":
		s, err = overload.NewRawGo(cfg)
	case "protoactor":
		s, err = overload.NewProtoActor(cfg)
	case "beam":
		return runBEAM(cfg)
	default:
		err = fmt.Errorf("unknown runtime %q", name)
	}
	if err != nil {
		return overload.Result{Runtime: name, Error: err.Error()}
	}
	defer s.Close()
	return overload.Run(name, s, cfg)
}

// runBEAM compiles and runs bench/beam/overload.erl in a fresh VM with two
// schedulers, as bench/beam/run.sh runs the other workloads.
func runBEAM(cfg overload.Config) overload.Result {
	r := overload.Result{Runtime: "beam", Offered: cfg.Offered}
	if _, err := exec.LookPath("erl"); err != nil {
		r.Error = "erl not installed (apt-get install erlang-base)"
		return r
	}
	dir, err := os.MkdirTemp("", "overload-beam")
	if err != nil {
		r.Error = err.Error()
		return r
	}
	defer os.RemoveAll(dir)
	if out, err := exec.Command("erlc", "-o", dir, filepath.Join("..", "beam", "overload.erl")).CombinedOutput(); err != nil {
		r.Error = fmt.Sprintf("erlc: %v: %s", err, out)
		return r
	}
	eval := fmt.Sprintf("overload:run(%d, %d, %d, %d, %d, %d), halt().", cfg.Cost.Microseconds(), cfg.Callers,
		cfg.Timeout.Milliseconds(), cfg.Duration.Milliseconds(), int(cfg.Offered), cfg.Warmup.Milliseconds())
	out, err := exec.Command("erl", "-noshell", "+S", "2:2", "-pa", dir, "-eval", eval).Output()
	if err != nil {
		r.Error = fmt.Sprintf("erl: %v", err)
		return r
	}
	var b struct {
		Capacity float64 `json:"capacity_per_s"`
		Goodput  float64 `json:"goodput_per_s"`
		Good     int64   `json:"good"`
		Handled  int64   `json:"handled"`
		Elapsed  float64 `json:"elapsed_s"`
		P99      float64 `json:"p99_ms"`
	}
	if err := json.Unmarshal(out, &b); err != nil {
		r.Error = fmt.Sprintf("erl output %q: %v", out, err)
		return r
	}
	r.Capacity = cfg.Capacity
	if cfg.Warmup > 0 {
		r.Capacity = b.Capacity
	}
	r.Goodput, r.OfC, r.OfNominal, r.P99 = b.Goodput, b.Goodput/r.Capacity, b.Goodput/cfg.Capacity, b.P99
	r.Wasted = b.Handled - b.Good
	r.WastedPS = float64(r.Wasted) / b.Elapsed
	return r
}

func runCrashLoop(fault time.Duration) {
	fmt.Printf("Crash loop: a child whose start fails at once for %v, then recovers (Orchard supervisor)\n\n", fault)
	fmt.Println("| setting | starts during the fault | CPU s per minute of fault | ms to healthy once the fault clears |\n|---|---|---|---|")
	for _, b := range []*supervisor.Backoff{nil, {Initial: 10 * time.Millisecond, Max: time.Second, Jitter: 0.2}} {
		r, err := overload.CrashLoop(fault, b)
		if err != nil {
			fmt.Printf("| %s | error: %v | | |\n", r.Setting, err)
			continue
		}
		fmt.Printf("| %s | %d | %.2f | %.2f |\n", r.Setting, r.Starts, r.CPUPerMinute, r.HealthyMS)
	}
}
