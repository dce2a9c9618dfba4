package send

import (
	"context"
	"log/slog"
	"maps"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/seed-fe72f376/orchard/breaker"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/timeouts"
)

// Level is how far a send waits for confirmation.
type Level int

const (
	// Enqueued confirms that a live process's mailbox accepted the
	// message (Erlang's !, plus a liveness check). The cheapest level.
	Enqueued Level = iota
	// Handled confirms that the receiving GenServer finished HandleInfo
	// for the message without crashing (genserver.Deliver). It costs about
	// a genserver.Call.
	Handled
)

// String returns "enqueued" or "handled".
func (l Level) String() string {
	switch l {
	case Enqueued:
		return "enqueued"
	case Handled:
		return "handled"
	}
	return "Level(" + strconv.Itoa(int(l)) + ")"
}

// OnError is what a send does when it fails for good (after its retries).
type OnError int

const (
	// Return returns the *[Error] (the default; Foundation's raise).
	Return OnError = iota
	// Log logs the failure (slog, warning) and returns the *[Error].
	Log
	// DeadLetter hands a [Letter] to the Sender's [DeadLetterSink] and
	// returns the *[Error] (joined with a *[DeadLetterError] if the sink
	// failed).
	DeadLetter
	// Ignore drops the failure: Send returns nil, Stats.Ignored counts it
	// and the failure event is still emitted.
	Ignore
)

// String returns the policy's lower-case name.
func (o OnError) String() string {
	switch o {
	case Return:
		return "return"
	case Log:
		return "log"
	case DeadLetter:
		return "dead_letter"
	case Ignore:
		return "ignore"
	}
	return "OnError(" + strconv.Itoa(int(o)) + ")"
}

// Jitter is how a backoff delay is randomised.
type Jitter int

const (
	// FullJitter waits a random time in [0, d) (the default).
	FullJitter Jitter = iota
	// EqualJitter waits d/2 plus a random time in [0, d/2).
	EqualJitter
	// NoJitter waits exactly d.
	NoJitter
)

// Backoff is the wait between attempts: Initial, then multiplied by
// Multiplier after every retry, capped at Max, then jittered.
type Backoff struct {
	Initial    time.Duration
	Max        time.Duration
	Multiplier float64
	Jitter     Jitter
}

// DefaultBackoff starts at 10 ms, doubles, caps at 1 s, with full jitter.
func DefaultBackoff() Backoff {
	return Backoff{Initial: 10 * time.Millisecond, Max: time.Second, Multiplier: 2, Jitter: FullJitter}
}

func (b Backoff) validate() error {
	switch {
	case b.Initial <= 0:
		return invalidOption("send: WithBackoff", "b.Initial", "must be positive")
	case b.Max < b.Initial:
		return invalidOption("send: WithBackoff", "b.Max", "must be at least Initial")
	case !(b.Multiplier >= 1) || math.IsInf(b.Multiplier, 0):
		return invalidOption("send: WithBackoff", "b.Multiplier", "must be a finite number >= 1")
	case b.Jitter < FullJitter || b.Jitter > NoJitter:
		return invalidOption("send: WithBackoff", "b.Jitter", "unknown jitter")
	}
	return nil
}

// Delay returns the wait before retry number retry (1 for the first
// retry), jittered. Delay has no error result: a Backoff that
// [WithBackoff] would refuse gives 0 where its wait is not positive, and
// a retry below 1 counts as 1 (docs/ERRORS.md §3).
func (b Backoff) Delay(retry int) time.Duration {
	d := min(b.capped(retry), math.MaxInt64-1) // +1 below must not overflow
	if d <= 0 {
		return 0
	}
	switch b.Jitter {
	case FullJitter:
		return time.Duration(rand.Int64N(int64(d) + 1))
	case EqualJitter:
		half := d / 2
		return half + time.Duration(rand.Int64N(int64(d-half)+1))
	}
	return d
}

// capped is the un-jittered delay of retry number retry.
func (b Backoff) capped(retry int) time.Duration {
	f := float64(b.Initial) * math.Pow(b.Multiplier, float64(max(retry-1, 0)))
	if f >= float64(b.Max) {
		return b.Max
	}
	return time.Duration(f)
}

// Infinity, given to [WithTimeout], lets a send wait (and retry) without
// a timeout of its own; only the context ends it then. It is
// timeouts.Infinity (and genserver.Infinity).
const Infinity = timeouts.Infinity

// Option configures one send or broadcast, or a Sender's defaults
// ([WithDefaults]). It is a small value (no allocation per send); build it
// with the With functions. The zero Option is invalid.
type Option struct {
	kind    optionKind
	n       int64 // level, retries, policy or duration
	backoff Backoff
	md      map[string]string
}

type optionKind uint8

const (
	optNone optionKind = iota
	optConfirm
	optTimeout
	optRetries
	optBackoff
	optOnError
	optMetadata
)

type config struct {
	level    Level
	timeout  time.Duration // 0: from the Sender's timeouts configuration
	retries  int
	backoff  Backoff
	onError  OnError
	metadata map[string]string
	err      error // the first invalid option

	tel *telemetry.Registry // set by configure: the Sender's, else the node's
}

func (c *config) setErr(err error) {
	if c.err == nil {
		c.err = err
	}
}

