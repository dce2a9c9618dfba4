package coord_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/coord"
	"github.com/seed-fe72f376/orchard/coord/kvcoord"
	"github.com/seed-fe72f376/orchard/engine"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
	"github.com/seed-fe72f376/orchard/otptest"
)

// backendCase is one backend under the shared behavioural table.
type backendCase struct {
	name  string
	lease time.Duration
	// slack is how late, past its lease, the backend may still show an
	// expired lease (JetStream checks message ages on its own schedule).
	slack time.Duration
	open  func(t *testing.T) coord.Backend
}

func backends() []backendCase {
	return []backendCase{
		{name: "memory", lease: 400 * time.Millisecond, slack: 150 * time.Millisecond, open: func(*testing.T) coord.Backend { return coord.NewMemoryBackend() }},
		{name: "jetstream-kv", lease: 600 * time.Millisecond, slack: time.Second, open: openKV(600 * time.Millisecond)},
	}
}

// startEngine starts an embedded engine for the test.
func startEngine(t *testing.T) jetstream.JetStream {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	eng, err := natsengine.Start(ctx, natsengine.Config{Dir: t.TempDir(), ServerName: "coord-test"})
	if err != nil {
		t.Fatalf("engine: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		_ = eng.Shutdown(ctx)
	})
	return eng.JetStream()
}

// openKV starts an embedded engine for the test and opens a lease
// bucket in it.
func openKV(lease time.Duration) func(t *testing.T) coord.Backend {
	return func(t *testing.T) coord.Backend {
		t.Helper()
		b, err := kvcoord.Open(bg(t), startEngine(t), "", lease)
		if err != nil {
			t.Fatalf("kvcoord.Open: %v", err)
		}
		return b
	}
}

// TestBackends runs the behaviours every backend must share: the
// same table, once per backend.
func TestBackends(t *testing.T) {
	table := []struct {
		name string
		run  func(t *testing.T, bc backendCase, b coord.Backend)
	}{
		{"holder killed: released within lease, next token larger", testHolderKilled},
		{"coordinator killed: lease expires, another coordinator takes over", testCoordinatorKilled},
		{"try, release, fence", testTryReleaseFence},
		{"leader killed: new leader, watchers told", testLeaderKilled},
		{"leader across coordinators", testLeaderAcrossCoordinators},
		{"backend contract", testBackendContract},
	}
	for _, bc := range backends() {
		t.Run(bc.name, func(t *testing.T) {
			for _, tc := range table {
				t.Run(tc.name, func(t *testing.T) {
					tc.run(t, bc, bc.open(t))
				})
			}
		})
	}
}

func testHolderKilled(t *testing.T, bc backendCase, b coord.Backend) {
	node := otptest.NewNode(t)
	c := startCoord(t, node, coord.WithBackend(b))
	ctx := bg(t)
	a, w := otptest.SpawnIdle(t, node), otptest.SpawnIdle(t, node)
	la, err := c.Lock(ctx, "job", coord.WithHolder(a), coord.WithLease(bc.lease))
	if err != nil {
		t.Fatal(err)
	}
	next := lockAsync(ctx, c, "job", coord.WithHolder(w), coord.WithLease(bc.lease))
	// The waiter is queued (the lock is held): TryLock says so.
	otptest.Eventually(t, wait, func() bool {
		_, err := c.TryLock(ctx, "job", coord.WithHolder(otptest.SpawnIdle(t, node)), coord.WithLease(bc.lease))
		return errors.Is(err, coord.ErrHeld)
	})
	killed := time.Now()
	kill(t, node, a)
	r := recv(t, next)
	if r.err != nil {
		t.Fatalf("next holder: %v", r.err)
	}
	if took := r.at.Sub(killed); took >= bc.lease {
		t.Errorf("released %v after the holder died; want within the lease %v", took, bc.lease)
	}
	if r.l.Token <= la.Token {
		t.Errorf("next token %d; want larger than %d", r.l.Token, la.Token)
	}
	if err := r.l.Release(ctx); err != nil {
		t.Errorf("release: %v", err)
	}
}

func testCoordinatorKilled(t *testing.T, bc backendCase, b coord.Backend) {
	node := otptest.NewNode(t)
	c1, err := coord.Start(node, coord.WithBackend(b))
	if err != nil {
		t.Fatal(err)
	}
	c2 := startCoord(t, node, coord.WithBackend(b), coord.WithRetryInterval(bc.lease/8))
	ctx := bg(t)
	a, w := otptest.SpawnIdle(t, node), otptest.SpawnIdle(t, node)
	la, err := c1.Lock(ctx, "job", coord.WithHolder(a), coord.WithLease(bc.lease))
	if err != nil {
		t.Fatal(err)
	}
	next := lockAsync(ctx, c2, "job", coord.WithHolder(w), coord.WithLease(bc.lease))
	pid, _ := c1.PID()
	killed := time.Now()
	kill(t, node, pid) // no Terminate: the lease is not released, it expires
	r := recv(t, next)
	if r.err != nil {
		t.Fatalf("next holder: %v", r.err)
	}
	// The lease may have been renewed just before the kill; the expiry
	// is seen at the next retry (lease/8), and JetStream's age check has
	// its own granularity (a few hundred milliseconds measured).
	if took, most := r.at.Sub(killed), bc.lease+bc.lease/8+bc.slack; took > most {
		t.Errorf("taken over %v after the coordinator died; want within %v", took, most)
	}
	if r.l.Token <= la.Token {
		t.Errorf("next token %d; want larger than %d", r.l.Token, la.Token)
	}
}

