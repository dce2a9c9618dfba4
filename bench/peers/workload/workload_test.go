package workload_test

import (
	"testing"

	"github.com/seed-fe72f376/orchard/bench/peers/workload"
)

// TestTiny runs every workload on every runtime at the tiny scale and
// checks that each either verifies or is marked not applicable with a
// reason, and reports every metric of its workload.
func TestTiny(t *testing.T) {
	for _, r := range workload.Runtimes() {
		for _, w := range workload.All {
			t.Run(r.Name()+"/"+string(w), func(t *testing.T) {
				res := workload.RunOne(r, w, workload.Tiny)
				if res.NA != "" {
					t.Logf("n/a: %s", res.NA)
					return
				}
				if res.Error != "" {
					t.Fatalf("Run(%s, %s) failed: %s", r.Name(), w, res.Error)
				}
				for _, m := range workload.MetricsOf(w) {
					v, ok := res.Value(m.Name)
					if m.Name == workload.BytesPerProc && ok {
						// A handful of processes is within the heap's noise
						// (a peer's background frees between the two
						// readings): the figure may be slightly negative.
						continue
					}
					if !ok || v < 0 {
						t.Errorf("Run(%s, %s): metric %s = %v, %v; want a value ≥ 0", r.Name(), w, m.Name, v, ok)
					}
				}
			})
		}
	}
}
