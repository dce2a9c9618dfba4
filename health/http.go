package health

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/seed-fe72f376/orchard/process"
)

// Probe selects the checks an HTTP handler considers.
type Probe int

const (
	// Readiness (/readyz) considers every check: is the application
	// ready to serve traffic?
	Readiness Probe = iota
	// Liveness (/healthz) considers only the checks marked Liveness, and
	// the monitors' answering at all: should the application be
	// restarted?
	Liveness
)

// String returns the probe's endpoint name, "readyz" or "healthz".
func (p Probe) String() string {
	if p == Liveness {
		return "healthz"
	}
	return "readyz"
}

// DefaultHandlerTimeout bounds how long a handler waits for a monitor's
// report.
const DefaultHandlerTimeout = 2 * time.Second

// HandlerOption configures [Handler] and [Mount].
type HandlerOption interface{ applyHandler(*handler) }

type handlerOption func(*handler)

func (f handlerOption) applyHandler(h *handler) { f(h) }

// WithHandlerTimeout bounds the wait for the monitors' reports (default
// [DefaultHandlerTimeout]): one deadline shared by all the sources of a
// request, so a probe never takes longer than d however many sources
// there are. A monitor that has not answered by then is reported as a
// check "monitor(<dest>)": unhealthy for readiness, pending (Unknown,
// which does not fail the probe) for liveness.
func WithHandlerTimeout(d time.Duration) HandlerOption {
	return handlerOption(func(h *handler) {
		if d > 0 {
			h.timeout = d
		}
	})
}

// WithReasons makes verbose and JSON output include the checks' errors.
// By default they are withheld, as kube-apiserver does, since error text
// can reveal internals to anyone who can reach the endpoint.
func WithReasons() HandlerOption { return handlerOption(func(h *handler) { h.reasons = true }) }

// Handler returns an HTTP handler following the Kubernetes health
// endpoint conventions over the reports of sources (health monitors and
// service monitors, asked with [Get] on every request):
//
//   - 200 when the aggregate status (see [Aggregate]) is Healthy or
//     Degraded, 503 when it is Unhealthy; a source that does not answer
//     is a check named "monitor(<dest>)", Unhealthy for readiness and
//     Unknown for liveness (a monitor restarting must not get the process
//     restarted; Unknown liveness checks never fail liveness);
//   - body "ok" on success; with the query parameter "verbose", or on
//     failure, one line per check ("[+]db ok", "[-]cache failed: reason
//     withheld") and a last line "readyz check passed" or "... failed";
//   - "exclude=name" (repeatable) leaves a check out;
//   - with "Accept: application/json", a JSON object {"status", "checks"}.
//
// Each request asks the sources one after another, all of them bounded
// by one deadline (the handler's timeout) and the request's context.
func Handler(probe Probe, sources []process.Dest, opts ...HandlerOption) http.Handler {
	h := &handler{probe: probe, sources: sources, timeout: DefaultHandlerTimeout}
	for _, o := range opts {
		o.applyHandler(h)
	}
	return h
}

// Mount registers Handler(Liveness, ...) on "/healthz" and
// Handler(Readiness, ...) on "/readyz" of mux.
func Mount(mux *http.ServeMux, sources []process.Dest, opts ...HandlerOption) {
	mux.Handle("/healthz", Handler(Liveness, sources, opts...))
	mux.Handle("/readyz", Handler(Readiness, sources, opts...))
}

type handler struct {
	probe   Probe
	sources []process.Dest
	timeout time.Duration
	reasons bool
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	checks := h.collect(r.Context(), r.URL.Query()["exclude"])
	status := Aggregate(checks, h.probe == Liveness)
	code := http.StatusOK
	if status == Unhealthy {
		code = http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		h.writeJSON(w, code, status, checks)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, verbose := r.URL.Query()["verbose"]
	if !verbose && code == http.StatusOK {
		_, _ = fmt.Fprint(w, "ok")
		return
	}
	_, _ = fmt.Fprint(w, h.text(status, checks))
}

// collect gathers the sources' checks, less the excluded ones and, for
// liveness, the non-liveness ones.
func (h *handler) collect(ctx context.Context, exclude []string) []CheckReport {
	ctx, cancel := context.WithTimeout(ctx, h.timeout) // one deadline for all sources
	defer cancel()
	var out []CheckReport
	for _, src := range h.sources {
		rep, err := summary(ctx, src)
		if err != nil {
			out = append(out, h.unanswered(src, err))
			continue
		}
		for _, c := range rep.Checks {
			if (h.probe == Liveness && !c.Liveness) || slices.Contains(exclude, c.Name) {
				continue
			}
			out = append(out, c)
		}
	}
	return out
}

// unanswered is the check standing for a source that gave no report:
// Unhealthy for readiness; for liveness Unknown, which Aggregate does not
// count, since a monitor being restarted says nothing about the process.
func (h *handler) unanswered(src process.Dest, err error) CheckReport {
	status := Unhealthy
	if h.probe == Liveness {
		status = Unknown
	}
	return CheckReport{Name: fmt.Sprintf("monitor(%v)", src), Status: status, Err: err, Liveness: true}
}

// text renders the kube-apiserver verbose format.
func (h *handler) text(status Status, checks []CheckReport) string {
	var b strings.Builder
	for _, c := range checks {
		mark, word := "[-]", "failed"
		switch c.Status {
		case Healthy:
			mark, word = "[+]", "ok"
		case Degraded:
			word = "degraded"
		case Unknown:
			word = "pending"
		}
		fmt.Fprintf(&b, "%s%s %s", mark, c.Name, word)
		if c.Status != Healthy {
			fmt.Fprintf(&b, ": %s", h.reason(c.Err))
		}
		if c.NonCritical && c.Status != Healthy {
			b.WriteString(" (non-critical)")
		}
		b.WriteByte('\n')
	}
	verdict := "passed"
	switch status {
	case Unhealthy:
		verdict = "failed"
	case Degraded:
		verdict = "passed (degraded)"
	}
	fmt.Fprintf(&b, "%s check %s\n", h.probe, verdict)
	return b.String()
}

func (h *handler) reason(err error) string {
	if !h.reasons || err == nil {
		return "reason withheld"
	}
	return err.Error()
}

type jsonCheck struct {
	Name        string `json:"name"`
	Status      Status `json:"status"`
	NonCritical bool   `json:"non_critical,omitempty"`
	Error       string `json:"error,omitempty"`
}

func (h *handler) writeJSON(w http.ResponseWriter, code int, status Status, checks []CheckReport) {
	out := struct {
		Status Status      `json:"status"`
		Checks []jsonCheck `json:"checks"`
	}{Status: status, Checks: make([]jsonCheck, 0, len(checks))}
	for _, c := range checks {
		jc := jsonCheck{Name: c.Name, Status: c.Status, NonCritical: c.NonCritical}
		if c.Status != Healthy {
			jc.Error = h.reason(c.Err)
		}
		out.Checks = append(out.Checks, jc)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(out)
}
