package coord_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/coord"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// TestLockHolderKilledInLease: in fake time, a killed holder's lock
// passes to the next waiter at once (well within the lease), with a
// larger token, and the lease is kept by renewal meanwhile.
func TestLockHolderKilledInLease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		c := startCoord(t, node)
		ctx := bg(t)
		a, w := otptest.SpawnIdle(t, node), otptest.SpawnIdle(t, node)
		la, err := c.Lock(ctx, "job", coord.WithHolder(a), coord.WithLease(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		next := lockAsync(ctx, c, "job", coord.WithHolder(w), coord.WithLease(time.Second))
		// Three leases pass: the live holder keeps the lock.
		time.Sleep(3 * time.Second) // fake time: three leases pass
		synctest.Wait()
		select {
		case r := <-next:
			t.Fatalf("waiter got %+v while the holder lives", r)
		default:
		}
		killed := time.Now()
		kill(t, node, a)
		r := <-next
		if r.err != nil {
			t.Fatal(r.err)
		}
		if took := r.at.Sub(killed); took != 0 {
			t.Errorf("released after %v; want at once (fake time)", took)
		}
		if r.l.Token <= la.Token {
			t.Errorf("token %d; want larger than %d", r.l.Token, la.Token)
		}
	})
}

// TestLockFIFOAndHolderDownWhileWaiting: waiters are served in arrival
// order; a waiter whose holder dies is dropped with ErrHolderDown; a
// waiter whose context ends is dropped and never holds the lock.
func TestLockFIFOAndHolderDownWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		c := startCoord(t, node)
		ctx := bg(t)
		h, w1, w2, w3 := otptest.SpawnIdle(t, node), otptest.SpawnIdle(t, node), otptest.SpawnIdle(t, node), otptest.SpawnIdle(t, node)
		l, err := c.Lock(ctx, "q", coord.WithHolder(h))
		if err != nil {
			t.Fatal(err)
		}
		short, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		r1 := lockAsync(short, c, "q", coord.WithHolder(w1))
		synctest.Wait()
		r2 := lockAsync(ctx, c, "q", coord.WithHolder(w2))
		synctest.Wait()
		r3 := lockAsync(ctx, c, "q", coord.WithHolder(w3))
		synctest.Wait()
		kill(t, node, w2)
		if r := <-r2; !errors.Is(r.err, coord.ErrHolderDown) {
			t.Fatalf("waiter with a dead holder: %v; want ErrHolderDown", r.err)
		}
		if r := <-r1; !errors.Is(r.err, context.DeadlineExceeded) {
			t.Fatalf("waiter past its deadline: %v; want DeadlineExceeded", r.err)
		}
		if err := l.Release(ctx); err != nil {
			t.Fatal(err)
		}
		r := <-r3
		if r.err != nil || r.l.Holder != w3 {
			t.Fatalf("third waiter: %+v; want the lock", r)
		}
	})
}

// TestLeaseLost: a holder whose lease is taken from it (here: released
// behind the coordinator's back in the shared backend) is told.
func TestLeaseLost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		b := coord.NewMemoryBackend()
		c := startCoord(t, node, coord.WithBackend(b))
		ctx := bg(t)
		h := otptest.NewProbe(t, node)
		l, err := c.Lock(ctx, "x", coord.WithHolder(h.PID()), coord.WithLease(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		cur, err := b.Holder(ctx, "lock.x")
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Release(ctx, cur); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Acquire(ctx, "lock.x", "intruder", time.Minute); err != nil {
			t.Fatal(err)
		}
		if m := expectMsg[coord.LeaseLost](t, h); m.Name != "x" || m.Token != l.Token {
			t.Errorf("LeaseLost = %+v; want x, token %d", m, l.Token)
		}
		if err := l.Release(ctx); !errors.Is(err, coord.ErrNotHeld) {
			t.Errorf("release of a lost lock: %v; want ErrNotHeld", err)
		}
	})
}

