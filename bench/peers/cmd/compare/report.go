package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/seed-fe72f376/orchard/bench/peers/workload"
)

// goPeers are the Go runtimes "best Go peer" is chosen from.
var goPeers = []string{"ergo", "protoactor", "suture"}

// report is everything one comparison run measured.
type report struct {
	Date       string              `json:"date"`
	Machine    machine             `json:"machine"`
	Scale      string              `json:"scale"`
	Reps       int                 `json:"reps"`
	Elapsed    string              `json:"elapsed"`
	Runtimes   []string            `json:"runtimes"`
	Workloads  []workload.Workload `json:"workloads"`
	BeamNote   string              `json:"beam_note,omitempty"`
	ElixirNote string              `json:"elixir_note,omitempty"`
	Runs       []workload.Result   `json:"runs"`
	Summary    []stat              `json:"summary"`
}

// machine describes where the run happened.
type machine struct {
	NProc      int    `json:"nproc"`
	CPU        string `json:"cpu"`
	Go         string `json:"go"`
	OTP        string `json:"otp,omitempty"`
	Elixir     string `json:"elixir,omitempty"`
	GOMAXPROCS int    `json:"gomaxprocs"`
}

// stat summarises one metric of one (runtime, workload) over the
// repetitions.
type stat struct {
	Runtime  string            `json:"runtime"`
	Workload workload.Workload `json:"workload"`
	Metric   string            `json:"metric"`
	Better   workload.Better   `json:"better"`
	Median   float64           `json:"median"`
	Min      float64           `json:"min"`
	Max      float64           `json:"max"`
	N        int               `json:"n"`
	NA       string            `json:"na,omitempty"`
}

func newReport(scale string, reps int, runtimes []string, ws []workload.Workload) *report {
	return &report{
		Date:      time.Now().UTC().Format("2006-01-02 15:04 MST"),
		Machine:   describeMachine(),
		Scale:     scale,
		Reps:      reps,
		Runtimes:  runtimes,
		Workloads: ws,
	}
}

func (r *report) add(res workload.Result) { r.Runs = append(r.Runs, res) }

func (r *report) failures() int {
	n := 0
	for _, res := range r.Runs {
		if res.Error != "" {
			n++
		}
	}
	return n
}

