package supervisor

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// Backoff delays the restart of a child that keeps failing: an OTP
// supervisor restarts at once, every time, so a child whose start or
// first steps fail at once burns the CPU until the intensity limit. It is
// off by default (OTP-exact); a [ChildSpec] sets it for one child and
// [WithBackoff] for every child of a supervisor (the child's wins).
//
// The first restart after a stable run is immediate, as in OTP. Each
// further restart waits Initial, then twice as long, up to Max, each
// delay spread at random by up to Jitter of itself. A child that ran for
// Reset without failing is stable again. The intensity counts restarts
// exactly as OTP does, when each is decided (at the exit), so a
// supervisor still gives up after more than MaxRestarts restarts within
// Period; the delays only spread the restarts in time.
//
// During the delay the child is [Restarting]. The supervisor's own loop
// restarts it, through a timer message to itself: meanwhile it serves
// requests as usual. [TerminateChild] or [DeleteChild] cancels the
// pending restart, and so does the supervisor's shutdown. Under
// one_for_all and rest_for_one the delay comes before the strategy acts:
// the siblings it restarts run until then.
type Backoff struct {
	// Initial is the delay before the second restart in a row. Zero
	// turns backoff off.
	Initial time.Duration
	// Max caps the delay; zero means 32 times Initial.
	Max time.Duration
	// Jitter, from 0 to 1, spreads each delay at random by up to that
	// fraction of it, either way, so that children failing together do
	// not restart together.
	Jitter float64
	// Reset is how long a child must run without failing for its next
	// restart to be immediate again; zero means twice Max.
	Reset time.Duration
}

// withDefaults resolves the zero Max and Reset.
func (b Backoff) withDefaults() Backoff {
	if b.Max == 0 {
		b.Max = 32 * b.Initial
	}
	if b.Reset == 0 {
		b.Reset = 2 * b.Max
	}
	return b
}

// validate checks b; the errors are *SpecError about field.
func (b Backoff) validate(child, field string) error {
	switch {
	case b.Initial < 0:
		return &SpecError{Child: child, Field: field, Reason: fmt.Sprintf("negative Initial %v", b.Initial)}
	case b.Max < 0 || (b.Max > 0 && b.Max < b.Initial):
		return &SpecError{Child: child, Field: field, Reason: fmt.Sprintf("Max %v is below Initial %v", b.Max, b.Initial)}
	case !(b.Jitter >= 0 && b.Jitter <= 1):
		return &SpecError{Child: child, Field: field, Reason: fmt.Sprintf("Jitter %v is outside [0, 1]", b.Jitter)}
	case b.Reset < 0:
		return &SpecError{Child: child, Field: field, Reason: fmt.Sprintf("negative Reset %v", b.Reset)}
	}
	return nil
}

// WithBackoff sets the restart backoff of every child of the supervisor
// that sets none of its own ([ChildSpec.Backoff]). An invalid b is bad
// input ([ErrInvalidArgument]).
func WithBackoff(b Backoff) Option {
	return optionFunc(func(o *options) error {
		if err := b.validate("", "Backoff"); err != nil {
			return argerr.New("supervisor: WithBackoff", "b", err.Error())
		}
		if b.Initial > 0 {
			o.backoff = &b
		}
		return nil
	})
}

// backoffDelay is the pure decision: the delay before restart number
// failures in a row (1 for the first restart since the child was
// stable), with spread in [-1, 1] drawn by the caller.
func backoffDelay(b Backoff, failures int, spread float64) time.Duration {
	if b.Initial <= 0 || failures <= 1 {
		return 0
	}
	d := b.Max
	if shift := failures - 2; shift < 62 && b.Initial<<shift < b.Max && b.Initial<<shift > 0 {
		d = b.Initial << shift
	}
	return d + time.Duration(float64(d)*b.Jitter*spread)
}

// delayedRestart is the timer message a supervisor sends itself to
// restart a child after its backoff delay. gen, unique per supervisor,
// tells a stale one (the child was stopped, deleted or restarted
// meanwhile) from the current.
type delayedRestart struct {
	retry tryAgain
	gen   uint64
}

// backoffOf returns c's backoff, resolved, or nil when it has none.
func (s *sup) backoffOf(c *child) *Backoff {
	b := c.spec.Backoff
	if b == nil || b.Initial <= 0 {
		b = s.opts.backoff
	}
	if b == nil || b.Initial <= 0 {
		return nil
	}
	r := b.withDefaults()
	return &r
}

// restartDelay counts c's restart in its run of failures and returns how
// long to wait before it (zero: at once).
func (s *sup) restartDelay(c *child, now time.Time) time.Duration {
	b := s.backoffOf(c)
	if b == nil {
		return 0
	}
	if c.state == stateRunning && now.Sub(c.started) >= b.Reset {
		c.failures = 0 // it exited after a stable run (not a failed start)
	}
	c.failures++
	return backoffDelay(*b, c.failures, 2*rand.Float64()-1)
}

// delayRestart marks c restarting and asks the supervisor's loop to
// restart it after d.
func (s *sup) delayRestart(c *child, retry tryAgain, d time.Duration) {
	s.exec.setRestarting(c)
	s.delaySeq++
	c.delayGen = s.delaySeq
	ref, err := s.self.SendAfter(s.self.PID(), delayedRestart{retry: retry, gen: c.delayGen}, d)
	if err == nil {
		if s.pending == nil {
			s.pending = make(map[uint64]process.TimerRef)
		}
		s.pending[c.delayGen] = ref
	}
}

// delayedRestartDue restarts the child a delayedRestart is for, unless it
// is stale.
func (s *sup) delayedRestartDue(m delayedRestart) error {
	delete(s.pending, m.gen)
	c := s.exec.findRetried(m.retry)
	if c == nil || c.state != stateRestarting || c.delayGen != m.gen {
		return nil // stopped, deleted or restarted since: nothing to revive
	}
	if retry := s.exec.restartByStrategy(c); retry != nil && s.alive() {
		_ = s.self.Send(s.self.PID(), *retry)
	}
	return nil
}

// cancelDelayedRestarts cancels the pending delayed restarts (the
// supervisor is shutting down).
func (s *sup) cancelDelayedRestarts() {
	for _, ref := range s.pending {
		s.self.Node().CancelTimer(ref)
	}
	s.pending = nil
}
