package send

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/breaker"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/timeouts"
)

// TimeoutKey is the key, in the Sender's timeouts configuration, of the
// timeout of a send without [WithTimeout].
const TimeoutKey = "send.deliver"

// DeadLetterTimeoutKey is the key of the time a [DeadLetterSink] gets to
// store a letter.
const DeadLetterTimeoutKey = "send.dead_letter"

// Sender sends with confirmation, retries and an error policy. Its
// fields are set by [New] and not changed afterwards; it is safe for
// concurrent use. The package-level [Send] and [Broadcast] use
// [Default].
type Sender struct {
	tel      *telemetry.Registry // nil: the node's registry (see envRef)
	sink     DeadLetterSink
	breakers *breaker.Set
	gate     Gate
	logger   *slog.Logger     // nil: the node's logger (see envRef)
	timeouts *timeouts.Config // nil: the node's configuration (see envRef)
	defaults config
	timeout  *timeouts.Handle        // TimeoutKey in timeouts; nil without WithTimeouts
	sinkWait *timeouts.Handle        // DeadLetterTimeoutKey in timeouts; likewise
	made     bool                    // made by New
	lastNode atomic.Pointer[nodeEnv] // see envFor
	stats    counters
}

// Stats are a Sender's counters since New.
type Stats struct {
	// Sent counts sends started (one per recipient of a broadcast).
	Sent uint64
	// Delivered counts sends confirmed at their level.
	Delivered uint64
	// Failed counts sends that failed for good, whatever OnError did.
	Failed uint64
	// Retried counts retries (attempts after the first).
	Retried uint64
	// DeadLettered counts letters a sink stored.
	DeadLettered uint64
	// Ignored counts failures dropped by OnError Ignore.
	Ignored uint64
	// Aborted counts AllOrNothing broadcasts that sent nothing because a
	// recipient was not available (their recipients are in no other
	// counter).
	Aborted uint64
}

type counters struct {
	sent, delivered, failed, retried, deadLettered, ignored, aborted atomic.Uint64
}

// New returns a Sender. Bad options give an error matching
// [ErrInvalidOption].
func New(opts ...SenderOption) (*Sender, error) {
	s := &Sender{
		defaults: config{backoff: DefaultBackoff()},
		made:     true,
	}
	for i, o := range opts {
		if o == nil {
			return nil, invalidOption("send: New", fmt.Sprintf("opts[%d]", i), "is nil")
		}
		if err := o.applySender(s); err != nil {
			return nil, err
		}
	}
	if s.defaults.onError == DeadLetter && s.sink == nil {
		return nil, invalidOption("send: New", "WithDefaults", "OnError DeadLetter needs WithDeadLetterSink")
	}
	if s.timeouts != nil {
		s.timeout = s.timeouts.Handle(TimeoutKey)
		s.sinkWait = s.timeouts.Handle(DeadLetterTimeoutKey)
	}
	return s, nil
}

// envRef says which node's environment (timeouts, logger, telemetry) a
// send uses when the Sender was given none: the calling process's node,
// else the destination's node, found by its number (rt.NodeOf) even when
// no live process holds the destination, so a send that fails reports on
// that node; else none (package defaults).
type envRef struct {
	self *process.Proc // the caller, when in a process
	n    *process.Node // else the destination's node, if it has one
}

func envOf(ctx context.Context, dest process.Dest) envRef {
	if self, ok := process.FromContext(ctx); ok {
		return envRef{self: self}
	}
	return envRef{n: rt.NodeOf(dest)}
}

// id is the node's number, 0 for none, read without a lookup.
func (e envRef) id() uint32 {
	if e.self != nil {
		return e.self.PID().Node()
	}
	return e.n.ID()
}

// node is the node; nil for none.
func (e envRef) node() *process.Node {
	if e.self != nil {
		return e.self.Node()
	}
	return e.n
}

// nodeEnv is one node's environment as a Sender uses it: the handles of
// its default timeouts in the node's configuration, and the node's
// telemetry registry.
type nodeEnv struct {
	node              uint32
	deliver, sinkWait *timeouts.Handle
	tel               *telemetry.Registry
}