// summarise fills r.Summary with median, min and max per metric.
func (r *report) summarise() {
	r.Summary = nil
	for _, w := range r.Workloads {
		for _, rt := range r.Runtimes {
			for _, mi := range workload.MetricsOf(w) {
				s := stat{Runtime: rt, Workload: w, Metric: mi.Name, Better: mi.Better}
				var vals []float64
				for _, res := range r.Runs {
					if res.Runtime != rt || res.Workload != w {
						continue
					}
					if res.NA != "" {
						s.NA = res.NA
					}
					if v, ok := res.Value(mi.Name); ok && res.Error == "" {
						vals = append(vals, v)
					}
				}
				if len(vals) > 0 {
					slices.Sort(vals)
					s.Median, s.Min, s.Max, s.N = median(vals), vals[0], vals[len(vals)-1], len(vals)
				}
				if s.N > 0 || s.NA != "" {
					r.Summary = append(r.Summary, s)
				}
			}
		}
	}
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// get returns the stat of (rt, w, metric).
func (r *report) get(rt string, w workload.Workload, metric string) (stat, bool) {
	for _, s := range r.Summary {
		if s.Runtime == rt && s.Workload == w && s.Metric == metric {
			return s, true
		}
	}
	return stat{}, false
}

// bestGoPeer returns the best Go peer's stat for (w, metric).
func (r *report) bestGoPeer(w workload.Workload, mi workload.MetricInfo) (stat, bool) {
	var best stat
	found := false
	for _, p := range goPeers {
		s, ok := r.get(p, w, mi.Name)
		if !ok || s.N == 0 {
			continue
		}
		if !found || (mi.Better == workload.Lower && s.Median < best.Median) ||
			(mi.Better == workload.Higher && s.Median > best.Median) {
			best, found = s, true
		}
	}
	return best, found
}

// write writes results.json and results.md to dir, draws the charts and
// prints the table.
func write(dir string, r *report) error {
	r.summarise()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	md := r.markdown()
	if err := os.WriteFile(filepath.Join(dir, "results.md"), []byte(md), 0o644); err != nil {
		return err
	}
	if err := drawCharts(dir, r); err != nil {
		return fmt.Errorf("charts: %w", err)
	}
	fmt.Print(md)
	fmt.Fprintf(os.Stderr, "wrote %s/{results.json,results.md,*.svg}\n", dir)
	return nil
}

// metricLabel is how a metric is shown in the table.
func metricLabel(name string) string {
	switch name {
	case workload.RoundTripNS:
		return "ns per round trip"
	case workload.MsgsPerS:
		return "msgs/s"
	case workload.CallNS:
		return "ns per call"
	case workload.CallsPerS:
		return "calls/s"
	case workload.SpawnUS:
		return "µs per spawn (warm)"
	case workload.BytesPerProc:
		return "bytes per idle process"
	case workload.StopMS:
		return "ms to stop all"
	case workload.RestartUS:
		return "µs per crash→ready"
	case workload.ChildrenPerS:
		return "children/s"
	case workload.Last10First10:
		return "last 10% / first 10% of starts"
	case workload.RegsPerS:
		return "registrations/s"
	case workload.LookupsPerS:
		return "lookups/s"
	}
	return name
}

func arrow(b workload.Better) string {
	if b == workload.Lower {
		return "↓"
	}
	return "↑"
}

// markdown renders the summary as a table: one row per metric, one column
// per runtime (median, min–max), and the ratios.
func (r *report) markdown() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Run %s, scale %s, %d repetition(s), %s; %d CPU(s) (%s), %s, GOMAXPROCS=2",
		r.Date, r.Scale, r.Reps, r.Elapsed, r.Machine.NProc, r.Machine.CPU, r.Machine.Go)
	if r.Machine.OTP != "" {
		fmt.Fprintf(&sb, ", Erlang/OTP %s (+S 2:2)", r.Machine.OTP)
	}
	if r.Machine.Elixir != "" && slices.Contains(r.Runtimes, elixirName) {
		fmt.Fprintf(&sb, ", %s", r.Machine.Elixir)
	}
	sb.WriteString(".\n\n")
	sb.WriteString("Each cell: median (min–max). Ratios are Orchard's median divided by the other's: for ↓ metrics below 1x means Orchard is better, for ↑ metrics above 1x.\n\n")
	sb.WriteString("| workload | metric |")
	for _, rt := range r.Runtimes {
		fmt.Fprintf(&sb, " %s |", rt)
	}
	sb.WriteString(" Orchard / raw Go | Orchard / best Go peer | Orchard / BEAM |\n|---|---|")
	for range r.Runtimes {
		sb.WriteString("---|")
	}
	sb.WriteString("---|---|---|\n")
	var notes []string
	for _, w := range r.Workloads {
		for _, mi := range workload.MetricsOf(w) {
			fmt.Fprintf(&sb, "| %s %s | %s %s |", w, w.Title(), metricLabel(mi.Name), arrow(mi.Better))
			for _, rt := range r.Runtimes {
				s, ok := r.get(rt, w, mi.Name)
				switch {
				case !ok:
					sb.WriteString(" – |")
				case s.N == 0:
					sb.WriteString(" n/a |")
					note := fmt.Sprintf("%s %s: %s", rt, w, s.NA)
					if !slices.Contains(notes, note) {
						notes = append(notes, note)
					}
				default:
					fmt.Fprintf(&sb, " %s (%s–%s) |", num(s.Median), num(s.Min), num(s.Max))
				}
			}
			o, ok := r.get("orchard", w, mi.Name)
			cell := func(other stat, found bool, label string) string {
				if !ok || o.N == 0 || !found || other.N == 0 || other.Median == 0 {
					return " – |"
				}
				if label != "" {
					label = " (" + label + ")"
				}
				return fmt.Sprintf(" %s%s |", ratio(o.Median/other.Median), label)
			}
			raw, rok := r.get("rawgo", w, mi.Name)
			sb.WriteString(cell(raw, rok, ""))
			best, bok := r.bestGoPeer(w, mi)
			sb.WriteString(cell(best, bok, best.Runtime))
			beam, beok := r.get(beamName, w, mi.Name)
			if !slices.Contains(r.Runtimes, beamName) {
				sb.WriteString(" not run |")
			} else {
				sb.WriteString(cell(beam, beok, ""))
			}
			sb.WriteString("\n")
		}
	}
	if len(notes) > 0 || r.BeamNote != "" || r.ElixirNote != "" {
		sb.WriteString("\nNot applicable or not run:\n\n")
		if r.BeamNote != "" {
			fmt.Fprintf(&sb, "- beam: %s\n", r.BeamNote)
		}
		if r.ElixirNote != "" {
			fmt.Fprintf(&sb, "- elixir: %s\n", r.ElixirNote)
		}
		for _, n := range notes {
			fmt.Fprintf(&sb, "- %s\n", n)
		}
	}
	if stop := r.elixirStopNotes(); len(stop) > 0 {
		sb.WriteString("\nNotes:\n\n")
		for _, n := range stop {
			fmt.Fprintf(&sb, "- %s\n", n)
		}
	}
	return sb.String()
}

