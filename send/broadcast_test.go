package send_test

import (
	"context"
	"errors"
	"testing"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
)

// handledCount returns how many messages each inbox handled.
func handledCount(boxes []*inbox) []int {
	out := make([]int, len(boxes))
	for i, b := range boxes {
		out[i] = len(b.messages())
	}
	return out
}

func TestBroadcast(t *testing.T) {
	for _, tc := range []struct {
		name     string
		strategy send.Strategy
		dead     []bool // which recipients are dead
		wantErr  error  // nil: success
		wantGot  []int  // messages handled per live recipient
	}{
		{"all_or_nothing/all live", send.AllOrNothing, []bool{false, false, false}, nil, []int{1, 1, 1}},
		{"all_or_nothing/one dead", send.AllOrNothing, []bool{false, true, false}, send.ErrAborted, []int{0, 0, 0}},
		{"best_effort/all live", send.BestEffort, []bool{false, false}, nil, []int{1, 1}},
		{"best_effort/one dead", send.BestEffort, []bool{true, false}, nil, []int{0, 1}},
		{"at_least_one/one live", send.AtLeastOne, []bool{true, false, true}, nil, []int{0, 1, 0}},
		{"at_least_one/none live", send.AtLeastOne, []bool{true, true}, send.ErrNoneDelivered, []int{0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			node := otptest.NewNode(t)
			boxes := make([]*inbox, len(tc.dead))
			dests := make([]process.Dest, len(tc.dead))
			for i, dead := range tc.dead {
				boxes[i] = &inbox{}
				if dead {
					dests[i] = deadPID(t, node)
				} else {
					dests[i] = startInbox(t, node, boxes[i])
				}
			}
			s := newSender(t)
			results, err := s.Broadcast(context.Background(), dests, "news", tc.strategy, send.WithConfirm(send.Handled))
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("Broadcast(%v) = %v; want %v", tc.strategy, err, tc.wantErr)
			}
			if len(results) != len(dests) {
				t.Fatalf("got %d results; want %d", len(results), len(dests))
			}
			for i, r := range results {
				if r.Dest != dests[i] {
					t.Errorf("result %d is for %v; want %v", i, r.Dest, dests[i])
				}
				switch {
				case tc.dead[i] && !errors.Is(r.Err, send.ErrNoProc):
					t.Errorf("result %d = %v; want ErrNoProc", i, r.Err)
				case !tc.dead[i] && tc.wantErr == send.ErrAborted && !errors.Is(r.Err, send.ErrNotSent):
					t.Errorf("result %d = %v; want ErrNotSent", i, r.Err)
				case !tc.dead[i] && tc.wantErr != send.ErrAborted && r.Err != nil:
					t.Errorf("result %d = %v; want delivered", i, r.Err)
				}
			}
			// Handled: every delivery that succeeded has been handled.
			got := handledCount(boxes)
			for i := range got {
				if got[i] != tc.wantGot[i] {
					t.Fatalf("handled per recipient = %v; want %v", got, tc.wantGot)
				}
			}
		})
	}
}

func TestBroadcastAbortedSendsNothing(t *testing.T) {
	node := otptest.NewNode(t)
	live := otptest.NewProbe(t, node)
	dead := deadPID(t, node)
	s := newSender(t)
	_, err := s.Broadcast(context.Background(), []process.Dest{live.PID(), dead}, "news", send.AllOrNothing)
	var be *send.BroadcastError
	if !errors.As(err, &be) || !errors.Is(err, send.ErrAborted) || be.Strategy != send.AllOrNothing {
		t.Fatalf("Broadcast = %v; want an aborted *BroadcastError", err)
	}
	// A marker sent after the broadcast is the first message: nothing
	// else was sent.
	if err := s.Send(context.Background(), live.PID(), "marker"); err != nil {
		t.Fatal(err)
	}
	if got := live.Expect(t, waitTimeout); got != "marker" {
		t.Fatalf("first message = %v; want marker (nothing from the broadcast)", got)
	}
	if st := s.Stats(); st.Sent != 1 || st.Aborted != 1 {
		t.Fatalf("Stats = %+v; want only the marker sent and one broadcast aborted", st)
	}
}

func TestBroadcastEnqueuedDefault(t *testing.T) {
	node := otptest.NewNode(t)
	a, b := otptest.NewProbe(t, node), otptest.NewProbe(t, node)
	results, err := send.Broadcast(context.Background(), []process.Dest{a.PID(), b.PID()}, "hi", send.BestEffort)
	if err != nil || results[0].Err != nil || results[1].Err != nil {
		t.Fatalf("Broadcast = %v, %v; want all delivered", results, err)
	}
	if a.Expect(t, waitTimeout) != "hi" || b.Expect(t, waitTimeout) != "hi" {
		t.Fatal("a recipient did not get the message")
	}
}
