package genserver_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

// busy is a server whose "slow" call waits until release is closed.
type busy struct{ started, release chan struct{} }

func (busy) Init(*genserver.Self) error { return nil }
func (b busy) HandleCall(_ *genserver.Self, _ genserver.From, req any) (any, error) {
	if req == "slow" {
		close(b.started)
		<-b.release
	}
	return req, nil
}

// A server that admits one waiting call refuses the next at once with
// ErrOverloaded, instead of letting it wait out its timeout. A call that
// timed out keeps its place until the server drops it.
func ExampleWithAdmission() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	b := busy{started: make(chan struct{}), release: make(chan struct{})}
	pid, _ := genserver.Start(node, b, genserver.WithAdmission(genserver.Admission{MaxQueue: 1}))

	slow := make(chan error, 1)
	go func() { _, err := genserver.Call[any](context.Background(), pid, "slow"); slow <- err }()
	<-b.started // being handled: it no longer counts as waiting

	_, err := genserver.Call[any](context.Background(), pid, "waits", genserver.WithTimeout(10*time.Millisecond))
	fmt.Println("timed out:", errors.Is(err, genserver.ErrTimeout))
	_, err = genserver.Call[any](context.Background(), pid, "one too many")
	fmt.Println("refused:", errors.Is(err, genserver.ErrOverloaded))

	close(b.release)
	<-slow
	_, err = genserver.Call[any](context.Background(), pid, "caught up")
	fmt.Println(err, "dropped:", genserver.Dropped(node))
	// Output:
	// timed out: true
	// refused: true
	// <nil> dropped: 1
}
