package ratelimit_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/time/rate"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/ratelimit"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Allow takes a token if the key has one: a burst of 2, then refusals.
func ExampleLimiter_Allow() {
	lim, _ := ratelimit.New(ratelimit.Limit{Rate: rate.Every(time.Hour), Burst: 2})
	fmt.Println(lim.Allow("alice"), lim.Allow("alice"), lim.Allow("alice"))
	fmt.Println(lim.Allow("bob"))
	// Output:
	// true true false
	// true
}

// Wait blocks until a token is due; it fails at once when the wait would
// outlast the context's deadline.
func ExampleLimiter_Wait() {
	lim, _ := ratelimit.New(ratelimit.Limit{Rate: rate.Every(time.Hour), Burst: 1})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	fmt.Println(lim.Wait(ctx, "db"))
	err := lim.Wait(ctx, "db")
	fmt.Println(errors.Is(err, ratelimit.ErrRejected), errors.Is(err, context.DeadlineExceeded))
	// Output:
	// <nil>
	// true true
}

// Reserve books a token now or later; the caller waits the delay or
// cancels.
func ExampleLimiter_Reserve() {
	lim, _ := ratelimit.New(ratelimit.Limit{Rate: 2, Burst: 1})
	first := lim.Reserve("job")
	second := lim.Reserve("job")
	fmt.Println(first.OK(), first.Delay() == 0)
	fmt.Println(second.OK(), second.Delay() > 0)
	second.Cancel()
	// Output:
	// true true
	// true true
}

// Keys may have their own limits, at New or later.
func ExampleWithLimit() {
	lim, _ := ratelimit.New(ratelimit.Limit{Rate: 1, Burst: 1},
		ratelimit.WithLimit("vip", ratelimit.Limit{Rate: 100, Burst: 3}))
	fmt.Println(lim.LimitOf("vip"), "|", lim.LimitOf("anyone"))
	_ = lim.SetLimit("anyone", ratelimit.Limit{Rate: rate.Inf})
	fmt.Println(lim.LimitOf("anyone"))
	// Output:
	// 100/s burst 3 | 1/s burst 1
	// unlimited
}

// A limit no bucket can have is a typed error.
func ExampleNew_badLimit() {
	_, err := ratelimit.New(ratelimit.Limit{Rate: -5, Burst: 1})
	var le *ratelimit.LimitError
	fmt.Println(errors.Is(err, ratelimit.ErrInvalidLimit), errors.As(err, &le))
	fmt.Println(err)
	// Output:
	// true true
	// ratelimit: invalid default limit -5/s burst 1: rate must be >= 0 or rate.Inf
}

// Refusals are emitted as telemetry events with the key.
func ExampleEventRejected() {
	reg := telemetry.New()
	_ = reg.Attach("log", []string{ratelimit.EventRejected},
		func(_ string, _ telemetry.Measurements, md telemetry.Metadata) {
			fmt.Println("rejected", md["key"], md["op"])
		})
	lim, _ := ratelimit.New(ratelimit.Limit{Rate: rate.Every(time.Hour), Burst: 1}, ratelimit.WithTelemetry(reg))
	lim.Allow("10.0.0.7")
	lim.Allow("10.0.0.7")
	fmt.Println(lim.Stats().Rejected)
	// Output:
	// rejected 10.0.0.7 allow
	// 1
}

// The janitor runs as a supervisor child; its buckets outlive it.
func ExampleLimiter_ChildSpec() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	lim, _ := ratelimit.New(ratelimit.Limit{Rate: 10, Burst: 10})
	_, err := supervisor.Start(node, supervisor.Spec{
		Flags:    supervisor.DefaultFlags(),
		Children: []supervisor.ChildSpec{lim.ChildSpec("ratelimit")},
	})
	fmt.Println(err, lim.Janitor().IsZero())
	// Output:
	// <nil> false
}

// Start runs the janitor as a root process of a node; Sweep forgets idle
// keys whose bucket is full (the janitor calls it every sweep interval).
func ExampleLimiter_Sweep() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	lim, _ := ratelimit.New(ratelimit.Limit{Rate: rate.Inf},
		ratelimit.WithIdleTimeout(time.Millisecond), ratelimit.WithSweepInterval(time.Hour))
	_, err := lim.Start(node)
	fmt.Println(err)
	lim.Allow("one-off")
	fmt.Println(lim.Stats().Keys)
	time.Sleep(5 * time.Millisecond)
	fmt.Println(lim.Sweep(), lim.Stats().Keys)
	// Output:
	// <nil>
	// 1
	// 1 0
}

// A Limiter is a send.Gate: a sender waits on it per destination
// (send.WithRateLimit does this before every attempt).
func ExampleLimiter_Wait_gate() {
	lim, _ := ratelimit.New(ratelimit.Limit{Rate: rate.Inf})
	var gate send.Gate = lim
	send := func(ctx context.Context, dest string) error {
		if err := gate.Wait(ctx, dest); err != nil {
			return err
		}
		fmt.Println("sent to", dest)
		return nil
	}
	_ = send(context.Background(), "billing")
	// Output:
	// sent to billing
}
