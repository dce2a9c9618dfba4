package timeouts_test

import (
	"errors"
	"fmt"

	"github.com/seed-fe72f376/orchard/timeouts"
)

// A bad factor is a *FactorError, which matches ErrInvalidArgument like
// every error about a caller's value.
func ExampleNew_badInput() {
	_, err := timeouts.New(timeouts.Spec{}, timeouts.WithFactor(0))
	fmt.Println(errors.Is(err, timeouts.ErrInvalidFactor), errors.Is(err, timeouts.ErrInvalidArgument))
	fmt.Println(err)
	// Output:
	// true true
	// timeouts: invalid timeout factor "0" from WithFactor: want a finite number > 0
}
