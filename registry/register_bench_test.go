package registry_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
)

// BenchmarkRegisterFresh is W7's registration phase (bench/peers): a new
// registry, 1,000 holder processes, then 100,000 names registered round
// robin over the holders from outside any process. One op is one name.
func BenchmarkRegisterFresh(b *testing.B) {
	const names, holders = 100_000, 1_000
	keys := make([]any, names)
	for i := range keys {
		keys[i] = fmt.Sprintf("name-%d", i)
	}
	node := otptest.NewNode(b)
	owners := make([]process.PID, holders)
	for i := range owners {
		owners[i] = otptest.SpawnIdle(b, node)
	}
	b.ResetTimer()
	var total time.Duration
	for done := 0; done < b.N; {
		b.StopTimer()
		reg, err := registry.New(node)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		for i := 0; i < names && done < b.N; i, done = i+1, done+1 {
			if err := reg.Register(owners[i%holders], keys[i], nil); err != nil {
				b.Fatal(err)
			}
		}
		total += time.Since(t0)
		b.StopTimer()
		_ = reg.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N)/total.Seconds(), "regs/s")
}
