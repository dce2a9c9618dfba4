package genserver_test

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// keeper replies to every call and keeps the From of the first one, so a
// test can reply through it again after that call is over.
type keeper struct {
	first *genserver.From
}

func (k *keeper) Init(*genserver.Self) error { return nil }

func (k *keeper) HandleCall(_ *genserver.Self, from genserver.From, req any) (any, error) {
	switch req {
	case "stale":
		genserver.Reply(*k.first, "stale reply")
		return "fresh reply", nil
	}
	if k.first == nil {
		k.first = &from
	}
	return req, nil
}

// TestStaleFromAfterReuse: call records are reused after a call got its
// reply. A server that replies again through a From it kept from an earlier
// call must not answer a later call that reuses the record.
func TestStaleFromAfterReuse(t *testing.T) {
	node := otptest.NewNode(t)
	pid, err := genserver.Start(node, &keeper{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 100 {
		if got, err := genserver.Call[int](ctx, pid, i); err != nil || got != i {
			t.Fatalf("Call(%d) = %v, %v; want %d", i, got, err, i)
		}
		got, err := genserver.Call[string](ctx, pid, "stale")
		if err != nil || got != "fresh reply" {
			t.Fatalf("Call(stale) = %q, %v; want the fresh reply", got, err)
		}
	}
}

// doubleReplier replies through Reply and then returns a value too; only
// the first reply counts.
type doubleReplier struct{}

func (doubleReplier) Init(*genserver.Self) error { return nil }

func (doubleReplier) HandleCall(_ *genserver.Self, from genserver.From, req any) (any, error) {
	genserver.Reply(from, req)
	for range 3 {
		runtime.Gosched() // let the caller take its reply and call again
	}
	return "second reply", nil
}

// TestReplyThenReturn: a HandleCall that replies and then returns a value
// must not answer a later call that reuses the call record (regression:
// the server re-read the record's generation after the caller recycled it).
func TestReplyThenReturn(t *testing.T) {
	node := otptest.NewNode(t)
	var pids []process.PID
	for range 4 {
		pid, err := genserver.Start(node, doubleReplier{})
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, pid)
	}
	ctx := context.Background()
	errs := make(chan error, 8)
	for g := range 8 {
		_, err := node.Spawn(func(*process.Proc) error {
			for i := range 500 {
				want := g*1000 + i
				if got, err := genserver.Call[int](ctx, pids[i%len(pids)], want); err != nil || got != want {
					errs <- fmt.Errorf("Call(%d) = %v, %v", want, got, err)
					return nil
				}
			}
			errs <- nil
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestCallHugeTimeout: a timeout near the largest duration must not wrap
// around and expire at once.
func TestCallHugeTimeout(t *testing.T) {
	node := otptest.NewNode(t)
	pid, err := genserver.Start(node, doubleReplier{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := genserver.Call[int](context.Background(), pid, 7, genserver.WithTimeout(time.Duration(math.MaxInt64)))
	if err != nil || got != 7 {
		t.Fatalf("Call with a huge timeout = %v, %v; want 7, nil", got, err)
	}
}
