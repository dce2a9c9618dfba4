package genserver_test

import (
	"context"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

// forward is a server that passes each call on to next, with the context
// of its handler.
type forward struct{ next process.PID }

func (forward) Init(*genserver.Self) error { return nil }
func (f forward) HandleCall(s *genserver.Self, _ genserver.From, req any) (any, error) {
	return genserver.Call[any](s.Context(), f.next, req)
}

// deadlineTeller replies with the deadline its handler's context carries.
type deadlineTeller struct{}

func (deadlineTeller) Init(*genserver.Self) error { return nil }
func (deadlineTeller) HandleCall(s *genserver.Self, _ genserver.From, _ any) (any, error) {
	dl, _ := s.Context().Deadline()
	return dl, nil
}

// A request carries its caller's deadline: the handler's context has it,
// and a call made with that context inherits it, so the last server of a
// chain knows when the first caller stops waiting.
func ExampleSelf_Context() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	last, _ := genserver.Start(node, deadlineTeller{})
	first, _ := genserver.Start(node, forward{next: last})

	deadline := time.Now().Add(time.Minute)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	seen, err := genserver.Call[time.Time](ctx, first, "when?")
	fmt.Println(seen.Equal(deadline), err)
	// Output: true <nil>
}

// A server started with HandleAbandoned handles every call, even one
// whose caller has given up, as OTP does; by default such a call is
// dropped unhandled and counted.
func ExampleHandleAbandoned() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	pid, _ := genserver.Start(node, deadlineTeller{}, genserver.HandleAbandoned())
	_, err := genserver.Call[time.Time](context.Background(), pid, "when?")
	fmt.Println(err, genserver.Dropped(node))
	// Output: <nil> 0
}