func testTryReleaseFence(t *testing.T, bc backendCase, b coord.Backend) {
	node := otptest.NewNode(t)
	c := startCoord(t, node, coord.WithBackend(b))
	ctx := bg(t)
	a, o := otptest.SpawnIdle(t, node), otptest.SpawnIdle(t, node)
	l1, err := c.TryLock(ctx, "res", coord.WithHolder(a), coord.WithLease(bc.lease))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.TryLock(ctx, "res", coord.WithHolder(o), coord.WithLease(bc.lease)); !errors.Is(err, coord.ErrHeld) {
		t.Fatalf("TryLock on a held lock: %v; want ErrHeld", err)
	}
	var fence coord.Fence
	if err := fence.Check(l1.Token); err != nil {
		t.Fatal(err)
	}
	if err := l1.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l1.Release(ctx); !errors.Is(err, coord.ErrNotHeld) {
		t.Errorf("second release: %v; want ErrNotHeld", err)
	}
	l2, err := c.TryLock(ctx, "res", coord.WithHolder(o), coord.WithLease(bc.lease))
	if err != nil {
		t.Fatal(err)
	}
	if err := fence.Check(l2.Token); err != nil {
		t.Fatalf("new holder's write: %v", err)
	}
	var stale *coord.StaleTokenError
	if err := fence.Check(l1.Token); !errors.As(err, &stale) || stale.Latest != l2.Token {
		t.Errorf("old holder's late write: %v; want a StaleTokenError with latest %d", err, l2.Token)
	}
}

func testLeaderKilled(t *testing.T, bc backendCase, b coord.Backend) {
	node := otptest.NewNode(t)
	c := startCoord(t, node, coord.WithBackend(b))
	ctx := bg(t)
	a, w, watcher := otptest.NewProbe(t, node), otptest.NewProbe(t, node), otptest.NewProbe(t, node)
	if err := c.Campaign(ctx, "svc", coord.WithHolder(a.PID()), coord.WithLease(bc.lease)); err != nil {
		t.Fatal(err)
	}
	ea := expectMsg[coord.Elected](t, a)
	if err := c.Campaign(ctx, "svc", coord.WithHolder(w.PID()), coord.WithLease(bc.lease)); err != nil {
		t.Fatal(err)
	}
	if err := c.Watch(ctx, "svc", watcher.PID()); err != nil {
		t.Fatal(err)
	}
	if lc := expectMsg[coord.LeaderChanged](t, watcher); lc.Leader != a.PID() || lc.Token != ea.Token {
		t.Fatalf("watch: %+v; want leader %v token %d", lc, a.PID(), ea.Token)
	}
	if l, err := c.Leader(ctx, "svc"); err != nil || l.Leader != a.PID() {
		t.Fatalf("Leader = %+v, %v; want %v", l, err, a.PID())
	}
	kill(t, node, a.PID())
	ew := expectMsg[coord.Elected](t, w)
	if ew.Token <= ea.Token {
		t.Errorf("new leader's token %d; want larger than %d", ew.Token, ea.Token)
	}
	if lc := expectMsg[coord.LeaderChanged](t, watcher); lc.Leader != w.PID() || lc.Token != ew.Token {
		t.Errorf("watch after the kill: %+v; want leader %v token %d", lc, w.PID(), ew.Token)
	}
	if err := c.Resign(ctx, "svc", coord.WithHolder(w.PID())); err != nil {
		t.Fatal(err)
	}
	if lc := expectMsg[coord.LeaderChanged](t, watcher); lc.Token != 0 {
		t.Errorf("watch after resign: %+v; want no leader", lc)
	}
	if _, err := c.Leader(ctx, "svc"); !errors.Is(err, coord.ErrNotHeld) {
		t.Errorf("Leader after resign: %v; want ErrNotHeld", err)
	}
}

