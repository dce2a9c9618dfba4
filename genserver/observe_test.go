package genserver_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// mute never replies to calls.
type mute struct{}

func (mute) Init(*genserver.Self) error { return nil }
func (mute) HandleCall(s *genserver.Self, _ genserver.From, _ any) (any, error) {
	s.NoReply()
	return nil, nil
}

// TestOnCallTimeout: a call that times out, by its own timeout or by its
// context's deadline, is reported to the node's observers; a call that
// gets its reply is not.
func TestOnCallTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		var got []genserver.CallTimedOut
		genserver.OnCallTimeout(node, func(e genserver.CallTimedOut) { got = append(got, e) })
		pid, err := genserver.Start(node, mute{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := genserver.Call[any](context.Background(), pid, "x", genserver.WithTimeout(50*time.Millisecond)); !errors.Is(err, genserver.ErrTimeout) {
			t.Fatalf("Call = %v; want a timeout", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 70*time.Millisecond)
		defer cancel()
		if _, err := genserver.Call[any](ctx, pid, "y"); !errors.Is(err, genserver.ErrTimeout) {
			t.Fatalf("Call with a context deadline = %v; want a timeout", err)
		}
		want := []genserver.CallTimedOut{
			{Callee: pid, Timeout: 50 * time.Millisecond},
			{Callee: pid, Timeout: 70 * time.Millisecond},
		}
		if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
			t.Fatalf("observed %+v; want %+v", got, want)
		}
		_ = node.Exit(pid, process.Kill)
	})
}
