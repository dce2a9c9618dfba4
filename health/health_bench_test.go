package health_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/health"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// BenchmarkReadyz measures one /readyz request over a monitor with n
// checks (one report call plus rendering).
func BenchmarkReadyz(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("checks=%d", n), func(b *testing.B) {
			node := otptest.NewNode(b)
			var checks []health.Check
			for i := range n {
				checks = append(checks, health.Check{Name: fmt.Sprintf("c%d", i), Interval: time.Hour, Func: func(context.Context) error { return nil }})
			}
			mon, err := health.Start(node, health.Config{Checks: checks})
			if err != nil {
				b.Fatal(err)
			}
			h, err := health.Handler(health.Readiness, []process.Dest{mon})
			if err != nil {
				b.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, "/readyz?verbose", nil)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
			}
		})
	}
}
