package genserver_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// relay returns a server whose HandleCall calls next with its handler's
// context and replies with next's reply.
func relay(next process.PID) *srv {
	return &srv{call: func(s *genserver.Self, _ genserver.From, req any) (any, error) {
		return genserver.Call[any](s.Context(), next, req)
	}}
}

// TestDeadlineTravelsThroughChain: the first caller's deadline, its
// context's or its own timeout's, reaches the third server of a chain
// A -> B -> C through the handlers' contexts, unchanged.
func TestDeadlineTravelsThroughChain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		c := start(t, node, &srv{call: func(s *genserver.Self, _ genserver.From, _ any) (any, error) {
			dl, ok := s.Context().Deadline()
			if !ok {
				return nil, errors.New("no deadline")
			}
			return dl, nil
		}})
		a := start(t, node, relay(start(t, node, relay(c))))

		want := time.Now().Add(2 * time.Second)
		ctx, cancel := context.WithDeadline(context.Background(), want)
		defer cancel()
		got, err := genserver.Call[time.Time](ctx, a, "deadline?")
		if err != nil || !got.Equal(want) {
			t.Fatalf("context deadline: C saw %v, %v; want %v", got, err, want)
		}

		want = time.Now().Add(time.Second)
		got, err = genserver.Call[time.Time](context.Background(), a, "deadline?", genserver.WithTimeout(time.Second))
		if err != nil || !got.Equal(want) {
			t.Fatalf("WithTimeout: C saw %v, %v; want %v", got, err, want)
		}
	})
}

// TestChainNeverOutlivesFirstCaller: when the last server of a chain is
// stuck, every call of the chain ends at the first caller's deadline,
// and the stuck handler's context ends then too.
func TestChainNeverOutlivesFirstCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		begin := time.Now()
		stuckEnded := make(chan time.Duration, 1)
		c := start(t, node, &srv{call: func(s *genserver.Self, _ genserver.From, _ any) (any, error) {
			<-s.Context().Done()
			stuckEnded <- time.Since(begin)
			return nil, s.Context().Err()
		}})
		bErr := make(chan error, 1)
		bEnded := make(chan time.Duration, 1)
		b := start(t, node, &srv{call: func(s *genserver.Self, _ genserver.From, req any) (any, error) {
			_, err := genserver.Call[any](s.Context(), c, req)
			bErr <- err
			bEnded <- time.Since(begin)
			return nil, err
		}})
		a := start(t, node, relay(b))

		_, err := genserver.Call[any](context.Background(), a, "x", genserver.WithTimeout(300*time.Millisecond))
		// Its timeout, or B's reply carrying the chain's timeout, at the
		// same instant.
		if !(errors.Is(err, genserver.ErrTimeout) || errors.Is(err, context.DeadlineExceeded)) || time.Since(begin) != 300*time.Millisecond {
			t.Fatalf("first call = %v after %v; want a timeout after 300ms", err, time.Since(begin))
		}
		// C's context and B's call to C end at the same instant: B sees
		// either its own timeout or C's reply, the context's error.
		if err, d := <-bErr, <-bEnded; !errors.Is(err, context.DeadlineExceeded) || d != 300*time.Millisecond {
			t.Fatalf("B's call to C = %v after %v; want context.DeadlineExceeded after 300ms", err, d)
		}
		if d := <-stuckEnded; d != 300*time.Millisecond {
			t.Fatalf("C's context ended after %v; want 300ms", d)
		}
	})
}

// TestHandlerContextOutsideRequests: outside a request, and for a
// request without a deadline, the handler's context is the process's.
func TestHandlerContextOutsideRequests(t *testing.T) {
	node := otptest.NewNode(t)
	var initHas bool
	pid := start(t, node, &srv{
		init: func(s *genserver.Self) error { _, initHas = s.Context().Deadline(); return nil },
		call: func(s *genserver.Self, _ genserver.From, _ any) (any, error) {
			_, has := s.Context().Deadline()
			p, ok := process.FromContext(s.Context())
			return has || !ok || p.PID() != s.PID(), nil
		},
	})
	if bad, err := genserver.Call[bool](context.Background(), pid, "x", genserver.WithTimeout(genserver.Infinity)); err != nil || bad || initHas {
		t.Fatalf("no deadline: Call = %v, %v (Init saw a deadline: %v); want the process's context", bad, err, initHas)
	}
}

// stall is a server whose "slow" call blocks until release is closed,
// and which records every other request it handles.
type stall struct {
	started chan struct{}
	release chan struct{}
	mu      sync.Mutex
	handled []any
}

func newStall() *stall {
	return &stall{started: make(chan struct{}, 1), release: make(chan struct{})}
}

func (x *stall) Init(*genserver.Self) error { return nil }

func (x *stall) HandleCall(_ *genserver.Self, _ genserver.From, req any) (any, error) {
	if req == "slow" {
		x.started <- struct{}{}
		<-x.release
		return nil, nil
	}
	x.record(req)
	return req, nil
}

func (x *stall) HandleInfo(_ *genserver.Self, msg any) error {
	x.record(msg)
	return nil
}

