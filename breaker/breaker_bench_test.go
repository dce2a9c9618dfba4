package breaker_test

import (
	"strconv"
	"testing"

	"github.com/seed-fe72f376/orchard/breaker"
)

// BenchmarkAllowDone measures one request through an existing breaker.
func BenchmarkAllowDone(b *testing.B) {
	set, _ := breaker.NewSet(breaker.DefaultSettings())
	br := set.Get("k")
	for b.Loop() {
		done, err := br.Allow()
		if err != nil {
			b.Fatal(err)
		}
		done(breaker.Success)
	}
}

// BenchmarkGetNewKeysBounded measures Get of a new key each time (a new
// PID per request) in a set bounded by WithMaxSize: the cost of creation
// plus the amortised eviction.
func BenchmarkGetNewKeysBounded(b *testing.B) {
	set, _ := breaker.NewSet(breaker.DefaultSettings(), breaker.WithMaxSize(1024))
	i := 0
	for b.Loop() {
		set.Get("pid:<1." + strconv.Itoa(i) + ">")
		i++
	}
	if set.Len() > 1024 {
		b.Fatalf("Len = %d; want at most 1024", set.Len())
	}
}

// BenchmarkState measures a read-only state lookup of an unknown key.
func BenchmarkState(b *testing.B) {
	set, _ := breaker.NewSet(breaker.DefaultSettings())
	for b.Loop() {
		set.State("pid:<1.42>")
	}
}
