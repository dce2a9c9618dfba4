package send_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/breaker"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// printer is a GenServer that prints every message HandleInfo gets.
type printer struct{ name string }

func (*printer) Init(*genserver.Self) error { return nil }

func (p *printer) HandleInfo(_ *genserver.Self, msg any) error {
	fmt.Printf("%s handled %v\n", p.name, msg)
	return nil
}

// Enqueued (the default) confirms that a live process's mailbox accepted
// the message.
func ExampleSend_enqueued() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	got := make(chan any, 1)
	pid, _ := node.Spawn(func(p *process.Proc) error {
		msg, err := p.Receive(p.Context())
		got <- msg
		return err
	})

	err := send.Send(context.Background(), pid, "hello")
	fmt.Println("send:", err)
	fmt.Println("received:", <-got)
	// Output:
	// send: <nil>
	// received: hello
}

// Handled waits until the receiving GenServer's HandleInfo returned.
func ExampleSend_handled() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	pid, _ := genserver.Start(node, &printer{name: "audit"})

	err := send.Send(context.Background(), pid, "event 1", send.WithConfirm(send.Handled))
	fmt.Println("send:", err)
	// Output:
	// audit handled event 1
	// send: <nil>
}

// A send to a name nobody holds fails with ErrNoProc, after its retries.
func ExampleSend_noProc() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	err := send.Send(context.Background(), node.Name("missing"), "hello",
		send.WithRetries(2),
		send.WithBackoff(send.Backoff{Initial: time.Millisecond, Max: 5 * time.Millisecond, Multiplier: 2}))
	var se *send.Error
	fmt.Println(errors.Is(err, send.ErrNoProc), errors.As(err, &se) && se.Attempts == 3)
	// Output: true true
}

// memorySink is a DeadLetterSink keeping letters in memory.
type memorySink struct{ letters []send.Letter }

func (m *memorySink) DeadLetter(_ context.Context, l send.Letter) error {
	m.letters = append(m.letters, l)
	return nil
}

// OnError DeadLetter hands what could not be delivered to a sink.
func ExampleWithOnError() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	sink := &memorySink{}
	s, _ := send.New(send.WithDeadLetterSink(sink), send.WithTelemetry(telemetry.New()))

	err := s.Send(context.Background(), node.Name("billing"), "invoice 7",
		send.WithOnError(send.DeadLetter), send.WithMetadata(map[string]string{"tenant": "acme"}))
	l := sink.letters[0]
	fmt.Println(errors.Is(err, send.ErrNoProc))
	fmt.Println(l.Dest, l.Msg, l.Metadata["tenant"], l.Attempts)
	fmt.Printf("%+v\n", s.Stats())
	// Output:
	// true
	// billing invoice 7 acme 1
	// {Sent:1 Delivered:0 Failed:1 Retried:0 DeadLettered:1 Ignored:0 Aborted:0}
}

// A Sender with breakers stops sending to a destination that keeps
// failing.
func ExampleWithBreakers() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	settings := breaker.DefaultSettings()
	settings.FailureThreshold = 2
	set, _ := breaker.NewSet(settings)
	s, _ := send.New(send.WithBreakers(set))

	for range 3 {
		err := s.Send(context.Background(), node.Name("flaky"), "ping")
		var se *send.Error
		errors.As(err, &se)
		fmt.Println(se.Outcome)
	}
	// Output:
	// noproc
	// noproc
	// circuit_open
}

// AllOrNothing sends nothing when one recipient is dead.
func ExampleBroadcast_allOrNothing() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	a, _ := genserver.Start(node, &printer{name: "a"})
	b, _ := genserver.Start(node, &printer{name: "b"})
	_ = genserver.Stop(b, nil, time.Second)

	results, err := send.Broadcast(context.Background(), []process.Dest{a, b}, "news",
		send.AllOrNothing, send.WithConfirm(send.Handled))
	fmt.Println(errors.Is(err, send.ErrAborted))
	fmt.Println(errors.Is(results[0].Err, send.ErrNotSent), errors.Is(results[1].Err, send.ErrNoProc))
	// Output:
	// true
	// true true
}

// BestEffort delivers to whoever it can and reports each result.
func ExampleBroadcast_bestEffort() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	a, _ := genserver.Start(node, &printer{name: "a"})

	results, err := send.Broadcast(context.Background(), []process.Dest{a, node.Name("gone")}, "news",
		send.BestEffort, send.WithConfirm(send.Handled))
	fmt.Println(err, results[0].Err, errors.Is(results[1].Err, send.ErrNoProc))
	// Output:
	// a handled news
	// <nil> <nil> true
}

// AtLeastOne succeeds if any recipient was reached.
func ExampleBroadcast_atLeastOne() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	b, _ := genserver.Start(node, &printer{name: "b"})

	_, err := send.Broadcast(context.Background(), []process.Dest{node.Name("gone"), b}, "news",
		send.AtLeastOne, send.WithConfirm(send.Handled))
	fmt.Println("first:", err)
	_, err = send.Broadcast(context.Background(), []process.Dest{node.Name("gone")}, "news", send.AtLeastOne)
	fmt.Println("second:", errors.Is(err, send.ErrNoneDelivered))
	// Output:
	// b handled news
	// first: <nil>
	// second: true
}