// apply checks o and sets it in c.
func (o Option) apply(c *config) {
	switch o.kind {
	case optConfirm:
		if l := Level(o.n); l == Enqueued || l == Handled {
			c.level = l
			return
		}
		c.setErr(invalidOption("send: WithConfirm", "l", "unknown level"))
	case optTimeout:
		if d := time.Duration(o.n); d > 0 || d == Infinity {
			c.timeout = d
			return
		}
		c.setErr(invalidOption("send: WithTimeout", "d", "must be positive or Infinity"))
	case optRetries:
		if o.n >= 0 {
			c.retries = int(o.n)
			return
		}
		c.setErr(invalidOption("send: WithRetries", "n", "must not be negative"))
	case optBackoff:
		if err := o.backoff.validate(); err != nil {
			c.setErr(err)
			return
		}
		c.backoff = o.backoff
	case optOnError:
		if p := OnError(o.n); p >= Return && p <= Ignore {
			c.onError = p
			return
		}
		c.setErr(invalidOption("send: WithOnError", "o", "unknown policy"))
	case optMetadata:
		c.metadata = maps.Clone(c.metadata)
		if c.metadata == nil {
			c.metadata = make(map[string]string, len(o.md))
		}
		maps.Copy(c.metadata, o.md)
	default:
		c.setErr(invalidOption("send: Option", "opts", "has the zero Option"))
	}
}

// WithConfirm sets the confirmation level (default [Enqueued]).
func WithConfirm(l Level) Option { return Option{kind: optConfirm, n: int64(l)} }

// WithTimeout bounds the whole send, retries and backoff included; it
// must be positive or [Infinity]. Without it, the send's timeout is the
// key [TimeoutKey] of the Sender's timeouts configuration (5 s unless
// configured). The context's deadline, if earlier, applies as well.
func WithTimeout(d time.Duration) Option { return Option{kind: optTimeout, n: int64(d)} }

// WithRetries allows n more attempts after the first for retryable
// failures ([Outcome.Retryable]); the default is 0.
func WithRetries(n int) Option { return Option{kind: optRetries, n: int64(n)} }

// WithBackoff sets the wait between attempts (default [DefaultBackoff]).
func WithBackoff(b Backoff) Option { return Option{kind: optBackoff, backoff: b} }

// WithOnError sets what a failed send does (default [Return]).
func WithOnError(o OnError) Option { return Option{kind: optOnError, n: int64(o)} }

// WithMetadata attaches md to the send: it travels in telemetry events,
// logs and dead letters (not to the receiver). It is copied when the send
// starts; later WithMetadata options add to it.
func WithMetadata(md map[string]string) Option { return Option{kind: optMetadata, md: md} }

// SenderOption configures [New].
type SenderOption interface{ applySender(*Sender) error }

type senderOption func(*Sender) error

func (f senderOption) applySender(s *Sender) error { return f(s) }

// WithTelemetry makes the Sender emit its events on r. Default: the
// registry of the node a send runs on (process.Config.Telemetry; see
// [New]), else telemetry.Default().
func WithTelemetry(r *telemetry.Registry) SenderOption {
	return senderOption(func(s *Sender) error {
		if r == nil {
			return invalidOption("send: WithTelemetry", "r", "is nil")
		}
		s.tel = r
		return nil
	})
}

// WithDeadLetterSink gives the Sender where OnError [DeadLetter] puts
// letters (for example a deadletter queue). Without one, a send with
// OnError DeadLetter fails with [ErrInvalidOption].
func WithDeadLetterSink(sink DeadLetterSink) SenderOption {
	return senderOption(func(s *Sender) error {
		if sink == nil {
			return invalidOption("send: WithDeadLetterSink", "sink", "is nil")
		}
		s.sink = sink
		return nil
	})
}

// WithBreakers makes every attempt ask set's breaker for the
// destination (breaker.Key) first, and report the outcome to it.
func WithBreakers(set *breaker.Set) SenderOption {
	return senderOption(func(s *Sender) error {
		if set == nil {
			return invalidOption("send: WithBreakers", "set", "is nil")
		}
		s.breakers = set
		return nil
	})
}

// Gate is a per-destination rate limit: Wait returns once key may go
// on, or an error when it cannot before ctx ends. ratelimit.Limiter is
// one.
type Gate interface {
	Wait(ctx context.Context, key string) error
}

// WithRateLimit makes every attempt wait for gate's permission for the
// destination (keyed by breaker.Key: "pid:<1.42>", "name:db", ...) before
// it is delivered, within the send's timeout. A send the gate does not let
// through in time fails with outcome [RateLimited].
func WithRateLimit(gate Gate) SenderOption {
	return senderOption(func(s *Sender) error {
		if gate == nil {
			return invalidOption("send: WithRateLimit", "gate", "is nil")
		}
		s.gate = gate
		return nil
	})
}

// WithLogger sets the logger of OnError [Log] (default: the logger of the
// node the send runs on, the caller's or else the destination's:
// process.Config.Logger, else slog.Default()).
func WithLogger(l *slog.Logger) SenderOption {
	return senderOption(func(s *Sender) error {
		if l == nil {
			return invalidOption("send: WithLogger", "l", "is nil")
		}
		s.logger = l
		return nil
	})
}

// WithTimeouts makes the Sender read its default timeouts ([TimeoutKey],
// [DeadLetterTimeoutKey]) from cfg. Without it they come from the node
// the send runs on: the calling process's node, else the destination
// PID's node (process.Config.Timeouts), else timeouts.Default().
func WithTimeouts(cfg *timeouts.Config) SenderOption {
	return senderOption(func(s *Sender) error {
		if cfg == nil {
			return invalidOption("send: WithTimeouts", "cfg", "is nil")
		}
		s.timeouts = cfg
		return nil
	})
}

// WithDefaults sets options applied to every send before its own.
func WithDefaults(opts ...Option) SenderOption {
	return senderOption(func(s *Sender) error {
		cfg := s.defaults
		for _, o := range opts {
			o.apply(&cfg)
		}
		if cfg.err != nil {
			return cfg.err
		}
		s.defaults = cfg
		return nil
	})
}
