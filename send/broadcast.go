package send

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/seed-fe72f376/orchard/breaker"
	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Strategy is how a broadcast judges its deliveries.
type Strategy int

const (
	// AllOrNothing first checks that every recipient is a live process
	// (and that no breaker of theirs is open); if one is not, nothing is
	// sent to anyone and the broadcast fails with [ErrAborted]. Then it
	// sends to each; a delivery that fails after the check makes it fail
	// with [ErrIncomplete] (messages already delivered stay delivered).
	AllOrNothing Strategy = iota
	// BestEffort sends to every recipient and reports a result for each;
	// it returns no error of its own.
	BestEffort
	// AtLeastOne sends to every recipient and fails with
	// [ErrNoneDelivered] only if none was reached.
	AtLeastOne
)

// String returns the strategy's snake_case name (Foundation's atom).
func (s Strategy) String() string {
	switch s {
	case AllOrNothing:
		return "all_or_nothing"
	case BestEffort:
		return "best_effort"
	case AtLeastOne:
		return "at_least_one"
	}
	return "Strategy(" + strconv.Itoa(int(s)) + ")"
}

// Result is one recipient's outcome in a broadcast: Err is nil when the
// message was delivered, else the send's *[Error] (whatever OnError did
// with it) or [ErrNotSent] when an aborted broadcast skipped it.
type Result struct {
	Dest process.Dest
	Err  error
}

// BroadcastError is a broadcast that failed by its strategy. It matches
// [ErrAborted], [ErrIncomplete] or [ErrNoneDelivered] (Err) and carries
// every recipient's result.
type BroadcastError struct {
	Strategy Strategy
	Err      error
	Results  []Result
}

func (e *BroadcastError) Error() string {
	failed := 0
	for _, r := range e.Results {
		if r.Err != nil {
			failed++
		}
	}
	return fmt.Sprintf("%v (%v, %d of %d recipients not reached)", e.Err, e.Strategy, failed, len(e.Results))
}

// Unwrap returns the strategy's sentinel.
func (e *BroadcastError) Unwrap() error { return e.Err }

// Broadcast sends msg to recipients with the default Sender; see
// [Sender.Broadcast].
func Broadcast(ctx context.Context, recipients []process.Dest, msg any, strategy Strategy, opts ...Option) ([]Result, error) {
	return defaultSender.Broadcast(ctx, recipients, msg, strategy, opts...)
}

// Broadcast sends msg to every recipient, one after the other in order,
// each as [Sender.Send] would with opts (OnError applies to each failed
// recipient), and judges the results by strategy. It returns one [Result]
// per recipient, in order, and a *[BroadcastError] when the strategy
// failed. It blocks until every send finished; each is bounded by its
// timeout and ctx.
func (s *Sender) Broadcast(ctx context.Context, recipients []process.Dest, msg any, strategy Strategy, opts ...Option) ([]Result, error) {
	const op = "send: Sender.Broadcast"
	if !s.usable() {
		return nil, invalidOption(op, "receiver", "is nil or not made by New")
	}
	if msg == nil {
		return nil, invalidOption(op, "msg", "is nil")
	}
	if strategy < AllOrNothing || strategy > AtLeastOne {
		return nil, invalidOption("send: Sender.Broadcast", "strategy", "unknown strategy "+strconv.Itoa(int(strategy)))
	}
	cfgs := make([]config, len(recipients))
	for i, dest := range recipients {
		cfg, err := s.configure(op, ctx, dest, opts)
		if err != nil {
			return nil, err
		}
		cfgs[i] = cfg
	}
	start := time.Now()
	if strategy == AllOrNothing {
		if results, ok := s.precheck(recipients); !ok {
			err := &BroadcastError{Strategy: strategy, Err: ErrAborted, Results: results}
			s.stats.aborted.Add(1)
			s.emitBroadcast(ctx, strategy, cfgs, results, start, true)
			return results, err
		}
	}
	results := make([]Result, len(recipients))
	for i, dest := range recipients {
		results[i] = Result{Dest: dest}
		if o := s.send(ctx, dest, msg, cfgs[i]); o.fail != nil {
			results[i].Err = o.fail
		}
	}
	s.emitBroadcast(ctx, strategy, cfgs, results, start, false)
	return results, judge(strategy, results)
}

// precheck is AllOrNothing's check before sending: every recipient
// resolves to a live process whose breaker is not open.
func (s *Sender) precheck(recipients []process.Dest) ([]Result, bool) {
	results := make([]Result, len(recipients))
	ok := true
	for i, dest := range recipients {
		results[i] = Result{Dest: dest, Err: ErrNotSent}
		if o, reason := s.available(dest); o != Delivered {
			results[i].Err = &Error{Dest: dest, Outcome: o, Reason: reason}
			ok = false
		}
	}
	return results, ok
}

// available reports Delivered when dest is a live process now and its
// breaker (if any) is not open, else why not.
func (s *Sender) available(dest process.Dest) (Outcome, error) {
	pid, err := dest.Resolve()
	if err != nil {
		return classify(err)
	}
	t, err := rt.Lookup(pid)
	if err != nil {
		return classify(err)
	}
	if !t.Alive() {
		return NoProc, process.NoProc
	}
	if s.breakers != nil {
		// State, not Get: a check must not create a breaker per PID.
		if st, ok := s.breakers.State(breaker.Key(dest)); ok && st == breaker.Open {
			return CircuitOpen, &breaker.OpenError{Key: breaker.Key(dest), State: breaker.Open}
		}
	}
	return Delivered, nil
}

// judge applies the strategy to the results of the sends.
func judge(strategy Strategy, results []Result) error {
	delivered := 0
	for _, r := range results {
		if r.Err == nil {
			delivered++
		}
	}
	switch {
	case strategy == AllOrNothing && delivered < len(results):
		return &BroadcastError{Strategy: strategy, Err: ErrIncomplete, Results: results}
	case strategy == AtLeastOne && delivered == 0:
		return &BroadcastError{Strategy: strategy, Err: ErrNoneDelivered, Results: results}
	}
	return nil
}

// emitBroadcast publishes EventBroadcast on the registry of the first
// recipient's send (see configure: the Sender's, else the node's), or for
// no recipient the Sender's, else the calling process's node's.
func (s *Sender) emitBroadcast(ctx context.Context, strategy Strategy, cfgs []config, results []Result, start time.Time, aborted bool) {
	tel := s.tel
	switch {
	case len(cfgs) > 0:
		tel = cfgs[0].tel
	case tel == nil:
		var n *process.Node
		if self, ok := process.FromContext(ctx); ok {
			n = self.Node()
		}
		tel = nodeenv.Telemetry(n)
	}
	if !tel.Enabled(EventBroadcast) {
		return
	}
	delivered := 0
	for _, r := range results {
		if r.Err == nil {
			delivered++
		}
	}
	level := Enqueued
	if len(cfgs) > 0 {
		level = cfgs[0].level
	}
	tel.Execute(EventBroadcast, telemetry.Measurements{
		"recipients": float64(len(results)), "delivered": float64(delivered),
		"failed": float64(len(results) - delivered), "duration": time.Since(start).Seconds(),
	}, telemetry.Metadata{"strategy": strategy.String(), "level": level.String(), "aborted": aborted})
}
