package cluster_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
)

// lostBound is how soon after a SIGKILL a request to the killed node
// must fail: the node is declared down within 1.5 s by default; the rest
// is slack for a loaded machine. The requests' own timeout is 30 s.
const lostBound = 6 * time.Second

// TestRequestNodeKilled makes a remote call and a supervised send
// awaiting Handled to a server on a node in another OS process, kills
// that node with SIGKILL while the server is blocked handling the
// request, and checks that the request fails with NoConnection as soon
// as the node is declared down, long before its 30 s timeout (OTP's
// gen:call monitors the callee: a lost node is noconnection at once);
// the supervised send dead-letters its message.
func TestRequestNodeKilled(t *testing.T) {
	a := startLocal(t, "a", cluster.Config{})
	for _, tc := range []struct {
		name string
		// supervised: a send.Send awaiting Handled, dead-lettering on
		// failure; else a genserver.Call.
		supervised bool
	}{{name: "call"}, {name: "deliver", supervised: true}} {
		t.Run(tc.name, func(t *testing.T) {
			do := func(ctx context.Context, to process.PID, p Ping) error {
				_, err := genserver.Call[any](ctx, to, p, genserver.WithTimeout(30*time.Second))
				var ce *genserver.CallError
				if err != nil && !errors.As(err, &ce) {
					t.Errorf("Call error %v (%T) is not a *genserver.CallError", err, err)
				}
				return err
			}
			var q *deadletter.Queue
			if tc.supervised {
				var err error
				q, err = deadletter.New(a.Process(), deadletter.NewMemoryStore())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() {
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					defer cancel()
					_ = q.Close(ctx)
				})
				sender, err := send.New(send.WithDeadLetterSink(q))
				if err != nil {
					t.Fatal(err)
				}
				do = func(ctx context.Context, to process.PID, p Ping) error {
					return sender.Send(ctx, to, p, send.WithConfirm(send.Handled), send.WithTimeout(30*time.Second),
						send.WithRetries(1), send.WithOnError(send.DeadLetter))
				}
			}
			name := "k" + tc.name
			b := startChild(t, name, []string{a.RouteURL()})
			awaitUp(t, a, name)
			awaitSeen(t, a, name, "a") // b's answer to the probe needs a up at b
			echoPID, err := a.RemoteName(name, "echo").Resolve()
			if err != nil {
				t.Fatalf("Resolve(echo@%s) = %v", name, err)
			}
			handling := make(chan struct{})
			probe, err := a.Process().Spawn(func(p *process.Proc) error {
				if _, err := p.Receive(p.Context()); err == nil {
					close(handling)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- do(ctx, echoPID, Ping{Seq: -1, ReplyTo: cluster.Wire(probe)}) }()
			select {
			case <-handling:
			case err := <-done:
				t.Fatalf("request ended before the kill: %v", err)
			case <-time.After(20 * time.Second):
				t.Fatal("the server did not start handling the request")
			}
			killed := time.Now()
			if err := b.cmd.Process.Kill(); err != nil {
				t.Fatalf("kill -9 %s: %v", name, err)
			}
			select {
			case err := <-done:
				took := time.Since(killed)
				if !errors.Is(err, cluster.NoConnection) {
					t.Fatalf("request to a killed node: %v, want an error matching NoConnection", err)
				}
				if took > lostBound {
					t.Fatalf("request failed %v after the kill, want within %v", took, lostBound)
				}
				t.Logf("failed %v after the kill: %v", took.Round(time.Millisecond), err)
			case <-time.After(35 * time.Second):
				t.Fatal("request to a killed node still waiting after 35 s")
			}
			if q != nil {
				entries, err := q.List(ctx, deadletter.Filter{}, 0)
				if err != nil {
					t.Fatal(err)
				}
				if len(entries) != 1 {
					t.Fatalf("%d dead letters, want the one message", len(entries))
				}
			}
		})
	}
}
