package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/seed-fe72f376/orchard/bench/peers/workload"
)

// beamName is the runtime name of the Erlang/OTP results.
const beamName = "beam"

// elixirName is the runtime name of the Elixir results (bench/beam/run.sh
// -elixir), which exist for W6 and W7 only.
const elixirName = "elixir"

// elixirNA is why the Elixir runtime has no result for other workloads.
const elixirNA = "Elixir variants only for W6 (DynamicSupervisor) and W7 (Registry); the Erlang column covers the rest"

// otpNoAsyncStart is why neither Erlang nor Elixir runs W6a; bench_beam.erl
// and bench_elixir.exs answer W6a with the same reason.
const otpNoAsyncStart = "OTP has no way to add a child to a supervisor without a start_child request (that is W6)"

// elixirRuns reports whether the Elixir runtime runs w.
func elixirRuns(w workload.Workload) bool { return w == workload.W6 || w == workload.W7 }

// elixirWhyNot returns why the Elixir runtime does not run w.
func elixirWhyNot(w workload.Workload) string {
	if w == workload.W6a {
		return otpNoAsyncStart
	}
	return elixirNA
}

// childTimeout bounds one repetition of one workload on one runtime.
const childTimeout = 5 * time.Minute

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

// config is the parsed command line.
type config struct {
	quick     bool
	reps      int
	out       string
	runtimes  []string
	workloads []workload.Workload
	beam      string // path of bench/beam/run.sh, "" to skip
	inProc    bool
}

func run() error {
	var (
		quick     = flag.Bool("quick", false, "small counts and 1 repetition (about a minute)")
		reps      = flag.Int("reps", 0, "repetitions (default 3, 1 with -quick)")
		out       = flag.String("out", "", "output directory (default <repo>/docs/benchmarks)")
		runtimes  = flag.String("runtimes", "", "comma-separated runtimes (default all: orchard,rawgo,ergo,protoactor,suture,beam,elixir)")
		workloads = flag.String("workloads", "", "comma-separated workloads (default all: W1,W2,W3,W3b,W4,W5,W6,W6a,W7)")
		beam      = flag.String("beam", "", "path of bench/beam/run.sh (default <repo>/bench/beam/run.sh)")
		noBeam    = flag.Bool("no-beam", false, "do not run the BEAM workloads (Erlang and Elixir)")
		inProc    = flag.Bool("inproc", false, "run every repetition in this process instead of a fresh one (faster, less isolated)")
		from      = flag.String("from", "", "redraw the table and charts from an earlier results.json instead of running")
		child     = flag.String("child", "", "internal: run RUNTIME:WORKLOAD:SCALE once and print its result as JSON")
	)
	flag.Parse()
	if *child != "" {
		return runChild(*child)
	}
	root, rootErr := repoRoot()
	if rootErr != nil && (*out == "" || (*beam == "" && !*noBeam)) {
		return rootErr
	}
	cfg := config{quick: *quick, reps: *reps, out: *out, beam: *beam, inProc: *inProc}
	if cfg.reps <= 0 {
		cfg.reps = 3
		if cfg.quick {
			cfg.reps = 1
		}
	}
	if cfg.out == "" {
		cfg.out = filepath.Join(root, "docs", "benchmarks")
	}
	if *from != "" {
		return redraw(*from, cfg.out)
	}
	if cfg.beam == "" {
		cfg.beam = filepath.Join(root, "bench", "beam", "run.sh")
	}
	cfg.runtimes = []string{"orchard", "rawgo", "ergo", "protoactor", "suture", beamName, elixirName}
	if *runtimes != "" {
		cfg.runtimes = strings.Split(*runtimes, ",")
	}
	cfg.workloads = workload.All
	if *workloads != "" {
		cfg.workloads = nil
		for _, s := range strings.Split(*workloads, ",") {
			w, err := workload.Parse(s)
			if err != nil {
				return err
			}
			cfg.workloads = append(cfg.workloads, w)
		}
	}
	beamNote, elixirNote := "", ""
	if *noBeam {
		beamNote, elixirNote = "not run (-no-beam)", "not run (-no-beam)"
	} else if why := beamMissing(cfg.beam); why != "" {
		beamNote, elixirNote = "not run: "+why, "not run: "+why
	} else if _, err := exec.LookPath("elixir"); err != nil {
		elixirNote = "not run: elixir not installed (bench/beam/run.sh -elixir installs it with apt-get)"
	}
	if beamNote != "" {
		cfg.runtimes = remove(cfg.runtimes, beamName)
	}
	if elixirNote != "" {
		cfg.runtimes = remove(cfg.runtimes, elixirName)
	}
	for _, r := range cfg.runtimes {
		if _, err := workload.ByName(r); err != nil && r != beamName && r != elixirName {
			return err
		}
	}
	rep, err := measure(cfg)
	if err != nil {
		return err
	}
	rep.BeamNote = beamNote
	rep.ElixirNote = elixirNote
	return write(cfg.out, rep)
}

// beamMissing returns why the BEAM workloads cannot run, or "".
func beamMissing(script string) string {
	if _, err := os.Stat(script); err != nil {
		return script + " not found"
	}
	if _, err := exec.LookPath("erl"); err != nil {
		return "erl not installed (bench/beam/run.sh installs it with apt-get)"
	}
	return ""
}