// envFor returns the environment of the node a send to dest from ctx
// runs on (see envRef). The last node's is cached, so a run of sends to
// one node reads it with a pointer load.
func (s *Sender) envFor(ctx context.Context, dest process.Dest) *nodeEnv {
	e := envOf(ctx, dest)
	id := e.id()
	c := s.lastNode.Load()
	if c == nil || c.node != id {
		n := e.node()
		c = &nodeEnv{node: id, deliver: nodeenv.TimeoutHandle(n, TimeoutKey),
			sinkWait: nodeenv.TimeoutHandle(n, DeadLetterTimeoutKey), tel: nodeenv.Telemetry(n)}
		if n == nil {
			c.node = 0
		}
		s.lastNode.Store(c)
	}
	return c
}

// timeoutOf reads the default timeout key: the Sender's configuration
// (WithTimeouts) through its handle h, else the node's (see envFor).
func (s *Sender) timeoutOf(h *timeouts.Handle, key string, ctx context.Context, dest process.Dest) time.Duration {
	if h != nil {
		return h.Get()
	}
	c := s.envFor(ctx, dest)
	if key == DeadLetterTimeoutKey {
		return c.sinkWait.Get()
	}
	return c.deliver.Get()
}

var defaultSender, _ = New()

// Default returns the Sender of the package-level functions: no
// breakers and no dead-letter sink; its timeouts, logger and telemetry
// registry are those of the node it sends from or to (see [New]). It is a convenience: code on a node that needs other settings
// makes its own Sender with New.
func Default() *Sender { return defaultSender }

// Send sends msg to dest with the default Sender; see [Sender.Send].
func Send(ctx context.Context, dest process.Dest, msg any, opts ...Option) error {
	return defaultSender.Send(ctx, dest, msg, opts...)
}

// usable reports whether s was made by New.
func (s *Sender) usable() bool { return s != nil && s.made }

// Stats returns the Sender's counters (zero for a nil Sender).
func (s *Sender) Stats() Stats {
	if s == nil {
		return Stats{}
	}
	c := &s.stats
	return Stats{
		Sent: c.sent.Load(), Delivered: c.delivered.Load(), Failed: c.failed.Load(),
		Retried: c.retried.Load(), DeadLettered: c.deadLettered.Load(), Ignored: c.ignored.Load(),
		Aborted: c.aborted.Load(),
	}
}

// Send delivers msg to dest and waits for the confirmation level
// ([WithConfirm]). dest is a process.PID, a process.Name or a registry
// via-name, resolved again for every attempt, so a retry reaches a
// process a supervisor restarted under the same name.
//
// Each attempt asks the destination's breaker first (with
// [WithBreakers]), then delivers: Enqueued checks the process is alive and
// puts msg in its mailbox; Handled runs genserver.Deliver, so the
// receiving GenServer's HandleInfo gets msg. A retryable failure
// ([Outcome.Retryable]) is retried up to [WithRetries] times after a
// [Backoff] wait; retries stop early when the timeout or the context
// would end during the wait. Send blocks until the confirmation, the
// timeout ([WithTimeout]) or the context's end, never longer.
//
// It returns nil when delivered. A send that fails for good is a *[Error]
// (matching the sentinel of its [Outcome]), then handled per [OnError]:
// returned, logged and returned, dead-lettered and returned, or ignored
// (nil). Bad input (a nil ctx, dest or msg, a zero PID, a bad option, a
// nil or zero Sender) returns an error matching [ErrInvalidOption] and
// [ErrInvalidArgument], and sends nothing. A Handled send that timed out may still be handled later, so
// retries give at-least-once delivery.
func (s *Sender) Send(ctx context.Context, dest process.Dest, msg any, opts ...Option) error {
	const op = "send: Sender.Send"
	if !s.usable() {
		return invalidOption(op, "receiver", "is nil or not made by New")
	}
	if msg == nil {
		return invalidOption(op, "msg", "is nil")
	}
	cfg, err := s.configure(op, ctx, dest, opts)
	if err != nil {
		return err
	}
	return s.send(ctx, dest, msg, cfg).result
}

