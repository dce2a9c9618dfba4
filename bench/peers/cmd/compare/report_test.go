package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed-fe72f376/orchard/bench/peers/workload"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want float64
	}{
		{"one", []float64{3}, 3},
		{"odd", []float64{1, 2, 9}, 2},
		{"even", []float64{1, 2, 4, 9}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := median(tc.in); got != tc.want {
				t.Errorf("median(%v) = %v; want %v", tc.in, got, tc.want)
			}
		})
	}
}

// fakeReport is a report with two repetitions of W1 and W7 on a few
// runtimes.
func fakeReport() *report {
	r := newReport("tiny", 2, []string{"orchard", "rawgo", "ergo", "protoactor", beamName},
		[]workload.Workload{workload.W1, workload.W7})
	for _, v := range []float64{600, 700} {
		r.add(workload.Result{Runtime: "orchard", Workload: workload.W1, Metrics: []workload.Metric{{Name: workload.RoundTripNS, Value: v}}})
		r.add(workload.Result{Runtime: "rawgo", Workload: workload.W1, Metrics: []workload.Metric{{Name: workload.RoundTripNS, Value: v / 2}}})
		r.add(workload.Result{Runtime: "ergo", Workload: workload.W1, Metrics: []workload.Metric{{Name: workload.RoundTripNS, Value: v * 10}}})
		r.add(workload.Result{Runtime: "protoactor", Workload: workload.W1, Metrics: []workload.Metric{{Name: workload.RoundTripNS, Value: v * 5}}})
		r.add(workload.Result{Runtime: beamName, Workload: workload.W1, Metrics: []workload.Metric{{Name: workload.RoundTripNS, Value: v}}})
		r.add(workload.Result{Runtime: "protoactor", Workload: workload.W7, NA: "no registry"})
	}
	return r
}

func TestMarkdownRatios(t *testing.T) {
	r := fakeReport()
	r.summarise()
	s, ok := r.get("orchard", workload.W1, workload.RoundTripNS)
	if !ok || s.Median != 650 || s.Min != 600 || s.Max != 700 || s.N != 2 {
		t.Fatalf("orchard W1 stat = %+v, %v; want median 650, 600–700, n 2", s, ok)
	}
	md := r.markdown()
	for _, want := range []string{
		"| W1 pingpong | ns per round trip ↓ | 650 (600–700) |",
		"| 2.00x | 0.20x (protoactor) | 1.00x |",
		"protoactor W7: no registry",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	if err := write(dir, fakeReport()); err != nil {
		t.Fatalf("write: %v", err)
	}
	for _, f := range []string{"results.json", "results.md", "messaging.svg", "messaging.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v (size %d)", f, err, sizeOf(st))
		}
	}
	// Redrawing from the written JSON gives the same table.
	dir2 := t.TempDir()
	if err := redraw(filepath.Join(dir, "results.json"), dir2); err != nil {
		t.Fatalf("redraw: %v", err)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "results.md"))
	b, _ := os.ReadFile(filepath.Join(dir2, "results.md"))
	if string(a) != string(b) {
		t.Errorf("redrawn table differs:\n%s\nwant:\n%s", b, a)
	}
}

func sizeOf(st os.FileInfo) int64 {
	if st == nil {
		return 0
	}
	return st.Size()
}

func TestNum(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"}, {0.456, "0.46"}, {12.34, "12.3"}, {789.4, "789"}, {45_600, "45.6k"},
		{456_000, "456k"}, {999_600, "1.00M"}, {1_234_000, "1.23M"}, {12_340_000, "12.3M"},
	}
	for _, tc := range tests {
		if got := num(tc.in); got != tc.want {
			t.Errorf("num(%v) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestElixirColumnAndStopNote(t *testing.T) {
	r := newReport("full", 1, []string{"orchard", beamName, elixirName}, []workload.Workload{workload.W6})
	r.add(workload.Result{Runtime: "orchard", Workload: workload.W6, Metrics: []workload.Metric{{Name: workload.StopMS, Value: 50}}})
	r.add(workload.Result{Runtime: beamName, Workload: workload.W6, Metrics: []workload.Metric{{Name: workload.StopMS, Value: 1000}}})
	r.add(workload.Result{Runtime: elixirName, Workload: workload.W6, Metrics: []workload.Metric{
		{Name: workload.StopMS, Value: 3000}, {Name: stopChildren, Value: 20000}}})
	r.summarise()
	md := r.markdown()
	for _, want := range []string{
		"| orchard | beam | elixir |",
		"| 50.0 (50.0–50.0) | 1000 (1000–1000) | 3000 (3000–3000) | – | – | 0.050x |",
		"Notes:\n\n- elixir W6: ms to stop all measured on a separate tree of 20,000 children, not 100,000",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestW6aNotOnTheBEAM(t *testing.T) {
	// Elixir's W6a is answered here, without starting the VM, with the
	// reason bench_elixir.exs (and bench_beam.erl) give.
	res := runOnce(config{}, "", elixirName, workload.W6a, workload.Tiny)
	if res.NA != otpNoAsyncStart || res.Error != "" {
		t.Errorf("elixir W6a = %+v; want n/a %q", res, otpNoAsyncStart)
	}
	if res := runOnce(config{}, "", elixirName, workload.W1, workload.Tiny); res.NA != elixirNA {
		t.Errorf("elixir W1 = %+v; want n/a %q", res, elixirNA)
	}
}
