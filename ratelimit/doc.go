// Package ratelimit implements per-key rate limiting on golang.org/x/time/rate
// token buckets, run as a supervised service: one bucket per key (a
// client, a destination, an API token) with a default or per-key limit,
// made on first use and forgotten by a janitor process once idle, so
// memory does not grow with one-off keys.
//
// # Foundation mapping
//
//	Foundation.Infrastructure.RateLimiter  Orchard
//	-------------------------------------  -----------------------------------------
//	(Hammer backend, started in the tree)  ratelimit.New(def, opts...) + (*Limiter).ChildSpec(id)
//	check_rate(entity, op, limit, window)  (*Limiter).Allow(key) bool (key = entity + op)
//	{:error, :rate_limited}                Allow false; Wait's *RejectedError (ErrRejected)
//	limit, time_window_ms                  Limit{Rate: rate.Every(window / limit), Burst: limit}
//	(blocking acquire)                     (*Limiter).Wait(ctx, key) error
//	(reserve for later)                    (*Limiter).Reserve(key) *rate.Reservation
//	per-entity limits                      WithLimit(key, Limit), (*Limiter).SetLimit
//	bucket expiry (Hammer cleanup)         the janitor (WithIdleTimeout, WithSweepInterval)
//	[:foundation, :rate_limiter, ...]      EventRejected ("orchard.ratelimit.rejected"), EventExpired
//	hook for supervised send               *Limiter is a send.Gate (send.WithRateLimit)
//
// # Semantics
//
// A [Limit] is a token bucket: Rate tokens per second refill Burst
// tokens; each event takes one. [New] takes the default limit; [WithLimit]
// and [Limiter.SetLimit] give a key its own. Invalid limits are refused
// with a *[LimitError]: a negative or NaN rate, a negative burst, or a
// finite positive rate with burst zero (nothing could pass). Rate 0 with
// Burst 0 blocks a key on purpose; rate.Inf lets everything pass.
//
// [Limiter.Allow] takes a token if there is one and never blocks.
// [Limiter.Reserve] takes one now or in the future and returns x/time/rate's
// reservation. [Limiter.Wait] blocks until a token is due, the context
// ends, or fails at once when the wait would outlast the context's
// deadline; its errors are *[RejectedError]s. Every refusal is counted
// (Stats.Rejected) and emitted as [EventRejected] with the key.
//
// Keys are strings (destinations, client IDs and tokens are), so the hot
// path hashes without reflection and send.Gate can be satisfied. The key
// table is sharded, each shard a sync.Map: a lookup of an existing key
// takes no lock at all, so a hot key costs what its x/time/rate bucket
// costs (one mutex) and different keys do not contend. Time is read with
// time.Now, which testing/synctest fakes.
//
// The janitor is an Orchard process that sweeps the table every sweep
// interval ([WithSweepInterval], default half the idle timeout), on a
// timer it owns, forgetting keys unused for about the idle timeout
// ([WithIdleTimeout], default [DefaultIdleTimeout]) whose bucket is
// full: a full bucket is exactly what a new key gets, so forgetting it
// changes no decision. Start it with [Limiter.Start] (a root process of a
// node), or let a supervisor own it: [Limiter.ChildSpec] and
// [Limiter.StartLink] (a supervisor.StartFunc). The buckets live in the
// Limiter, not in the process, so a restarted janitor goes on with the
// same keys, and the limiter works (without expiry) when no janitor runs.
// The janitor is the same small periodic process as breaker's janitor and
// monitors' leak check, with the same Start/StartLink/ChildSpec shape. It
// keeps a timer of its own rather than asking package schedule: a
// limiter's housekeeping then needs no scheduler process, and the three
// sweepers (breaker sits below schedule, which cannot serve it without an
// import cycle) share one mechanism.
//
// # Rate-limited sends
//
// *Limiter satisfies package send's Gate (Wait(ctx, key string) error):
// send.New(send.WithRateLimit(lim)) makes every attempt wait for the
// destination's bucket, within the send's timeout, and a send the bucket
// does not let through in time fails with outcome send.RateLimited.
//
// # Differences from Foundation
//
//   - Limits are token buckets (x/time/rate), not fixed windows; a
//     window of N per T is Limit{Rate: rate.Every(T / N), Burst: N}.
//   - The limiter is a value, not a named process: only expiry runs as a
//     process, so Allow is a function call, not a message round trip.
//   - A key forgotten by the janitor while an Allow for it is running may
//     let that one event through on the forgotten bucket.
//
// # Errors
//
// Bad input is an error, never a panic (docs/ERRORS.md): every error
// about a value the caller gave matches [ErrInvalidArgument] (a bad limit
// matches [ErrInvalidLimit] too, a bad option or context
// [ErrInvalidOption]), and errors.As finds an *[ArgumentError] or a
// *[LimitError]. An empty key is bad input: Allow refuses it and Wait and
// SetLimit return the error. A *[RejectedError] is not bad input: it is
// the bucket's answer.
//
// # Example
//
//	lim, _ := ratelimit.New(ratelimit.Limit{Rate: 100, Burst: 10},
//		ratelimit.WithLimit("batch", ratelimit.Limit{Rate: 1, Burst: 1}))
//	sup, _ := supervisor.Start(node, supervisor.Spec{Flags: supervisor.DefaultFlags(),
//		Children: []supervisor.ChildSpec{lim.ChildSpec("ratelimit")}})
//	if !lim.Allow(clientID) {
//		return errTooManyRequests
//	}
package ratelimit
