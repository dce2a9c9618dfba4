package genserver

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// ErrOverloaded is matched by a [Call] or [Deliver] that a server with
// [WithAdmission] refused because its queue was full or too slow: the
// request was not sent, so it will never be handled. The error is a
// *[CallError] whose Reason is an *[OverloadError].
var ErrOverloaded = errors.New("genserver: overloaded")

// OverloadError says why a server refused a request ([ErrOverloaded]).
type OverloadError struct {
	// Queued is how many calls and deliveries were waiting.
	Queued int64
	// MaxQueue is the bound it reached, or 0 when the queueing delay
	// made the server shed (Delay then says how long the last request it
	// took had waited).
	MaxQueue int
	Delay    time.Duration
}

func (e *OverloadError) Error() string {
	if e.MaxQueue > 0 {
		return fmt.Sprintf("genserver: overloaded: %d requests queued (at most %d)", e.Queued, e.MaxQueue)
	}
	return fmt.Sprintf("genserver: overloaded: requests wait %v, over the target", e.Delay)
}

// Is makes it match [ErrOverloaded].
func (e *OverloadError) Is(target error) bool { return target == ErrOverloaded }

// Admission bounds the calls and deliveries waiting for a server (see
// [WithAdmission]). Each non-zero field is a bound; casts and plain
// messages are not counted.
type Admission struct {
	// MaxQueue refuses a request when that many are already waiting.
	MaxQueue int
	// TargetDelay refuses new requests while the server is behind: while
	// the request it took last had waited longer than TargetDelay and
	// others still wait (the oldest waiting request is older than the
	// target). It stops refusing as soon as a request it takes waited
	// less, or the queue is empty.
	TargetDelay time.Duration
}

// WithAdmission makes the server refuse calls and deliveries beyond a
// bound, with an error matching [ErrOverloaded], so that its latency stays
// bounded under load instead of growing with its queue: the caller learns
// at once that it must back off, instead of waiting out its timeout. It
// is off by default (OTP's gen_server queues without limit). A bound that
// is negative, or an Admission with no bound, is bad input.
//
// The caller checks the bounds before sending, so a refused request costs
// the server nothing; a node with such a server pays one lookup per call
// to any of its servers.
func WithAdmission(a Admission) StartOption {
	return startOption(func(c *startConfig) error {
		switch {
		case a.MaxQueue < 0:
			return argerr.New("genserver: WithAdmission", "a", "negative MaxQueue")
		case a.TargetDelay < 0:
			return argerr.New("genserver: WithAdmission", "a", "negative TargetDelay")
		case a.MaxQueue == 0 && a.TargetDelay == 0:
			return argerr.New("genserver: WithAdmission", "a", "sets no bound")
		}
		c.admission = &a
		return nil
	})
}

// admission is a server's admission state, shared with its callers: they
// count themselves in and check the bounds; the server counts them out
// and decides whether it is behind.
type admission struct {
	Admission
	queued   atomic.Int64 // requests sent and not yet taken
	shedding atomic.Bool  // the last request taken waited over the target
	lastWait atomic.Int64 // how long it waited, for the error
}

// enter counts one request in, or returns why it is refused.
func (a *admission) enter() error {
	if a.TargetDelay > 0 && a.shedding.Load() && a.queued.Load() > 0 {
		return &OverloadError{Queued: a.queued.Load(), Delay: time.Duration(a.lastWait.Load())}
	}
	n := a.queued.Add(1)
	if a.MaxQueue > 0 && n > int64(a.MaxQueue) {
		a.queued.Add(-1)
		return &OverloadError{Queued: n - 1, MaxQueue: a.MaxQueue}
	}
	return nil
}

// leave counts a request out that was never sent.
func (a *admission) leave() { a.queued.Add(-1) }

// taken counts out a request the server takes, which was sent at enq.
func (a *admission) taken(enq time.Time) {
	left := a.queued.Add(-1)
	if a.TargetDelay > 0 {
		wait := time.Since(enq)
		a.lastWait.Store(int64(wait))
		a.shedding.Store(wait > a.TargetDelay && left > 0)
	}
}

// admissionOf returns the admission state of the server pid, or nil. Only
// a node where a server was started with WithAdmission looks.
func (e *callEnv) admissionOf(pid process.PID) *admission {
	if !e.anyAdmission.Load() {
		return nil
	}
	if a, ok := e.admissions.Load(pid); ok {
		return a.(*admission)
	}
	return nil
}

// register publishes a, the admission state of the server p, to its
// callers until it exits. It runs in the new process, before Init.
func (a *admission) register(p *process.Proc) {
	e := callEnvOf(p.Node())
	e.admissions.Store(p.PID(), a)
	e.anyAdmission.Store(true)
	if _, err := rt.OnExit(p.Node(), p.PID(), func(pid process.PID, _ error) { e.admissions.Delete(pid) }); err != nil {
		e.admissions.Delete(p.PID()) // dead already: nobody can call it
	}
}
