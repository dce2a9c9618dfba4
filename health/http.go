package health

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
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
type HandlerOption interface{ applyHandler(*handler) error }

type handlerOption func(*handler) error

func (f handlerOption) applyHandler(h *handler) error { return f(h) }

// WithHandlerTimeout bounds the wait for the monitors' reports (default
// [DefaultHandlerTimeout]): one deadline shared by all the sources of a
// request, so a probe never takes longer than d however many sources
// there are. A monitor that has not answered by then is reported as a
// check "monitor(<dest>)": unhealthy for readiness, pending (Unknown,
// which does not fail the probe) for liveness. d must be positive.
func WithHandlerTimeout(d time.Duration) HandlerOption {
	return handlerOption(func(h *handler) error {
		if d <= 0 {
			return argerr.New(h.op, "WithHandlerTimeout d", fmt.Sprintf("must be positive, got %v", d))
		}
		h.timeout = d
		return nil
	})
}

// WithReasons makes verbose and JSON output include the checks' errors.
// By default they are withheld, as kube-apiserver does, since error text
// can reveal internals to anyone who can reach the endpoint.
func WithReasons() HandlerOption {
	return handlerOption(func(h *handler) error { h.reasons = true; return nil })
}

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
//
// An unknown probe, a nil or zero-PID source, a nil option or a bad
// option value is an error matching [ErrInvalidArgument], and no handler
// is returned: a probe endpoint that cannot ask its monitors must not
// answer "ok". An empty sources list is allowed: the probe then reports
// the process's own liveness only (always "ok").
func Handler(probe Probe, sources []process.Dest, opts ...HandlerOption) (http.Handler, error) {
	h, err := newHandler("health: Handler", probe, sources, opts)
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return h, nil
}

func newHandler(op string, probe Probe, sources []process.Dest, opts []HandlerOption) (*handler, error) {
	if probe != Readiness && probe != Liveness {
		return nil, argerr.New(op, "probe", fmt.Sprintf("unknown probe %d", int(probe)))
	}
	for i, src := range sources {
		if src == nil {
			return nil, argerr.Nil(op, fmt.Sprintf("sources[%d]", i))
		}
		if pid, ok := src.(process.PID); ok && pid.IsZero() {
			return nil, argerr.New(op, fmt.Sprintf("sources[%d]", i), "is the zero PID")
		}
	}
	h := &handler{op: op, probe: probe, sources: slices.Clone(sources), timeout: DefaultHandlerTimeout}
	for i, o := range opts {
		if o == nil {
			return nil, argerr.Nil(op, fmt.Sprintf("opts[%d]", i))
		}
		if err := o.applyHandler(h); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// Mount registers Handler(Liveness, ...) on "/healthz" and
// Handler(Readiness, ...) on "/readyz" of mux. A nil mux, a mux that
// already has either pattern (http.ServeMux would panic), or anything
// [Handler] refuses, is an error matching [ErrInvalidArgument], and
// nothing is registered.
func Mount(mux *http.ServeMux, sources []process.Dest, opts ...HandlerOption) error {
	const op = "health: Mount"
	if mux == nil {
		return argerr.Nil(op, "mux")
	}
	live, err := newHandler(op, Liveness, sources, opts)
	if err != nil {
		return err
	}
	ready, err := newHandler(op, Readiness, sources, opts)
	if err != nil {
		return err
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if _, pattern := mux.Handler(&http.Request{Method: http.MethodGet, URL: &url.URL{Path: path}}); pattern == path {
			return argerr.New(op, "mux", "already has a handler for "+path)
		}
	}
	mux.Handle("/healthz", live)
	mux.Handle("/readyz", ready)
	return nil
}

type handler struct {
	op      string // the constructor, for option errors
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
