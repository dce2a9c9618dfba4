package telemetry_test

import (
	"errors"
	"fmt"

	"github.com/seed-fe72f376/orchard/telemetry"
)

// An invalid handler matches both ErrInvalidHandler and
// ErrInvalidArgument.
func ExampleRegistry_Attach_badInput() {
	r := telemetry.New()
	err := r.Attach("audit", []string{"app.login", ""}, func(string, telemetry.Measurements, telemetry.Metadata) {})
	fmt.Println(errors.Is(err, telemetry.ErrInvalidHandler), errors.Is(err, telemetry.ErrInvalidArgument))
	fmt.Println(err)
	// Output:
	// true true
	// telemetry: Registry.Attach: invalid argument events[1]: is empty
}
