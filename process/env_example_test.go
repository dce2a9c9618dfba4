package process_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/timeouts"
)

// silent is a server that never answers calls.
type silent struct{}

func (silent) Init(*genserver.Self) error { return nil }

func (silent) HandleCall(s *genserver.Self, _ genserver.From, _ any) (any, error) {
	s.NoReply()
	return nil, nil
}

// ExampleWithTimeouts gives a node its own timeout configuration: a call
// to one of its servers without a deadline waits the node's
// "genserver.call" timeout, not timeouts.Default()'s.
func ExampleWithTimeouts() {
	cfg, err := timeouts.New(timeouts.Spec{Operations: map[string]time.Duration{"genserver.call": 20 * time.Millisecond}},
		timeouts.WithFactor(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	node, err := process.NewNode(process.WithTimeouts(cfg), process.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer node.Stop(context.Background())
	pid, err := genserver.Start(node, &silent{})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = genserver.Call[any](context.Background(), pid, "hello")
	var ce *genserver.CallError
	fmt.Println(errors.As(err, &ce) && errors.Is(err, genserver.ErrTimeout), ce.Timeout)
	_, err = process.NewNode(process.WithTimeouts(nil))
	fmt.Println(errors.Is(err, process.ErrInvalidArgument))
	// Output:
	// true 20ms
	// true
}
