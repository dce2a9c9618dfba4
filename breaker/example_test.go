package breaker_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/breaker"
)

// A breaker opens after repeated failures and refuses requests.
func ExampleSet() {
	settings := breaker.DefaultSettings()
	settings.FailureThreshold = 2
	set, _ := breaker.NewSet(settings)

	b := set.Get("payments")
	for range 3 {
		err := b.Execute(func() error { return errors.New("gateway down") })
		fmt.Println(err, "| state:", b.State())
	}
	// Output:
	// gateway down | state: closed
	// gateway down | state: open
	// breaker: circuit "payments" is open | state: open
}

// Allow and done split a request in two steps, for outcomes known
// elsewhere.
func ExampleBreaker_Allow() {
	set, _ := breaker.NewSet(breaker.Settings{FailureThreshold: 1, OpenTimeout: time.Minute, HalfOpenMaxRequests: 1})
	b := set.Get("db")
	done, err := b.Allow()
	fmt.Println(err)
	done(breaker.Failure) // the request failed
	_, err = b.Allow()
	fmt.Println(errors.Is(err, breaker.ErrOpen))
	// Output:
	// <nil>
	// true
}

// State reads a breaker's state without creating one, and Sweep forgets
// breakers that protect nothing (closed and idle).
func ExampleSet_Sweep() {
	set, _ := breaker.NewSet(breaker.Settings{FailureThreshold: 1, OpenTimeout: time.Minute, HalfOpenMaxRequests: 1})
	_ = set.Get("pid:<1.42>").Execute(func() error { return nil })
	_ = set.Get("pid:<1.43>").Execute(func() error { return errors.New("down") })
	fmt.Println(set.State("pid:<1.99>"))
	fmt.Println(set.Sweep(0), set.Keys())
	// Output:
	// closed false
	// 1 [pid:<1.43>]
}

// A supervised janitor sweeps idle breakers every Every.
func ExampleSet_ChildSpec() {
	set, _ := breaker.NewSet(breaker.DefaultSettings())
	spec := set.ChildSpec("breaker-janitor", breaker.Janitor{Every: time.Minute, IdleFor: 10 * time.Minute})
	fmt.Println(spec.ID, spec.Restart, spec.Type)
	// Output: breaker-janitor permanent worker
}