func remove(s []string, x string) []string {
	var out []string
	for _, v := range s {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}

// repoRoot returns Orchard's module root: the nearest directory at or
// above the working directory whose go.mod declares Orchard's module.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/seed-fe72f376/orchard\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cannot find Orchard's go.mod above the working directory; run from bench/peers or pass -out and -beam")
		}
		dir = parent
	}
}

// runChild runs one RUNTIME:WORKLOAD:SCALE and prints its Result as JSON.
func runChild(spec string) error {
	parts := strings.Split(spec, ":")
	if len(parts) != 3 {
		return fmt.Errorf("-child %q: want RUNTIME:WORKLOAD:SCALE", spec)
	}
	r, err := workload.ByName(parts[0])
	if err != nil {
		return err
	}
	w, err := workload.Parse(parts[1])
	if err != nil {
		return err
	}
	s, err := workload.ScaleByName(parts[2])
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(workload.RunOne(r, w, s))
}

// measure runs every (runtime, workload) cfg.reps times, interleaved:
// for each repetition and workload, every runtime in turn, starting one
// runtime later in each repetition.
func measure(cfg config) (*report, error) {
	scale := workload.Full
	if cfg.quick {
		scale = workload.Quick
	}
	rep := newReport(scale.Name, cfg.reps, cfg.runtimes, cfg.workloads)
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	began := time.Now()
	for i := range cfg.reps {
		for _, w := range cfg.workloads {
			for j := range cfg.runtimes {
				rt := cfg.runtimes[(i+j)%len(cfg.runtimes)]
				t0 := time.Now()
				res := runOnce(cfg, exe, rt, w, scale)
				rep.add(res)
				status := "ok"
				switch {
				case res.NA != "":
					status = "n/a"
				case res.Error != "":
					status = "FAILED: " + res.Error
				}
				fmt.Fprintf(os.Stderr, "[%6.1fs] rep %d/%d %-4s %-10s %5.2fs %s\n",
					time.Since(began).Seconds(), i+1, cfg.reps, w, rt, time.Since(t0).Seconds(), status)
			}
		}
	}
	rep.Elapsed = time.Since(began).Round(time.Second).String()
	if n := rep.failures(); n > 0 {
		// Still write what was measured, but fail the run.
		if err := write(cfg.out, rep); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%d run(s) failed to verify; see %s", n, filepath.Join(cfg.out, "results.json"))
	}
	return rep, nil
}

// runOnce runs one repetition of w on rt, in a fresh OS process unless
// cfg.inProc is set (the BEAM, Erlang or Elixir, always runs in its own).
func runOnce(cfg config, exe, rt string, w workload.Workload, s workload.Scale) workload.Result {
	fail := func(err error) workload.Result {
		return workload.Result{Runtime: rt, Workload: w, Scale: s.Name, Error: err.Error()}
	}
	switch rt {
	case beamName:
		return runBeam(cfg.beam, beamName, w, s)
	case elixirName:
		if !elixirRuns(w) {
			return workload.Result{Runtime: rt, Workload: w, Scale: s.Name, NA: elixirWhyNot(w)}
		}
		return runBeam(cfg.beam, elixirName, w, s)
	}
	r, err := workload.ByName(rt)
	if err != nil {
		return fail(err)
	}
	if why := r.NA(w); why != "" {
		return workload.Result{Runtime: rt, Workload: w, Scale: s.Name, NA: why}
	}
	if cfg.inProc {
		prev := runtime.GOMAXPROCS(2)
		defer runtime.GOMAXPROCS(prev)
		return workload.RunOne(r, w, s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-child", fmt.Sprintf("%s:%s:%s", rt, w, s.Name))
	cmd.Env = append(os.Environ(), "GOMAXPROCS=2")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return fail(fmt.Errorf("child %s %s: %w", rt, w, err))
	}
	var res workload.Result
	if err := json.Unmarshal(out, &res); err != nil {
		return fail(fmt.Errorf("child %s %s: bad output %q: %w", rt, w, out, err))
	}
	return res
}

// runBeam runs w once with bench/beam/run.sh (with -elixir if rt is
// elixirName), which prints a JSON array of results.
func runBeam(script, rt string, w workload.Workload, s workload.Scale) workload.Result {
	fail := func(err error) workload.Result {
		return workload.Result{Runtime: rt, Workload: w, Scale: s.Name, Error: err.Error()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
	defer cancel()
	args := []string{"-scale", s.Name, string(w)}
	if rt == elixirName {
		args = append([]string{"-elixir"}, args...)
	}
	cmd := exec.CommandContext(ctx, script, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return fail(fmt.Errorf("%s %s: %w", script, w, err))
	}
	var rs []workload.Result
	if err := json.Unmarshal(out, &rs); err != nil {
		return fail(fmt.Errorf("%s %s: bad output %q: %w", script, w, out, err))
	}
	if len(rs) != 1 {
		return fail(fmt.Errorf("%s %s: %d results; want 1", script, w, len(rs)))
	}
	rs[0].Runtime = rt
	return rs[0]
}

// redraw rewrites the table and charts in dir from an earlier
// results.json.
func redraw(path, dir string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var r report
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return write(dir, &r)
}
