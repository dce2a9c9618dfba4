package deadletter

import (
	"context"
	"time"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Deliverer re-delivers a message; it returns nil once the message is
// delivered. The default resolves the destination and puts the message
// in the mailbox of the live process behind it; when there is none (a
// dead PID, an unregistered name) it fails with an error matching
// process.NoProc and the entry stays. Applications wire package send's
// confirmed Send (retries, breakers, Handled confirmation) in with
// [WithDeliverer].
type Deliverer func(ctx context.Context, dest process.Dest, msg any) error

// Resolver turns a stored [Destination] back into a process.Dest after a
// restart. It returns an error when it cannot; the entry then stays, and
// Retry reports an *[UndeliverableError] wrapping that error.
type Resolver func(d Destination) (process.Dest, error)

// Option configures a [Queue].
type Option interface{ apply(*config) error }

type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

// config is the queue's configuration after its options.
type config struct {
	codec      Codec
	deliver    Deliverer
	resolve    Resolver
	telemetry  *telemetry.Registry
	interval   time.Duration
	maxRetries int
	retryTO    time.Duration
	now        func() time.Time
}

// DefaultRetryTimeout bounds one re-delivery by the automatic retrier when
// [WithRetryTimeout] is not given.
const DefaultRetryTimeout = 5 * time.Second

// WithCodec sets the message codec. Default: a [NewJSONCodec] with only
// the basic types registered.
func WithCodec(c Codec) Option {
	return optionFunc(func(cfg *config) error {
		if c == nil {
			return badArg("WithCodec", "c", "is nil")
		}
		cfg.codec = c
		return nil
	})
}

// WithDeliverer sets how entries are re-delivered. Default: enqueue to a
// live process, failing with process.NoProc (see [Deliverer]).
func WithDeliverer(d Deliverer) Option {
	return optionFunc(func(cfg *config) error {
		if d == nil {
			return badArg("WithDeliverer", "d", "is nil")
		}
		cfg.deliver = d
		return nil
	})
}

// WithResolver sets how stored destinations become process.Dests again
// when the queue holds no live one (after a restart). Default: a
// [DestName] resolves to the name on the queue's node; PIDs, via-names and
// other destinations do not resolve.
func WithResolver(r Resolver) Option {
	return optionFunc(func(cfg *config) error {
		if r == nil {
			return badArg("WithResolver", "r", "is nil")
		}
		cfg.resolve = r
		return nil
	})
}

// WithTelemetry publishes the queue's events on r. Default: the
// registry of the queue's node (process.Config.Telemetry), else
// telemetry.Default().
func WithTelemetry(r *telemetry.Registry) Option {
	return optionFunc(func(cfg *config) error {
		if r == nil {
			return badArg("WithTelemetry", "r", "is nil")
		}
		cfg.telemetry = r
		return nil
	})
}

// WithAutoRetry sets the automatic retry policy used by the retrier
// ([Queue.StartRetrier]): every interval it re-delivers the entries that
// are due, at most maxRetries times per entry; an entry that reached
// maxRetries stays listed and is no longer retried automatically (until
// [Queue.Rearm]). A new entry is first due one interval after it was
// added. Default: no retrier policy (StartRetrier fails).
func WithAutoRetry(interval time.Duration, maxRetries int) Option {
	return optionFunc(func(cfg *config) error {
		if interval <= 0 || maxRetries <= 0 {
			return invalid("WithAutoRetry", "interval, maxRetries", "must be positive, got %v and %d", interval, maxRetries)
		}
		cfg.interval, cfg.maxRetries = interval, maxRetries
		return nil
	})
}

// WithRetryTimeout bounds each automatic re-delivery. Default:
// [DefaultRetryTimeout].
func WithRetryTimeout(d time.Duration) Option {
	return optionFunc(func(cfg *config) error {
		if d <= 0 {
			return invalid("WithRetryTimeout", "d", "must be positive, got %v", d)
		}
		cfg.retryTO = d
		return nil
	})
}
