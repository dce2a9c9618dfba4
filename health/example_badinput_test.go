package health_test

import (
	"errors"
	"fmt"

	"github.com/seed-fe72f376/orchard/health"
	"github.com/seed-fe72f376/orchard/process"
)

// Handler refuses what would make a probe endpoint unable to ask its
// monitors, instead of answering "ok".
func ExampleHandler_badInput() {
	_, err := health.Handler(health.Readiness, []process.Dest{nil})
	fmt.Println(errors.Is(err, health.ErrInvalidArgument))
	var ae *health.ArgumentError
	if errors.As(err, &ae) {
		fmt.Println(ae.Op, "|", ae.Arg, "|", ae.Reason)
	}
	// Output:
	// true
	// health: Handler | sources[0] | is nil
}