type awaitResult struct {
	r   coord.Round
	err error
}

func awaitAsync(ctx context.Context, c *coord.Coordinator, name string, n int, opts ...coord.CallOption) <-chan awaitResult {
	ch := make(chan awaitResult, 1)
	go func() {
		r, err := c.Await(ctx, name, n, opts...)
		ch <- awaitResult{r, err}
	}()
	return ch
}

// TestBarrier: n participants trip it together, round after round.
func TestBarrier(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		c := startCoord(t, node)
		ctx := bg(t)
		for round := uint64(1); round <= 2; round++ {
			var chans []<-chan awaitResult
			for range 3 {
				chans = append(chans, awaitAsync(ctx, c, "b", 3, coord.WithHolder(otptest.SpawnIdle(t, node))))
			}
			for _, ch := range chans {
				r := <-ch
				if r.err != nil || r.r.Round != round || len(r.r.Participants) != 3 {
					t.Fatalf("round %d: %+v", round, r)
				}
			}
		}
	})
}

// TestBarrierCrashedParticipant: a participant that dies while waiting
// fails the round for every other one, at once, with a BarrierError
// naming it; a declared participant that dies before arriving does too.
func TestBarrierCrashedParticipant(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		c := startCoord(t, node)
		ctx := bg(t)
		a, b, x := otptest.SpawnIdle(t, node), otptest.SpawnIdle(t, node), otptest.SpawnIdle(t, node)
		ra := awaitAsync(ctx, c, "b", 4, coord.WithHolder(a))
		rb := awaitAsync(ctx, c, "b", 4, coord.WithHolder(b))
		rx := awaitAsync(ctx, c, "b", 4, coord.WithHolder(x))
		synctest.Wait()
		start := time.Now()
		kill(t, node, x)
		for _, ch := range []<-chan awaitResult{ra, rb, rx} {
			r := <-ch
			var be *coord.BarrierError
			if !errors.As(r.err, &be) || !errors.Is(r.err, coord.ErrParticipantDown) || be.PID != x || !errors.Is(be.Exit, process.Killed) {
				t.Fatalf("Await: %v; want a BarrierError for %v killed", r.err, x)
			}
		}
		if time.Since(start) != 0 {
			t.Errorf("failed after %v; want at once", time.Since(start))
		}

		// Declared participants: one dies before it arrives.
		p := []process.PID{otptest.SpawnIdle(t, node), otptest.SpawnIdle(t, node), otptest.SpawnIdle(t, node)}
		r0 := awaitAsync(ctx, c, "d", 3, coord.WithHolder(p[0]), coord.WithParticipants(p...))
		synctest.Wait()
		kill(t, node, p[2])
		if r := <-r0; !errors.Is(r.err, coord.ErrParticipantDown) {
			t.Fatalf("Await with a declared participant dead: %v; want ErrParticipantDown", r.err)
		}
	})
}

// TestBarrierTimeout: a round missing a participant fails at its
// timeout for those who came.
func TestBarrierTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		c := startCoord(t, node)
		ctx := bg(t)
		start := time.Now()
		ra := awaitAsync(ctx, c, "b", 3, coord.WithHolder(otptest.SpawnIdle(t, node)), coord.WithTimeout(2*time.Second))
		synctest.Wait() // the first arrival sets the round's timeout
		rb := awaitAsync(ctx, c, "b", 3, coord.WithHolder(otptest.SpawnIdle(t, node)))
		for _, ch := range []<-chan awaitResult{ra, rb} {
			if r := <-ch; !errors.Is(r.err, coord.ErrBarrierTimeout) {
				t.Fatalf("Await: %v; want ErrBarrierTimeout", r.err)
			}
		}
		if took := time.Since(start); took != 2*time.Second {
			t.Errorf("timed out after %v; want 2s", took)
		}
	})
}