// Extra metrics of the Elixir W6 results (bench/beam/bench_elixir.exs):
// Elixir 1.14's DynamicSupervisor stops its children in quadratic time, so
// the script times the stop of a smaller tree and says how many children
// it had, or after how long it gave up.
const (
	stopChildren   = "stop_children"
	stopTimedOutMS = "stop_timed_out_ms"
)

// elixirStopNotes says when the Elixir W6 stop was measured on fewer
// children than the others' or timed out.
func (r *report) elixirStopNotes() []string {
	want := 0
	if s, err := workload.ScaleByName(r.Scale); err == nil {
		want = s.Children
	}
	var notes []string
	add := func(n string) {
		if !slices.Contains(notes, n) {
			notes = append(notes, n)
		}
	}
	for _, res := range r.Runs {
		if res.Runtime != elixirName || res.Workload != workload.W6 || res.Error != "" {
			continue
		}
		n, ok := res.Value(stopChildren)
		if ok && int(n) != want {
			add(fmt.Sprintf("elixir W6: %s measured on a separate tree of %s children, not %s "+
				"(Elixir 1.14's DynamicSupervisor stop is quadratic in its children; the children/s figures are from the full tree)",
				metricLabel(workload.StopMS), thousands(int(n)), thousands(want)))
		}
		if t, ok := res.Value(stopTimedOutMS); ok {
			add(fmt.Sprintf("elixir W6: %s not measured in a run: the stop took longer than %.0f s", metricLabel(workload.StopMS), t/1000))
		}
	}
	return notes
}

// thousands formats n with commas: 100,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// elixirStopTree returns the children of the smaller tree the Elixir W6
// stop was timed on, or 0 if it was timed on the full tree.
func (r *report) elixirStopTree() int {
	s, err := workload.ScaleByName(r.Scale)
	if err != nil {
		return 0
	}
	for _, res := range r.Runs {
		if n, ok := res.Value(stopChildren); ok && res.Runtime == elixirName && res.Workload == workload.W6 &&
			res.Error == "" && int(n) != s.Children {
			return int(n)
		}
	}
	return 0
}

// num formats v compactly with about three significant digits: 12.3M,
// 1.23M, 456k, 45.6k, 789, 12.3, 0.46.
func num(v float64) string {
	a := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case a >= 9.995e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case a >= 999.5e3:
		return fmt.Sprintf("%.2fM", v/1e6)
	case a >= 99.95e3:
		return fmt.Sprintf("%.0fk", v/1e3)
	case a >= 9999.5:
		return fmt.Sprintf("%.1fk", v/1e3)
	case a >= 99.95:
		return fmt.Sprintf("%.0f", v)
	case a >= 9.995:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func ratio(v float64) string {
	if v >= 10 {
		return fmt.Sprintf("%.0fx", v)
	}
	if v >= 0.1 {
		return fmt.Sprintf("%.2fx", v)
	}
	return fmt.Sprintf("%.3fx", v)
}

func describeMachine() machine {
	m := machine{NProc: runtime.NumCPU(), Go: runtime.Version(), GOMAXPROCS: 2, CPU: "unknown"}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if out, err := exec.Command("erl", "-noshell", "-eval",
		`io:format("~s (ERTS ~s)", [erlang:system_info(otp_release), erlang:system_info(version)]), halt().`).Output(); err == nil {
		m.OTP = strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("elixir", "--version").Output(); err == nil {
		for _, l := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(l, "Elixir ") {
				m.Elixir = strings.TrimSpace(l)
			}
		}
	}
	return m
}
