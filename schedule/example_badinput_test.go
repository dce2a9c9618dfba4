package schedule_test

import (
	"errors"
	"fmt"

	"github.com/seed-fe72f376/orchard/schedule"
)

// Bad input is an error matching ErrInvalidArgument, never a panic:
// here, registering a type on a nil codec.
func ExampleRegister_badInput() {
	var c *schedule.Codec
	err := schedule.Register[string](c, "greeting")
	fmt.Println(errors.Is(err, schedule.ErrInvalidArgument))
	fmt.Println(err)
	// Output:
	// true
	// schedule: Register: invalid argument c: is nil
}