// configure merges the defaults and opts, and checks the input.
func (s *Sender) configure(op string, ctx context.Context, dest process.Dest, opts []Option) (config, error) {
	cfg := s.defaults
	for _, o := range opts {
		o.apply(&cfg)
	}
	switch {
	case cfg.err != nil:
		return cfg, cfg.err
	case ctx == nil:
		return cfg, invalidOption(op, "ctx", "is nil")
	case dest == nil:
		return cfg, invalidOption(op, "dest", "is nil")
	case cfg.onError == DeadLetter && s.sink == nil:
		return cfg, invalidOption(op, "opts", "OnError DeadLetter needs a Sender with WithDeadLetterSink")
	}
	if pid, ok := dest.(process.PID); ok && pid.IsZero() {
		return cfg, invalidOption(op, "dest", "is the zero PID")
	}
	// The node's environment is looked up once per send, and only for
	// what the Sender was not given.
	needTimeout := cfg.timeout == 0
	if needTimeout && s.timeout != nil {
		cfg.timeout, needTimeout = s.timeout.Get(), false
	}
	cfg.tel = s.tel
	if needTimeout || cfg.tel == nil {
		e := s.envFor(ctx, dest)
		if needTimeout {
			cfg.timeout = e.deliver.Get()
		}
		if cfg.tel == nil {
			cfg.tel = e.tel
		}
	}
	return cfg, nil
}

// sendResult is a finished send: fail is its failure (nil when delivered),
// result what Send returns after OnError.
type sendResult struct {
	fail   *Error
	result error
}

// send runs the attempts of one configured send.
func (s *Sender) send(ctx context.Context, dest process.Dest, msg any, cfg config) sendResult {
	s.stats.sent.Add(1)
	r := run{s: s, ctx: ctx, dest: dest, msg: msg, cfg: cfg}
	// The clock is read only when something needs the start: the
	// deadline of retries, or an event's duration. A clock read can cost
	// a tenth of a local delivery; a single attempt needs none (its
	// timeout is cfg.timeout), and a failure reads the clock then.
	if cfg.retries > 0 || s.gate != nil || cfg.tel.Enabled(EventDelivered) || cfg.tel.Enabled(EventFailed) {
		r.start = time.Now()
		if cfg.timeout > 0 {
			r.deadline = r.start.Add(cfg.timeout)
		}
	}
	o, reason := r.attempts()
	if o == Delivered {
		s.stats.delivered.Add(1)
		s.emitDelivered(&r)
		return sendResult{}
	}
	f := &Error{Dest: dest, Outcome: o, Reason: reason, Attempts: r.attempt}
	return sendResult{fail: f, result: s.fail(&r, f)}
}

// run is one send in progress.
type run struct {
	s        *Sender
	ctx      context.Context
	dest     process.Dest
	msg      any
	cfg      config
	start    time.Time
	deadline time.Time // zero: none of its own
	attempt  int
	first    time.Time // the first failure
	last     time.Time // the last attempt
}

// attempts tries until delivered, a failure that is not retried, or no
// retry or time left.
func (r *run) attempts() (Outcome, error) {
	for {
		r.attempt++
		if r.attempt == 1 {
			r.last = r.start // zero unless needed; see send
		} else {
			r.last = time.Now()
		}
		o, reason := r.try()
		if o == Delivered {
			return o, nil
		}
		if r.first.IsZero() {
			r.failedFirst()
		}
		if !o.Retryable() || r.attempt > r.cfg.retries {
			return o, reason
		}
		delay := r.cfg.backoff.Delay(r.attempt)
		if !r.fits(delay) {
			return o, reason
		}
		r.s.stats.retried.Add(1)
		r.s.emitRetry(r, o, reason, delay)
		if err := sleep(r.ctx, delay); err != nil {
			return classify(err)
		}
	}
}

// failedFirst records the time of the first failure, and the start if
// the clock was not read then.
func (r *run) failedFirst() {
	r.first = time.Now()
	if r.start.IsZero() {
		r.start, r.last = r.first, r.first
	}
}

