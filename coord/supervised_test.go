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
	"github.com/seed-fe72f376/orchard/supervisor"
)

// TestSupervisedCoordinator: a coordinator started by a supervisor
// (StartFunc) is restarted when killed, found again by name, and keeps
// its backend, so fencing tokens go on growing across the restart.
func TestSupervisedCoordinator(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		spec := supervisor.Spec{Flags: supervisor.DefaultFlags(), Children: []supervisor.ChildSpec{
			{ID: "coord", Start: coord.StartFunc(coord.WithName("coord"))},
		}}
		sup, err := supervisor.Start(node, spec)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = supervisor.Stop(sup, process.Shutdown, wait) }()
		c := coord.For(node.Name("coord"))
		ctx := bg(t)
		h := otptest.SpawnIdle(t, node)
		l1, err := c.Lock(ctx, "x", coord.WithHolder(h))
		if err != nil {
			t.Fatal(err)
		}
		if err := l1.Release(ctx); err != nil {
			t.Fatal(err)
		}
		old, _ := c.PID()
		kill(t, node, old)
		synctest.Wait()
		if pid, err := c.PID(); err != nil || pid == old {
			t.Fatalf("coordinator after the kill: %v, %v; want a new one", pid, err)
		}
		l2, err := c.Lock(ctx, "x", coord.WithHolder(h))
		if err != nil {
			t.Fatal(err)
		}
		if l2.Token <= l1.Token {
			t.Errorf("token after the restart %d; want larger than %d", l2.Token, l1.Token)
		}
	})
}

// panicDest is a voter whose resolution panics, to crash a round.
type panicDest struct{}

func (panicDest) Resolve() (process.PID, error) { panic("resolve exploded") }

// TestConsensusRoundCrash: a round process that crashes is reported
// to its proposer as a ConsensusError matching ErrRoundFailed, and the
// coordinator (linked to it, trapping exits) goes on.
func TestConsensusRoundCrash(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		c := startCoord(t, node)
		ctx := bg(t)
		_, err := c.Propose(ctx, coord.Proposal{Name: "p", Voters: []process.Dest{panicDest{}}})
		var ce *coord.ConsensusError
		var pe *process.PanicError
		if !errors.As(err, &ce) || !errors.Is(err, coord.ErrRoundFailed) || !errors.As(err, &pe) {
			t.Fatalf("Propose: %v; want a ConsensusError matching ErrRoundFailed with the panic", err)
		}
		h := otptest.SpawnIdle(t, node)
		if _, err := c.TryLock(context.Background(), "still-here", coord.WithHolder(h)); err != nil {
			t.Errorf("coordinator after a crashed round: %v", err)
		}
	})
}

// TestStopReleasesLeases: Stop releases the coordinator's leases (its
// Terminate), so another coordinator on the same backend takes the lock
// at once instead of after the lease.
func TestStopReleasesLeases(t *testing.T) {
	node := otptest.NewNode(t)
	b := coord.NewMemoryBackend()
	c1, err := coord.Start(node, coord.WithBackend(b))
	if err != nil {
		t.Fatal(err)
	}
	c2 := startCoord(t, node, coord.WithBackend(b))
	ctx := bg(t)
	a, w := otptest.SpawnIdle(t, node), otptest.SpawnIdle(t, node)
	if _, err := c1.Lock(ctx, "job", coord.WithHolder(a), coord.WithLease(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := c1.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c2.TryLock(ctx, "job", coord.WithHolder(w), coord.WithLease(time.Hour)); err != nil {
		t.Errorf("TryLock after the first coordinator stopped: %v; want the lock at once", err)
	}
}
