package ratelimit_test

import (
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/seed-fe72f376/orchard/ratelimit"
)

// BenchmarkAllow measures Allow from GOMAXPROCS goroutines on one hot key
// and spread over many keys. The limit never refuses, so the figure is
// the table's and the bucket's cost, not telemetry's.
func BenchmarkAllow(b *testing.B) {
	b.Run("keys=1", func(b *testing.B) { benchAllow(b, 1) })
	b.Run("keys=10000", func(b *testing.B) { benchAllow(b, 10000) })
}

func benchAllow(b *testing.B, keys int) {
	lim, err := ratelimit.New(ratelimit.Limit{Rate: 1e12, Burst: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, keys)
	for i := range names {
		names[i] = "key-" + strconv.Itoa(i)
		lim.Allow(names[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	var next atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		i := int(next.Add(1)) * keys / 2 // goroutines start apart
		for pb.Next() {
			if !lim.Allow(names[i%keys]) {
				b.Error("refused")
				return
			}
			i += 7
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "allows/s")
}