func (x *stall) record(req any) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.handled = append(x.handled, req)
}

func (x *stall) seen(req any) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, h := range x.handled {
		if h == req {
			return true
		}
	}
	return false
}

// TestAbandonedCallIsDropped: a request queued behind a slow one, whose
// caller gives up (its timeout passes, its context is cancelled, the
// calling process dies) before the server reaches it, is never handled
// and is reported, for a Call and for a Deliver; a server started with
// HandleAbandoned (OTP-exact) handles it.
func TestAbandonedCallIsDropped(t *testing.T) {
	giveUps := []struct {
		name string
		// abandon queues req on pid and returns once its caller gave up.
		abandon    func(t *testing.T, node *process.Node, pid process.PID, req string)
		callerDead bool
	}{
		{"timeout", func(t *testing.T, _ *process.Node, pid process.PID, req string) {
			if _, err := genserver.Call[any](context.Background(), pid, req, genserver.WithTimeout(100*time.Millisecond)); !errors.Is(err, genserver.ErrTimeout) {
				t.Errorf("Call = %v; want a timeout", err)
			}
		}, false},
		{"deliver timeout", func(t *testing.T, _ *process.Node, pid process.PID, req string) {
			if err := genserver.Deliver(context.Background(), pid, req, 100*time.Millisecond); !errors.Is(err, genserver.ErrTimeout) {
				t.Errorf("Deliver = %v; want a timeout", err)
			}
		}, false},
		{"context cancelled", func(t *testing.T, _ *process.Node, pid process.PID, req string) {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { _, err := genserver.Call[any](ctx, pid, req); done <- err }()
			synctest.Wait() // the call is queued
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Errorf("Call = %v; want context.Canceled", err)
			}
		}, false},
		{"caller died", func(t *testing.T, node *process.Node, pid process.PID, req string) {
			caller, err := node.Spawn(func(p *process.Proc) error {
				_, err := genserver.Call[any](p.Context(), pid, req, genserver.WithTimeout(genserver.Infinity))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			synctest.Wait() // the call is queued
			if err := node.Exit(caller, process.Kill); err != nil {
				t.Fatal(err)
			}
			synctest.Wait()
		}, true},
	}
	for _, g := range giveUps {
		for _, exact := range []bool{false, true} {
			name := g.name
			if exact {
				name += "/OTP-exact"
			}
			t.Run(name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					node := otptest.NewNode(t)
					var dropped []genserver.CallDropped
					genserver.OnCallDropped(node, func(e genserver.CallDropped) { dropped = append(dropped, e) })
					x := newStall()
					var opts []genserver.StartOption
					if exact {
						opts = append(opts, genserver.HandleAbandoned())
					}
					pid := start(t, node, x, opts...)
					slow := make(chan error, 1)
					go func() {
						_, err := genserver.Call[any](context.Background(), pid, "slow", genserver.WithTimeout(genserver.Infinity))
						slow <- err
					}()
					<-x.started
					g.abandon(t, node, pid, "late")
					close(x.release)
					if err := <-slow; err != nil {
						t.Fatal(err)
					}
					if _, err := genserver.Call[any](context.Background(), pid, "sync"); err != nil {
						t.Fatal(err)
					}
					if exact {
						if !x.seen("late") || len(dropped) != 0 || genserver.Dropped(node) != 0 {
							t.Fatalf("OTP-exact: handled %v, dropped %+v; want late handled, nothing dropped", x.handled, dropped)
						}
						return
					}
					if x.seen("late") {
						t.Fatalf("the abandoned request was handled (%v)", x.handled)
					}
					if len(dropped) != 1 || dropped[0].Callee != pid || dropped[0].CallerDead != g.callerDead ||
						dropped[0].Delivery != (g.name == "deliver timeout") || genserver.Dropped(node) != 1 {
						t.Fatalf("dropped %+v (count %d); want one drop reported", dropped, genserver.Dropped(node))
					}
				})
			})
		}
	}
}

// TestCallWithDetachedContextOfDeadProcess: a call made with a context
// that names a dead process but does not end with it (context.WithoutCancel
// of the process's context, handed to code that outlives the process) is
// still waited for, so it is not abandoned: the server handles it and the
// caller gets the reply.
func TestCallWithDetachedContextOfDeadProcess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		pid := start(t, node, &srv{})
		detached := make(chan context.Context, 1)
		if _, err := node.Spawn(func(p *process.Proc) error {
			detached <- context.WithoutCancel(p.Context())
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		ctx := <-detached
		synctest.Wait() // the process has ended
		got, err := genserver.Call[string](ctx, pid, "echo", genserver.WithTimeout(2*time.Second))
		if err != nil || got != "echo" {
			t.Fatalf("Call = %q, %v; want the reply", got, err)
		}
		if n := genserver.Dropped(node); n != 0 {
			t.Fatalf("%d calls dropped; want none", n)
		}
	})
}

