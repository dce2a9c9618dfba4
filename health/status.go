package health

import (
	"strings"
	"time"
)

// Status is the health of a check, a service or a whole monitor. Legal
// transitions of a check: Unknown → any other status (its first result),
// then between Healthy, Degraded and Unhealthy as results come in; no
// status goes back to Unknown.
type Status int

const (
	// Unknown means no result yet: the check has not completed its first
	// run, or the service was never resolved.
	Unknown Status = iota
	// Healthy means the last result was a success.
	Healthy
	// Degraded means the check reported reduced service (it returned an
	// error wrapped with [Degrade]), or, for an aggregate, that a
	// non-critical part is failing.
	Degraded
	// Unhealthy means the last result was a failure: an error, a panic or
	// a timeout; for a service, that its process is not alive.
	Unhealthy
)

// String names the status ("unknown", "healthy", "degraded", "unhealthy").
func (s Status) String() string {
	switch s {
	case Unknown:
		return "unknown"
	case Healthy:
		return "healthy"
	case Degraded:
		return "degraded"
	case Unhealthy:
		return "unhealthy"
	}
	return "invalid"
}

// MarshalText encodes the status as its name (for JSON).
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Result is one completed run of a check, or one change of a service.
type Result struct {
	Status Status `json:"status"`
	// Err is the check's error, nil when healthy.
	Err error `json:"-"`
	// At is when the run ended.
	At time.Time `json:"at"`
	// Duration is how long the run took (zero for services).
	Duration time.Duration `json:"duration_ns"`
}

// CheckReport is the state of one check or watched service.
type CheckReport struct {
	Name string `json:"name"`
	// Status is the last result's status, Unknown before the first.
	Status Status `json:"status"`
	// Err is the last result's error.
	Err error `json:"-"`
	// NonCritical and Liveness are copied from the [Check] or [Service].
	NonCritical bool `json:"non_critical,omitempty"`
	Liveness    bool `json:"liveness,omitempty"`
	// ConsecutiveFailures counts the unhealthy results since the last
	// healthy or degraded one.
	ConsecutiveFailures int `json:"consecutive_failures"`
	// History holds the most recent results, oldest first; its length is
	// bounded by the monitor's history size.
	History []Result `json:"history,omitempty"`
}

// Report is a snapshot of a monitor: its checks sorted by name and their
// aggregate status over all of them (readiness).
type Report struct {
	Status Status        `json:"status"`
	Checks []CheckReport `json:"checks"`
}

// Aggregate returns the overall status of checks, the rule behind
// [Report.Status] and the HTTP handlers:
//
//   - a critical check counts with its own status, Unknown counting as
//     Unhealthy (not ready until every critical check has passed once);
//   - a non-critical check that is Unhealthy or Unknown counts as Degraded;
//   - the result is the worst count; no checks at all is Healthy.
//
// With liveOnly (the liveness probe), only the checks marked Liveness
// count, and an Unknown one does not count at all: following the
// Kubernetes conventions, a process is not restarted because a check has
// not run yet (at start-up) or its monitor is not answering (restarting);
// only a liveness check that has run and failed fails liveness.
func Aggregate(checks []CheckReport, liveOnly bool) Status {
	overall := Healthy
	for _, c := range checks {
		if liveOnly && (!c.Liveness || c.Status == Unknown) {
			continue
		}
		if s := contribution(c); s > overall {
			overall = s
		}
	}
	return overall
}

func contribution(c CheckReport) Status {
	s := c.Status
	if s == Unknown {
		s = Unhealthy
	}
	if c.NonCritical && s == Unhealthy {
		return Degraded
	}
	return s
}

// ring is a bounded history of results, oldest overwritten first.
type ring struct {
	buf  []Result
	next int
	full bool
}

func newRing(n int) ring { return ring{buf: make([]Result, n)} }

func (r *ring) add(res Result) {
	r.buf[r.next] = res
	r.next = (r.next + 1) % len(r.buf)
	if r.next == 0 {
		r.full = true
	}
}

// list returns the results, oldest first.
func (r *ring) list() []Result {
	if !r.full {
		return append([]Result(nil), r.buf[:r.next]...)
	}
	out := make([]Result, 0, len(r.buf))
	out = append(out, r.buf[r.next:]...)
	return append(out, r.buf[:r.next]...)
}

// tracked is the state a monitor keeps for one check or service.
type tracked struct {
	name        string
	nonCritical bool
	liveness    bool
	status      Status
	err         error
	failures    int
	history     ring
}

func newTracked(name string, nonCritical, liveness bool, history int) *tracked {
	return &tracked{name: name, nonCritical: nonCritical, liveness: liveness, history: newRing(history)}
}

// record adds res and returns the previous status.
func (t *tracked) record(res Result) Status {
	prev := t.status
	t.status, t.err = res.Status, res.Err
	if res.Status == Unhealthy {
		t.failures++
	} else {
		t.failures = 0
	}
	t.history.add(res)
	return prev
}

func (t *tracked) report(withHistory bool) CheckReport {
	r := CheckReport{
		Name: t.name, Status: t.status, Err: t.err,
		NonCritical: t.nonCritical, Liveness: t.liveness, ConsecutiveFailures: t.failures,
	}
	if withHistory {
		r.History = t.history.list()
	}
	return r
}

// statusOf classifies a check's error.
func statusOf(err error) Status {
	switch {
	case err == nil:
		return Healthy
	case isDegraded(err):
		return Degraded
	}
	return Unhealthy
}

// validName reports whether name can appear in a verbose report line and
// an URL path (kube-apiserver check names: no spaces, no slashes).
func validName(name string) bool {
	return name != "" && !strings.ContainsAny(name, " \t\r\n/[]")
}
