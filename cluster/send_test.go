package cluster_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
)

// TestSupervisedSendKill runs supervised sends (both confirmation
// levels, retries, OnError DeadLetter) from this node to a node in
// another OS process, kills that node with SIGKILL in the middle of the
// traffic, and checks that no message is lost: every send is either
// confirmed or dead-lettered, and every message confirmed Handled was
// handled (its Seq came back).
func TestSupervisedSendKill(t *testing.T) {
	a := startLocal(t, "a", cluster.Config{})
	b := startChild(t, "b", []string{a.RouteURL()})
	awaitUp(t, a, "b")
	awaitSeen(t, a, "b", "a") // b's replies to the collector need a up at b
	echoPID, err := a.RemoteName("b", "echo").Resolve()
	if err != nil {
		t.Fatalf("Resolve(echo@b) = %v", err)
	}

	var mu sync.Mutex
	handled := map[int]bool{}
	collector, err := a.Process().Spawn(func(p *process.Proc) error {
		for {
			m, err := p.Receive(p.Context())
			if err != nil {
				return nil
			}
			if seq, ok := m.(int); ok {
				mu.Lock()
				handled[seq] = true
				mu.Unlock()
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}

	q, err := deadletter.New(a.Process(), deadletter.NewMemoryStore())
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

	const workers, perWorker, killAt = 4, 60, 15
	type result struct {
		level send.Level
		err   error
	}
	results := make([]result, workers*perWorker)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			level := send.Handled
			var dest process.Dest = echoPID
			if w%2 == 1 {
				level, dest = send.Enqueued, a.RemoteName("b", "echo")
			}
			for i := range perWorker {
				if w == 0 && i == killAt {
					if err := b.cmd.Process.Kill(); err != nil {
						t.Errorf("kill -9 b: %v", err)
					}
				}
				seq := w*perWorker + i
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				err := sender.Send(ctx, dest, Ping{Seq: seq, ReplyTo: cluster.Wire(collector)},
					send.WithConfirm(level), send.WithTimeout(3*time.Second), send.WithRetries(3),
					send.WithOnError(send.DeadLetter), send.WithMetadata(map[string]string{"seq": strconv.Itoa(seq)}))
				cancel()
				results[seq] = result{level: level, err: err}
			}
		}()
	}
	wg.Wait()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	entries, err := q.List(ctx, deadletter.Filter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	dead := map[int]bool{}
	for _, e := range entries {
		seq, err := strconv.Atoi(e.Metadata["seq"])
		if err != nil {
			t.Fatalf("dead letter without its seq: %+v", e)
		}
		if dead[seq] {
			t.Errorf("seq %d dead-lettered twice", seq)
		}
		dead[seq] = true
	}
	var confirmed, lettered int
	var wantHandled []int
	for seq, r := range results {
		switch {
		case r.err == nil && dead[seq]:
			t.Errorf("seq %d both confirmed and dead-lettered", seq)
		case r.err == nil:
			confirmed++
			if r.level == send.Handled {
				wantHandled = append(wantHandled, seq)
			}
		case dead[seq]:
			lettered++
			var se *send.Error
			if !errors.As(r.err, &se) {
				t.Errorf("seq %d: send error %v is not a *send.Error", seq, r.err)
			}
		default:
			t.Errorf("seq %d lost: send failed with %v and was not dead-lettered", seq, r.err)
		}
	}
	if confirmed < killAt || lettered == 0 {
		t.Fatalf("%d confirmed, %d dead-lettered (first send: %v): want traffic on both sides of the kill", confirmed, lettered, results[0].err)
	}
	otptest.Eventually(t, 10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, seq := range wantHandled {
			if !handled[seq] {
				return false
			}
		}
		return true
	}, "every send confirmed Handled came back from the receiver")
	t.Logf("%d confirmed, %d dead-lettered of %d", confirmed, lettered, len(results))
}
