// Package breaker implements circuit breakers, one per destination, on
// top of github.com/sony/gobreaker/v2: a destination that keeps failing
// is cut off for a while instead of being hammered, then probed.
//
// # Foundation mapping
//
// OTP has no circuit breaker; Elixir Foundation's is its
// CircuitBreaker (built on :fuse).
//
//	Foundation                          Orchard
//	CircuitBreaker.start_fuse_instance  (*Set).Get(key) (created on first use)
//	CircuitBreaker.execute              (*Breaker).Execute, or Allow + done
//	CircuitBreaker.get_status           (*Breaker).State, (*Set).States
//	CircuitBreaker.reset                (*Set).Remove
//	(fuse instance cleanup)             (*Set).Sweep, WithMaxSize, (*Set).Start/StartLink/ChildSpec
//	{:error, :circuit_open}             *OpenError (errors.Is ErrOpen)
//	fuse melt / blown / heal            Closed → Open → HalfOpen → Closed
//
// # Semantics
//
// A [Breaker] starts [Closed] and counts outcomes. It trips to [Open]
// after [Settings.FailureThreshold] consecutive failures, or when
// [Settings.FailureRatio] of at least [Settings.MinRequests] requests
// failed. Open, it refuses every request with an *[OpenError] for
// [Settings.OpenTimeout]; then it is [HalfOpen] and lets
// [Settings.HalfOpenMaxRequests] trial requests through: if they all
// succeed it closes, and the first failure opens it again. Every state
// change emits [EventStateChanged] on the set's telemetry registry.
//
// Use [Breaker.Execute] around a function, or [Breaker.Allow] and the
// returned done callback when the outcome is known elsewhere (package
// send does this for every delivery attempt). done must be called exactly
// once, with [Success], [Failure] or [Excluded] (counted neither way):
// a half-open breaker counts its trials until they report.
//
// A [Set] holds one breaker per key with shared settings; [Key] renders a
// process.Dest as a key, so a name keeps its breaker across restarts of
// the process behind it while a PID has its own. Since every PID is a new
// key, a set forgets breakers that protect nothing: [Set.Sweep] evicts
// closed breakers with no request in flight that have been idle for a
// given time, a janitor ([Set.Start], or [Set.StartLink] and
// [Set.ChildSpec] under a supervisor) runs it periodically in a process of
// the node, and
// [WithMaxSize] bounds the set by evicting the longest-idle such breakers
// when a new key arrives ([EventEvicted]). Open and half-open breakers are
// never evicted. [Set.State] and [Set.Lookup] read a key's breaker without
// creating one.
//
// The janitor is the same small periodic process as ratelimit's janitor
// and monitors' leak check, with the same Start/StartLink/ChildSpec
// shape: a process with a timer of its own, not a schedule of package
// schedule, because breaker sits below schedule (a scheduler delivers
// through package send, which uses breakers) and so cannot ask one
// without an import cycle.
//
// # Differences from Foundation
//
// Foundation's fuse counts melts within a time window and heals after a
// fixed reset time; gobreaker's consecutive-failure and ratio rules, with
// an optional counting Interval, cover the same ground. There is no
// breaker process: a breaker is a value guarded by a mutex, and the
// open-to-half-open transition is seen at the next request or State
// call rather than by a timer.
//
// # Errors
//
// Bad input is an error, never a panic (docs/ERRORS.md): every error
// about a value the caller gave matches [ErrInvalidArgument], those about
// settings and options match [ErrInvalidSettings] as well, and errors.As
// finds an *[ArgumentError]. An *[OpenError] is not bad input: it is the
// state of the destination. A nil or zero *[Set] or *[Breaker] refuses
// requests with [ErrInvalidArgument] and reads as empty.
//
// # Example
//
//	set, _ := breaker.NewSet(breaker.DefaultSettings())
//	err := set.Get("payments").Execute(func() error { return charge() })
//	if errors.Is(err, breaker.ErrOpen) { ... }
package breaker