// TestHandlerContextEndsWithItsAnswer: a handler's context ends once the
// handler has returned its reply, so that contexts derived from it (and
// their timers) are not kept until the deadline; after NoReply it lasts,
// for the work that will reply.
func TestHandlerContextEndsWithItsAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		kept := make(chan context.Context, 1)
		var later genserver.From
		pid := start(t, node, &srv{call: func(s *genserver.Self, from genserver.From, req any) (any, error) {
			ctx, cancel := context.WithCancel(s.Context()) // derived: made now
			_ = cancel                                     // ended with the request
			kept <- ctx
			if req == "noreply" {
				later = from
				s.NoReply()
			}
			return req, nil
		}})
		if _, err := genserver.Call[any](context.Background(), pid, "reply", genserver.WithTimeout(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if ctx := <-kept; !errors.Is(ctx.Err(), context.Canceled) {
			t.Fatalf("after the reply, the handler's context has Err %v; want context.Canceled", ctx.Err())
		}

		done := make(chan error, 1)
		go func() {
			_, err := genserver.Call[any](context.Background(), pid, "noreply", genserver.WithTimeout(time.Hour))
			done <- err
		}()
		ctx := <-kept
		synctest.Wait() // the handler has returned, without replying
		if ctx.Err() != nil {
			t.Fatalf("after NoReply, the handler's context has Err %v; want it live", ctx.Err())
		}
		genserver.Reply(later, "late")
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

// TestCallThatCannotBeAnsweredInTimeIsDropped: a server that has fallen
// behind drops a queued call with less time left than its last calls
// took (its reply would come after its deadline), reporting it as Late,
// and handles one with time enough; in OTP-exact mode it handles both.
func TestCallThatCannotBeAnsweredInTimeIsDropped(t *testing.T) {
	for _, exact := range []bool{false, true} {
		name := "default"
		if exact {
			name = "OTP-exact"
		}
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				node := otptest.NewNode(t)
				var dropped []genserver.CallDropped
				genserver.OnCallDropped(node, func(e genserver.CallDropped) { dropped = append(dropped, e) })
				var mu sync.Mutex
				var handled []any
				var opts []genserver.StartOption
				if exact {
					opts = append(opts, genserver.HandleAbandoned())
				}
				pid := start(t, node, &srv{call: func(_ *genserver.Self, _ genserver.From, req any) (any, error) {
					time.Sleep(100 * time.Millisecond) // every call costs 100 ms
					mu.Lock()
					handled = append(handled, req)
					mu.Unlock()
					return req, nil
				}}, opts...)
				// Queued in this order at time 0: w1 runs 0-100 ms, w2
				// 100-200 ms (measured: the server is behind), then
				// "short" has 50 ms left and "long" 250 ms.
				results := make(map[string]chan error)
				for _, c := range []struct {
					req     string
					timeout time.Duration
				}{{"w1", time.Hour}, {"w2", time.Hour}, {"short", 250 * time.Millisecond}, {"long", 450 * time.Millisecond}} {
					done := make(chan error, 1)
					results[c.req] = done
					go func() {
						_, err := genserver.Call[string](context.Background(), pid, c.req, genserver.WithTimeout(c.timeout))
						done <- err
					}()
					synctest.Wait() // queued before the next
				}
				for _, req := range []string{"w1", "w2", "long"} {
					if err := <-results[req]; err != nil {
						t.Fatalf("call %s = %v; want its reply", req, err)
					}
				}
				if err := <-results["short"]; !errors.Is(err, genserver.ErrTimeout) {
					t.Fatalf("call short = %v; want a timeout", err)
				}
				mu.Lock()
				defer mu.Unlock()
				if exact {
					if len(handled) != 4 || len(dropped) != 0 {
						t.Fatalf("OTP-exact: handled %v, dropped %+v; want all four handled", handled, dropped)
					}
					return
				}
				if len(handled) != 3 || handled[2] != "long" {
					t.Fatalf("handled %v; want w1, w2, long", handled)
				}
				if len(dropped) != 1 || !dropped[0].Late || dropped[0].CallerDead || genserver.Dropped(node) != 1 {
					t.Fatalf("dropped %+v; want one Late drop", dropped)
				}
			})
		})
	}
}

// TestServerThatKeepsUpDropsNothingEarly: a server that is not behind
// handles a call however little time it has left: it has no measure of
// its pace, and its caller's time has not run out.
func TestServerThatKeepsUpDropsNothingEarly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		pid := start(t, node, &srv{call: func(_ *genserver.Self, _ genserver.From, req any) (any, error) {
			time.Sleep(100 * time.Millisecond)
			return req, nil
		}})
		for range 3 {
			if _, err := genserver.Call[string](context.Background(), pid, "x", genserver.WithTimeout(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := genserver.Call[string](context.Background(), pid, "x", genserver.WithTimeout(50*time.Millisecond)); !errors.Is(err, genserver.ErrTimeout) {
			t.Fatalf("Call = %v; want a timeout: the reply comes after 100 ms", err)
		}
		synctest.Wait()
		if n := genserver.Dropped(node); n != 0 {
			t.Fatalf("%d calls dropped; want none: the server was not behind", n)
		}
	})
}