func testLeaderAcrossCoordinators(t *testing.T, bc backendCase, b coord.Backend) {
	node := otptest.NewNode(t)
	c1 := startCoord(t, node, coord.WithBackend(b))
	c2 := startCoord(t, node, coord.WithBackend(b), coord.WithRetryInterval(bc.lease/8))
	ctx := bg(t)
	a, w, watcher := otptest.NewProbe(t, node), otptest.NewProbe(t, node), otptest.NewProbe(t, node)
	if err := c1.Campaign(ctx, "svc", coord.WithHolder(a.PID()), coord.WithLease(bc.lease)); err != nil {
		t.Fatal(err)
	}
	ea := expectMsg[coord.Elected](t, a)
	if err := c2.Campaign(ctx, "svc", coord.WithHolder(w.PID()), coord.WithLease(bc.lease)); err != nil {
		t.Fatal(err)
	}
	if err := c2.Watch(ctx, "svc", watcher.PID()); err != nil {
		t.Fatal(err)
	}
	first := expectMsg[coord.LeaderChanged](t, watcher)
	if first.Token != ea.Token || first.Owner == "" || !first.Leader.IsZero() {
		t.Fatalf("watch through the other coordinator: %+v; want token %d, an owner and no local PID", first, ea.Token)
	}
	kill(t, node, a.PID())
	ew := expectMsg[coord.Elected](t, w)
	if ew.Token <= ea.Token {
		t.Errorf("new leader's token %d; want larger than %d", ew.Token, ea.Token)
	}
	for {
		lc := expectMsg[coord.LeaderChanged](t, watcher)
		if lc.Leader == w.PID() {
			if lc.Token != ew.Token {
				t.Errorf("watch: %+v; want token %d", lc, ew.Token)
			}
			break
		}
		if lc.Token != 0 {
			t.Fatalf("watch: unexpected leader %+v", lc)
		}
	}
}

// testBackendContract checks the Backend interface directly.
func testBackendContract(t *testing.T, bc backendCase, b coord.Backend) {
	ctx := bg(t)
	l1, err := b.Acquire(ctx, "k", "one", bc.lease)
	if err != nil {
		t.Fatal(err)
	}
	var held *coord.HeldError
	if _, err := b.Acquire(ctx, "k", "two", bc.lease); !errors.As(err, &held) || held.Owner != "one" || held.Token != l1.Token {
		t.Fatalf("Acquire of a held key: %v; want a HeldError naming one, token %d", err, l1.Token)
	}
	l1b, err := b.Renew(ctx, l1)
	if err != nil || l1b.Token != l1.Token || l1b.Revision == l1.Revision {
		t.Fatalf("Renew = %+v, %v; want the same token, a new revision", l1b, err)
	}
	if _, err := b.Renew(ctx, l1); !errors.Is(err, coord.ErrLeaseLost) {
		t.Errorf("Renew of a stale revision: %v; want ErrLeaseLost", err)
	}
	if h, err := b.Holder(ctx, "k"); err != nil || h.Owner != "one" || h.Token != l1.Token {
		t.Errorf("Holder = %+v, %v", h, err)
	}
	if err := b.Release(ctx, l1); !errors.Is(err, coord.ErrLeaseLost) {
		t.Errorf("Release of a stale revision: %v; want ErrLeaseLost", err)
	}
	if err := b.Release(ctx, l1b); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Holder(ctx, "k"); !errors.Is(err, coord.ErrNotHeld) {
		t.Errorf("Holder after release: %v; want ErrNotHeld", err)
	}
	l2, err := b.Acquire(ctx, "k", "two", bc.lease)
	if err != nil || l2.Token <= l1.Token {
		t.Fatalf("Acquire after release = %+v, %v; want a token above %d", l2, err, l1.Token)
	}
	// Without renewal the lease ends by itself.
	otptest.Eventually(t, wait, func() bool {
		_, err := b.Holder(ctx, "k")
		return errors.Is(err, coord.ErrNotHeld)
	})
	l3, err := b.Acquire(ctx, "k weird/name", "three", bc.lease)
	if err != nil || l3.Token <= l2.Token {
		t.Fatalf("Acquire of an unusual key = %+v, %v", l3, err)
	}
}

// TestKVOnNodeEngine: the common path, a lease bucket in the node's one
// engine (engine.Configure, started on first need, closed with the
// node).
func TestKVOnNodeEngine(t *testing.T) {
	node := otptest.NewNode(t)
	if err := engine.Configure(node, engine.Config{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	ctx := bg(t)
	b, err := kvcoord.OpenNode(ctx, node, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c := startCoord(t, node, coord.WithBackend(b))
	h := otptest.SpawnIdle(t, node)
	l, err := c.Lock(ctx, "nightly", coord.WithHolder(h), coord.WithLease(b.Lease()))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b.Holder(ctx, "lock.nightly"); err != nil || got.Token != l.Token {
		t.Fatalf("the bucket holds %+v, %v; want token %d", got, err, l.Token)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestKVOpenKeepsAnExistingLease: opening an existing bucket with
// another lease is refused and leaves the bucket's TTL alone (updating
// it would cut the leases of the backends already using it).
func TestKVOpenKeepsAnExistingLease(t *testing.T) {
	js := startEngine(t)
	ctx := bg(t)
	if _, err := kvcoord.Open(ctx, js, "locks", time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := kvcoord.Open(ctx, js, "locks", time.Second); err != nil {
		t.Fatalf("reopening with the same lease: %v", err)
	}
	if _, err := kvcoord.Open(ctx, js, "locks", 200*time.Millisecond); !errors.Is(err, kvcoord.ErrInvalidArgument) {
		t.Errorf("Open with another lease = %v; want ErrInvalidArgument", err)
	}
	kv, err := js.KeyValue(ctx, "locks")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := kv.Status(ctx); err != nil || st.TTL() != time.Second {
		t.Errorf("bucket TTL after the refused Open: %v, %v; want 1s", st.TTL(), err)
	}
}
