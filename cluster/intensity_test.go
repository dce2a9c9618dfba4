package cluster_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// reports is a slog handler that keeps the supervisor reports.
type reports struct {
	mu   sync.Mutex
	recs []map[string]string
}

func (r *reports) Enabled(context.Context, slog.Level) bool { return true }
func (r *reports) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *reports) WithGroup(string) slog.Handler            { return r }
func (r *reports) Handle(_ context.Context, rec slog.Record) error {
	if rec.Message != "supervisor report" {
		return nil
	}
	m := map[string]string{}
	rec.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value.String(); return true })
	r.mu.Lock()
	r.recs = append(r.recs, m)
	r.mu.Unlock()
	return nil
}

// gaveUp returns the reports of supervisor sup reaching its maximum
// restart intensity.
func (r *reports) gaveUp(sup string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.recs {
		if m["supervisor"] == sup && m["reason"] == "reached_max_restart_intensity" {
			n++
		}
	}
	return n
}

// TestDistSupervisorIntensity: a distributed child that keeps crashing
// is restarted at most MaxRestarts times within Period on its node;
// then the node's manager reports reached_max_restart_intensity and
// ends (killing its instances), the node's services supervisor
// restarts it (the lease is taken again with a new token), and when
// that repeats the services supervisor gives up in turn, as OTP
// escalates: no more starts.
func TestDistSupervisorIntensity(t *testing.T) {
	rep := &reports{}
	n := startLocal(t, "crashy-a", cluster.Config{}, process.Config{Logger: slog.New(rep)})
	// A second server, so that JetStream has its cluster (it runs the
	// supervisor's KV, not the supervisor).
	startLocal(t, "crashy-b", cluster.Config{Routes: []string{n.RouteURL()}})
	awaitUp(t, n, "crashy-b")
	awaitJetStream(t, n, "crashy-a", "crashy-b")
	type start struct{ token uint64 }
	starts := make(chan start, 256)
	d, err := n.StartDistributed(cluster.DistSpec{
		Name: "crashy", Lease: 1200 * time.Millisecond, MaxRestarts: 2, Period: time.Minute,
		Kinds: map[string]cluster.DistRun{"crash": func(p *process.Proc, arg string, token uint64) error {
			starts <- start{token}
			return errors.New("boom")
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	otptest.Eventually(t, 20*time.Second, func() bool {
		_, err := d.StartChild(ctx, cluster.DistChild{ID: "c", Kind: "crash"})
		return err == nil || errors.Is(err, cluster.ErrChildExists)
	}, "the child is recorded")
	otptest.Eventually(t, 30*time.Second, func() bool { return rep.gaveUp("cluster.services") > 0 },
		"the services supervisor gives up after the manager kept reaching its intensity")
	if got := rep.gaveUp("cluster.distsup.crashy"); got < 2 {
		t.Errorf("%d intensity reports of the manager; want at least 2 before the services supervisor gave up", got)
	}
	// Starts per lease (token): the first start and MaxRestarts
	// restarts, never more.
	perToken := map[uint64]int{}
	var order []uint64
	for len(starts) > 0 {
		s := <-starts
		if perToken[s.token] == 0 {
			order = append(order, s.token)
		}
		perToken[s.token]++
	}
	if len(order) < 2 {
		t.Fatalf("starts by token %v: want the lease taken again by a restarted manager", perToken)
	}
	for _, tok := range order {
		if perToken[tok] > 3 {
			t.Errorf("token %d: %d starts; want at most 1 + MaxRestarts (2)", tok, perToken[tok])
		}
	}
	if perToken[order[0]] != 3 {
		t.Errorf("first lease: %d starts; want 1 + MaxRestarts = 3", perToken[order[0]])
	}
	// After the services supervisor gave up, nothing runs the child here.
	if got := d.Running(); len(got) != 0 {
		t.Errorf("Running = %v after giving up; want none", got)
	}
	select {
	case s := <-starts:
		t.Errorf("a start after the services supervisor gave up: %+v", s)
	case <-time.After(time.Second): // several ticks of a manager, were one left
	}
}

// TestSingletonIntensity: a singleton whose instance keeps crashing (an
// error and a panic in turn) is restarted at most MaxRestarts times
// within Period on the holding node; then the node's manager reports
// reached_max_restart_intensity and ends, the node's services
// supervisor restarts it (it takes the lease, which still names the
// node, again with a new token), and when that repeats the services
// supervisor gives up in turn: no more starts, and the node holds no
// instance.
func TestSingletonIntensity(t *testing.T) {
	rep := &reports{}
	n := startLocal(t, "crashys-a", cluster.Config{}, process.Config{Logger: slog.New(rep)})
	// A second server, so that JetStream has its cluster (it runs the
	// leases' KV, not the singleton).
	startLocal(t, "crashys-b", cluster.Config{Routes: []string{n.RouteURL()}})
	awaitUp(t, n, "crashys-b")
	awaitJetStream(t, n, "crashys-a", "crashys-b")
	starts := make(chan uint64, 256)
	var runs atomic.Int64
	s, err := n.StartSingleton(cluster.SingletonSpec{
		Name: "crashys", Lease: 1200 * time.Millisecond, MaxRestarts: 2, Period: time.Minute,
		Run: func(p *process.Proc, token uint64) error {
			starts <- token
			if runs.Add(1)%2 == 0 {
				panic("boom")
			}
			return errors.New("boom")
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	otptest.Eventually(t, 40*time.Second, func() bool { return rep.gaveUp("cluster.services") > 0 },
		"the services supervisor gives up after the manager kept reaching its intensity")
	if got := rep.gaveUp("cluster.singleton.manager.crashys"); got < 2 {
		t.Errorf("%d intensity reports of the manager; want at least 2 before the services supervisor gave up", got)
	}
	// Starts per lease (token): the first start and MaxRestarts
	// restarts, never more.
	perToken := map[uint64]int{}
	var order []uint64
	for len(starts) > 0 {
		tok := <-starts
		if perToken[tok] == 0 {
			order = append(order, tok)
		}
		perToken[tok]++
	}
	if len(order) < 2 {
		t.Fatalf("starts by token %v: want the lease taken again by a restarted manager", perToken)
	}
	for i, tok := range order {
		if perToken[tok] > 3 {
			t.Errorf("token %d: %d starts; want at most 1 + MaxRestarts (2)", tok, perToken[tok])
		}
		if i > 0 && tok <= order[i-1] {
			t.Errorf("tokens in start order %v; want them increasing", order)
		}
	}
	if perToken[order[0]] != 3 {
		t.Errorf("first lease: %d starts; want 1 + MaxRestarts = 3", perToken[order[0]])
	}
	// After the services supervisor gave up, nothing runs the instance here.
	if tok := s.Token(); tok != 0 {
		t.Errorf("Token = %d after giving up; want 0", tok)
	}
	select {
	case tok := <-starts:
		t.Errorf("a start (token %d) after the services supervisor gave up", tok)
	case <-time.After(time.Second): // several ticks of a manager, were one left
	}
}
