package send_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/send"
)

// stuckInfo is a server whose HandleInfo waits until its context ends.
type stuckInfo struct{}

func (stuckInfo) Init(*genserver.Self) error { return nil }
func (stuckInfo) HandleInfo(s *genserver.Self, _ any) error {
	<-s.Context().Done()
	return nil
}

// TestSendFromHandlerInheritsDeadline: a supervised send made from a
// handler with its context (and a timeout of its own far longer) ends at
// the deadline of the call the handler serves, and the handler of the
// delivery sees that deadline too.
func TestSendFromHandlerInheritsDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		sink, err := genserver.Start(node, stuckInfo{})
		if err != nil {
			t.Fatal(err)
		}
		begin := time.Now()
		sent := make(chan time.Duration, 1)
		relay, err := genserver.Start(node, callFunc(func(s *genserver.Self, req any) (any, error) {
			err := send.Send(s.Context(), sink, req, send.WithConfirm(send.Handled), send.WithTimeout(time.Hour))
			sent <- time.Since(begin)
			return nil, err
		}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = genserver.Call[any](context.Background(), relay, "x", genserver.WithTimeout(200*time.Millisecond))
		if !(errors.Is(err, genserver.ErrTimeout) || errors.Is(err, context.DeadlineExceeded)) {
			t.Fatalf("Call = %v; want a timeout", err)
		}
		if d := <-sent; d != 200*time.Millisecond {
			t.Fatalf("the handler's send ended after %v; want 200ms, the caller's deadline", d)
		}
	})
}

// callFunc is a server whose HandleCall is the function.
type callFunc func(s *genserver.Self, req any) (any, error)

func (callFunc) Init(*genserver.Self) error { return nil }
func (f callFunc) HandleCall(s *genserver.Self, _ genserver.From, req any) (any, error) {
	return f(s, req)
}