// fits reports whether waiting delay leaves time for another attempt.
func (r *run) fits(delay time.Duration) bool {
	end := time.Now().Add(delay)
	if !r.deadline.IsZero() && !end.Before(r.deadline) {
		return false
	}
	if dl, ok := r.ctx.Deadline(); ok && !end.Before(dl) {
		return false
	}
	return true
}

// sleep waits d or until ctx ends (then its error).
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// try is one attempt: the rate limit, the breaker, then the delivery.
func (r *run) try() (Outcome, error) {
	if r.s.gate != nil {
		if o, reason := r.pass(); o != Delivered {
			return o, reason
		}
	}
	if r.s.breakers == nil {
		return r.deliver()
	}
	done, err := r.s.breakers.Allow(breaker.Key(r.dest))
	if err != nil {
		return CircuitOpen, err
	}
	o, reason := r.deliver()
	switch o {
	case Delivered:
		done(breaker.Success)
	case Canceled, Rejected:
		done(breaker.Excluded) // not the destination's failure
	default:
		done(breaker.Failure)
	}
	return o, reason
}

// pass waits until the destination's rate limit lets the attempt through,
// at most until the send's deadline; Delivered means it may go on.
func (r *run) pass() (Outcome, error) {
	ctx := r.ctx
	if !r.deadline.IsZero() { // set whenever there is a timeout (see send)
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, r.deadline)
		defer cancel()
	}
	err := r.s.gate.Wait(ctx, breaker.Key(r.dest))
	switch {
	case err == nil:
		return Delivered, nil
	case r.ctx.Err() != nil:
		return classify(r.ctx.Err())
	}
	return RateLimited, err
}

func (r *run) deliver() (Outcome, error) {
	left := Infinity
	if r.cfg.timeout > 0 {
		left = r.cfg.timeout
		// With retries or a rate limit the send's deadline is set, and
		// the attempt gets only what is left of the timeout.
		if !r.deadline.IsZero() {
			if left = time.Until(r.deadline); left <= 0 {
				return TimedOut, ErrTimeout
			}
		}
	}
	if r.cfg.level == Handled {
		return classify(genserver.Deliver(r.ctx, r.dest, r.msg, left))
	}
	return enqueue(r.ctx, r.dest, r.msg, left)
}

// enqueue delivers msg to dest's mailbox if dest is a live process. A
// process of a node in another program (package cluster) is asked
// through the cluster, which answers once the message is in the mailbox
// there, bounded by timeout.
func enqueue(ctx context.Context, dest process.Dest, msg any, timeout time.Duration) (Outcome, error) {
	if err := ctx.Err(); err != nil {
		return classify(err)
	}
	pid, err := dest.Resolve()
	if err != nil {
		return classify(err)
	}
	t, err := rt.Lookup(pid)
	if err != nil {
		var local *process.Node
		var caller process.PID
		if self, ok := process.FromContext(ctx); ok {
			local, caller = self.Node(), self.PID()
		}
		if r, rpid, ok := rt.RemoteFor(local, err); ok {
			return classify(r.Deliver(ctx, dest, caller, rpid, msg, timeout, false))
		}
		return classify(err)
	}
	if !t.Alive() {
		return NoProc, process.NoProc
	}
	return classify(t.Send(msg))
}

// classify maps an attempt's error to its outcome and underlying reason.
func classify(err error) (Outcome, error) {
	if err == nil {
		return Delivered, nil
	}
	reason := err
	var ce *genserver.CallError
	isCall := errors.As(err, &ce)
	if isCall {
		reason = ce.Reason
	}
	switch {
	case errors.Is(reason, genserver.ErrTimeout), errors.Is(reason, context.DeadlineExceeded):
		return TimedOut, reason
	case errors.Is(reason, context.Canceled):
		return Canceled, reason
	case errors.Is(reason, process.ErrMailboxFull):
		return MailboxFull, reason
	case errors.Is(reason, process.ErrNodeStopped), errors.Is(reason, genserver.ErrCallingSelf):
		return Rejected, reason
	case errors.Is(reason, process.NoProc):
		return NoProc, reason
	case isCall:
		return Crashed, reason // the receiver's exit reason
	}
	return Rejected, reason
}
