package workload_test

import (
	"testing"

	"github.com/seed-fe72f376/orchard/bench/peers/workload"
)

// benchScale is the scale one benchmark op runs a workload at.
var benchScale = workload.Tiny

// benchWorkload runs w on every runtime as sub-benchmarks named after the
// runtime (BenchmarkW1/orchard, BenchmarkW1/ergo, ...). One op is one run
// of w at benchScale; every metric of w is reported as the mean over the
// ops. Runtimes that cannot run w are skipped with their reason.
func benchWorkload(b *testing.B, w workload.Workload) {
	for _, r := range workload.Runtimes() {
		b.Run(r.Name(), func(b *testing.B) {
			if why := r.NA(w); why != "" {
				b.Skip("n/a: " + why)
			}
			b.ReportAllocs()
			sums := map[string]float64{}
			for b.Loop() {
				res := workload.RunOne(r, w, benchScale)
				if res.Error != "" {
					b.Fatal(res.Error)
				}
				for _, m := range res.Metrics {
					sums[m.Name] += m.Value
				}
			}
			for name, s := range sums {
				b.ReportMetric(s/float64(b.N), name)
			}
		})
	}
}

func BenchmarkW1(b *testing.B)  { benchWorkload(b, workload.W1) }
func BenchmarkW2(b *testing.B)  { benchWorkload(b, workload.W2) }
func BenchmarkW3(b *testing.B)  { benchWorkload(b, workload.W3) }
func BenchmarkW3b(b *testing.B) { benchWorkload(b, workload.W3b) }
func BenchmarkW4(b *testing.B)  { benchWorkload(b, workload.W4) }
func BenchmarkW5(b *testing.B)  { benchWorkload(b, workload.W5) }
func BenchmarkW6(b *testing.B)  { benchWorkload(b, workload.W6) }
func BenchmarkW6a(b *testing.B) { benchWorkload(b, workload.W6a) }
func BenchmarkW7(b *testing.B)  { benchWorkload(b, workload.W7) }
