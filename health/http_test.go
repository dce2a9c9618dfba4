package health_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/health"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

func serve(h http.Handler, target string, accept string) (int, string) {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func TestHandlers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		var db, cache switchable
		mon, err := health.Start(node, health.Config{Checks: []health.Check{
			{Name: "ping", Func: func(context.Context) error { return nil }, Liveness: true},
			{Name: "db", Func: db.check},
			{Name: "cache", Func: cache.check, NonCritical: true},
		}})
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		mux := http.NewServeMux()
		if err := health.Mount(mux, []process.Dest{mon}); err != nil {
			t.Fatal(err)
		}
		withReasons, err := health.Handler(health.Readiness, []process.Dest{mon}, health.WithReasons())
		if err != nil {
			t.Fatal(err)
		}

		cases := []struct {
			name     string
			setup    func()
			h        http.Handler
			target   string
			wantCode int
			wantBody string
		}{
			{"ready", nil, mux, "/readyz", 200, "ok"},
			{"live", nil, mux, "/healthz", 200, "ok"},
			{"ready verbose", nil, mux, "/readyz?verbose", 200,
				"[+]cache ok\n[+]db ok\n[+]ping ok\nreadyz check passed\n"},
			{"live verbose", nil, mux, "/healthz?verbose", 200, "[+]ping ok\nhealthz check passed\n"},
			{"non-critical failure", func() { cache.set(errors.New("cold")) }, mux, "/readyz?verbose", 200,
				"[-]cache failed: reason withheld (non-critical)\n[+]db ok\n[+]ping ok\nreadyz check passed (degraded)\n"},
			{"critical failure", func() { db.set(errors.New("refused")) }, mux, "/readyz", 503,
				"[-]cache failed: reason withheld (non-critical)\n[-]db failed: reason withheld\n[+]ping ok\nreadyz check failed\n"},
			{"excluded", nil, mux, "/readyz?exclude=db&exclude=cache", 200, "ok"},
			{"still live", nil, mux, "/healthz", 200, "ok"},
			{"reasons", nil, withReasons, "/readyz?exclude=cache", 503,
				"[-]db failed: refused\n[+]ping ok\nreadyz check failed\n"},
		}
		for _, tc := range cases {
			if tc.setup != nil {
				tc.setup()
				for _, name := range []string{"db", "cache"} {
					runNow(t, mon, name)
				}
			}
			if code, body := serve(tc.h, tc.target, ""); code != tc.wantCode || body != tc.wantBody {
				t.Errorf("%s: GET %s = %d %q; want %d %q", tc.name, tc.target, code, body, tc.wantCode, tc.wantBody)
			}
		}

		code, body := serve(mux, "/readyz", "application/json")
		var got struct {
			Status string
			Checks []struct{ Name, Status, Error string }
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("JSON %q: %v", body, err)
		}
		if code != 503 || got.Status != "unhealthy" || len(got.Checks) != 3 || got.Checks[1].Name != "db" || got.Checks[1].Status != "unhealthy" {
			t.Errorf("JSON = %d %+v; want 503, unhealthy, db unhealthy", code, got)
		}

		// A monitor that is gone fails readiness, not liveness (it may be
		// restarting; the process itself is not known to be broken).
		if err := genserver.Stop(mon, process.Normal, time.Second); err != nil {
			t.Fatal(err)
		}
		for target, want := range map[string]int{"/healthz": 200, "/readyz": 503} {
			if code, _ := serve(mux, target, ""); code != want {
				t.Errorf("GET %s with the monitor dead = %d; want %d", target, code, want)
			}
		}
		if _, body := serve(mux, "/healthz?verbose", ""); body != fmt.Sprintf("[-]monitor(%v) pending: reason withheld\nhealthz check passed\n", mon) {
			t.Errorf("GET /healthz?verbose with the monitor dead = %q", body)
		}
	})
}

// TestLivenessPassesBeforeFirstRun: a liveness check that has not
// completed its first run does not fail /healthz, but does fail /readyz.
func TestLivenessPassesBeforeFirstRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		release := make(chan struct{})
		mon, err := health.Start(node, health.Config{Checks: []health.Check{
			{Name: "slow", Liveness: true, Timeout: time.Hour, Func: func(ctx context.Context) error {
				select {
				case <-release:
				case <-ctx.Done():
				}
				return nil
			}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		defer close(release)
		synctest.Wait()
		mux := http.NewServeMux()
		if err := health.Mount(mux, []process.Dest{mon}); err != nil {
			t.Fatal(err)
		}
		for target, want := range map[string]int{"/healthz": 200, "/readyz": 503} {
			if code, body := serve(mux, target, ""); code != want {
				t.Errorf("GET %s before the first run = %d %q; want %d", target, code, body, want)
			}
		}
	})
}

// TestHandlerSharedDeadline: sources that never answer are all bounded
// by one handler timeout, not one each.
func TestHandlerSharedDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		var sources []process.Dest
		for range 3 {
			pid, err := node.Spawn(func(p *process.Proc) error { <-p.Context().Done(); return nil })
			if err != nil {
				t.Fatal(err)
			}
			sources = append(sources, pid)
		}
		h, err := health.Handler(health.Readiness, sources, health.WithHandlerTimeout(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		code, _ := serve(h, "/readyz", "")
		if took := time.Since(start); code != 503 || took > time.Second {
			t.Errorf("GET /readyz = %d after %v; want 503 within the 1s timeout", code, took)
		}
	})
}
