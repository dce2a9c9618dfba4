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

// stuckInfo is a server whose HandleInfo reports its context's deadline
// and then waits until released: its delivery is never acknowledged
// before the test ends, so only the sender's deadline can end the send.
// (A handler that returned when its context ended would acknowledge at
// the very instant the sender's deadline passes, and either may come
// first.)
type stuckInfo struct {
	deadline chan time.Time
	release  chan struct{}
}

func (stuckInfo) Init(*genserver.Self) error { return nil }
func (x stuckInfo) HandleInfo(s *genserver.Self, _ any) error {
	dl, _ := s.Context().Deadline()
	x.deadline <- dl
	<-x.release
	return nil
}

// TestSendFromHandlerInheritsDeadline: a supervised send made from a
// handler with its context (and a timeout of its own far longer) ends at
// the deadline of the call the handler serves, and the handler of the
// delivery sees that deadline too.
func TestSendFromHandlerInheritsDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		x := stuckInfo{deadline: make(chan time.Time, 1), release: make(chan struct{})}
		defer close(x.release)
		sink, err := genserver.Start(node, x)
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
		if dl := <-x.deadline; !dl.Equal(begin.Add(200 * time.Millisecond)) {
			t.Fatalf("the delivery's handler saw the deadline %v; want %v", dl.Sub(begin), 200*time.Millisecond)
		}
	})
}

// callFunc is a server whose HandleCall is the function.
type callFunc func(s *genserver.Self, req any) (any, error)

func (callFunc) Init(*genserver.Self) error { return nil }
func (f callFunc) HandleCall(s *genserver.Self, _ genserver.From, req any) (any, error) {
	return f(s, req)
}
