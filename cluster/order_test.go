package cluster_test

import (
	"context"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/send"
)

// TestSendsAndRequestsKeepOrder: plain sends travel in batches and
// confirmed sends as requests of their own; interleaved, they still
// reach the remote process in the order they were made, and so do
// signals behind messages.
func TestSendsAndRequestsKeepOrder(t *testing.T) {
	a := startLocal(t, "ord-a", cluster.Config{})
	startChild(t, "ord-b", []string{a.RouteURL()})
	awaitUp(t, a, "ord-b")
	awaitSeen(t, a, "ord-b", "ord-a")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	relayPID, err := a.RemoteName("ord-b", "relay").Resolve()
	if err != nil {
		t.Fatal(err)
	}
	pr := otptest.NewProbe(t, a.Process())
	const n = 300
	for i := range n {
		ping := Ping{Seq: i, ReplyTo: cluster.Wire(pr.PID())}
		if i%7 == 3 {
			err = send.Send(ctx, relayPID, ping, send.WithConfirm(send.Enqueued), send.WithTimeout(5*time.Second))
		} else {
			err = pr.Send(relayPID, ping)
		}
		if err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	for i := range n {
		if got := pr.Expect(t, 10*time.Second); got != i {
			t.Fatalf("message %d = %v; want %d (a confirmed send overtook plain sends, or the reverse)", i, got, i)
		}
	}
}
