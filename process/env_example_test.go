package process_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/timeouts"
)

// silent is a server that never answers calls.
type silent struct{}

func (silent) Init(*genserver.Self) error { return nil }

func (silent) HandleCall(s *genserver.Self, _ genserver.From, _ any) (any, error) {
	s.NoReply()
	return nil, nil
}

// ExampleConfig_timeouts gives a node its own timeout configuration: a
// call to one of its servers without a deadline waits the node's
// "genserver.call" timeout, not timeouts.Default()'s. A negative
// duration in a Config is bad input.
func ExampleConfig_timeouts() {
	cfg, err := timeouts.New(timeouts.Spec{Operations: map[string]time.Duration{"genserver.call": 20 * time.Millisecond}},
		timeouts.WithFactor(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	node, err := process.NewNode(process.Config{Timeouts: cfg, Logger: slog.New(slog.DiscardHandler)})
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
	_, err = process.NewNode(process.Config{StopGrace: -time.Second})
	fmt.Println(errors.Is(err, process.ErrInvalidArgument))
	// Output:
	// true 20ms
	// true
}

// messages is a slog handler that prints each record's message and its
// errorContext attribute, if any: enough to show where a report went.
type messages struct{}

func (messages) Enabled(context.Context, slog.Level) bool { return true }

func (messages) Handle(_ context.Context, r slog.Record) error {
	line := r.Level.String() + " " + r.Message
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "errorContext" {
			line += " " + a.Value.String()
		}
		return true
	})
	fmt.Println(line)
	return nil
}

func (h messages) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h messages) WithGroup(string) slog.Handler      { return h }

// ExampleConfig_logger gives a node its own logger: a supervisor on the
// node given no logger of its own reports through it, not slog.Default().
func ExampleConfig_logger() {
	node, err := process.NewNode(process.Config{Logger: slog.New(messages{})})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer node.Stop(context.Background())
	failing := func(*process.Proc) (process.PID, error) { return process.PID{}, errors.New("no database") }
	_, err = supervisor.Start(node, supervisor.Spec{Children: []supervisor.ChildSpec{{ID: "db", Start: failing}}})
	fmt.Println(err != nil)
	// Output:
	// ERROR supervisor report start_error
	// true
}
