package health_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/seed-fe72f376/orchard/health"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// FuzzHandlerRequest: the probe handlers read a query string (exclude,
// verbose) and an Accept header from outside. Whatever they are, the
// answer is 200 or 503, a JSON answer decodes to {"status", "checks"},
// an excluded check never appears, and nothing panics.
func FuzzHandlerRequest(f *testing.F) {
	node := otptest.NewNode(f)
	mon, err := health.Start(node, health.Config{Checks: []health.Check{
		{Name: "ping", Func: func(context.Context) error { return nil }, Liveness: true},
		{Name: "db", Func: func(context.Context) error { return errors.New("refused") }},
	}})
	if err != nil {
		f.Fatal(err)
	}
	handlers := map[health.Probe]http.Handler{}
	for _, p := range []health.Probe{health.Readiness, health.Liveness} {
		h, err := health.Handler(p, []process.Dest{mon}, health.WithReasons())
		if err != nil {
			f.Fatal(err)
		}
		handlers[p] = h
	}
	for _, s := range [][2]string{
		{"", ""}, {"verbose", ""}, {"exclude=db", "application/json"}, {"exclude=db&exclude=ping&verbose=1", "text/plain"},
		{"%zz", "application/json;q=0.9"}, {"exclude=%5B-%5Ddb", "*/*"}, {";;&&==", "application/json, text/plain"},
	} {
		f.Add(s[0], s[1], false)
	}
	f.Fuzz(func(t *testing.T, rawQuery, accept string, live bool) {
		probe := health.Readiness
		if live {
			probe = health.Liveness
		}
		req := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/" + probe.String(), RawQuery: rawQuery}, Header: http.Header{}}
		req.Header.Set("Accept", accept)
		rec := httptest.NewRecorder()
		handlers[probe].ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("query %q, Accept %q: code %d; want 200 or 503", rawQuery, accept, rec.Code)
		}
		excluded := req.URL.Query()["exclude"]
		if strings.Contains(accept, "application/json") {
			var out struct {
				Status string `json:"status"`
				Checks []struct {
					Name string `json:"name"`
				} `json:"checks"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.Status == "" {
				t.Fatalf("query %q: JSON body %q does not decode (%v)", rawQuery, rec.Body.String(), err)
			}
			for _, c := range out.Checks {
				if slices.Contains(excluded, c.Name) {
					t.Fatalf("query %q: excluded check %q reported", rawQuery, c.Name)
				}
			}
			return
		}
		for line := range strings.Lines(rec.Body.String()) {
			for _, name := range excluded {
				if name != "" && (strings.HasPrefix(line, "[+]"+name+" ") || strings.HasPrefix(line, "[-]"+name+" ")) {
					t.Fatalf("query %q: excluded check %q reported: %q", rawQuery, name, line)
				}
			}
		}
	})
}
