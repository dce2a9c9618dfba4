package agent

import (
	"context"
	"time"
)

// Directive is an effect an action asks for, carried out by the runtime
// under supervision after the action returned: Emit, Spawn, Schedule,
// Stop, or Offload. The set is closed.
type Directive interface{ isDirective() }

// Emit publishes Signal on the system's bus (delivered by supervised send
// from a supervised task, so the agent never waits on its own delivery).
type Emit struct{ Signal Signal }

// Spawn registers Config as a child agent and starts it under the
// spawning agent's own dynamic supervisor (started on first use). The
// child is Temporary there: its crash is recorded and does not restart it
// or take the parent down; it stops when its parent stops.
type Spawn struct{ Config Config }

// Schedule runs Action with Input on this agent later, through the
// system's scheduler (package schedule): once After a delay, Every
// interval, or on a Cron expression; exactly one of them must be set.
// Schedules outlive hibernation (a scheduled run wakes the agent) and
// are cancelled when the agent is stopped.
type Schedule struct {
	Action string
	Input  any
	After  time.Duration
	Every  time.Duration
	Cron   string
}

// Stop stops the agent once the action's reply is sent, after a snapshot
// and cancelling its schedules; a nil Reason is a normal stop (the agent
// is not restarted, its status becomes stopped).
type Stop struct{ Reason error }

func (Emit) isDirective()     {}
func (Spawn) isDirective()    {}
func (Schedule) isDirective() {}
func (Stop) isDirective()     {}
func (offload) isDirective()  {}

// offload is the Directive built by Offload.
type offload struct {
	run  func(ctx context.Context) (any, string)
	then string
}

// TaskResult is the input of the action that receives the outcome of an
// Offload: Value, or Err (the error's text) when the work failed.
type TaskResult[T any] struct {
	Value T      `json:"value"`
	Err   string `json:"err,omitempty"`
}

// Offload runs fn in a supervised task (package task) so the agent stays
// responsive, then runs the agent's action then with a TaskResult[T] as
// input. fn's ctx is cancelled when the system stops.
func Offload[T any](fn func(ctx context.Context) (T, error), then string) Directive {
	return offload{then: then, run: func(ctx context.Context) (any, string) {
		v, err := fn(ctx)
		r := TaskResult[T]{Value: v}
		if err != nil {
			r.Err = err.Error()
		}
		return r, r.Err
	}}
}
