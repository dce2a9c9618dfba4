package rt_test

import (
	"slices"
	"testing"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// waitCounter is a handler that, once released, records how many
// messages wait behind each one it handles.
type waitCounter struct {
	release chan struct{}
	seen    chan int
}

func (w *waitCounter) HandleMessage(p *process.Proc, m process.Msg) error {
	if m == "block" {
		<-w.release
	}
	w.seen <- rt.Waiting(p)
	return nil
}

// TestWaitingCountsMessagesBehind: a handler sees how many messages wait
// behind the one it handles, whether its mailbox is bounded (counted per
// message) or not (counted per batch).
func TestWaitingCountsMessagesBehind(t *testing.T) {
	for name, opts := range map[string][]process.SpawnOption{
		"unbounded": nil,
		"bounded":   {process.WithMailbox(100, process.RejectWhenFull())},
	} {
		t.Run(name, func(t *testing.T) {
			n := otptest.NewNode(t)
			w := &waitCounter{release: make(chan struct{}), seen: make(chan int, 10)}
			pid, err := n.SpawnHandler(w, opts...)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range []process.Msg{"block", 1, 2, 3} {
				if err := n.Send(pid, m); err != nil {
					t.Fatal(err)
				}
			}
			close(w.release)
			var got []int
			for range 4 {
				got = append(got, <-w.seen)
			}
			if !slices.Equal(got, []int{3, 2, 1, 0}) {
				t.Fatalf("Waiting = %v; want [3 2 1 0]", got)
			}
			if rt.Waiting(nil) != 0 {
				t.Fatal("Waiting(nil) != 0")
			}
		})
	}
}
