package timeouts_test

import (
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/timeouts"
)

func BenchmarkGet(b *testing.B) {
	c, err := timeouts.New(spec(), timeouts.WithFactor(2))
	if err != nil {
		b.Fatal(err)
	}
	_ = c.Override("web.get", time.Second)
	for _, key := range []string{"web.get", "db.query", "db.insert", "cache.get", "other.op"} {
		b.Run("key="+key, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = c.Get(key)
			}
		})
	}
	b.Run("handle", func(b *testing.B) {
		h := c.Handle("db.insert")
		b.ReportAllocs()
		for b.Loop() {
			_ = h.Get()
		}
	})
}
