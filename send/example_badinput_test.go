package send_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
)

// A send with bad input sends nothing and returns an error matching
// ErrInvalidArgument (and ErrInvalidOption).
func ExampleSend_badInput() {
	err := send.Send(context.Background(), process.PID{}, "hello")
	fmt.Println(errors.Is(err, send.ErrInvalidArgument), errors.Is(err, send.ErrInvalidOption))
	fmt.Println(err)
	// Output:
	// true true
	// send: Sender.Send: invalid argument dest: is the zero PID
}
