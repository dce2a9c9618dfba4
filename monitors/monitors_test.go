package monitors_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/monitors"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

const timeout = 5 * time.Second

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// kill kills pid and waits until it is dead: its monitors are gone then.
func kill(t testing.TB, n *process.Node, pid process.PID) {
	t.Helper()
	tg, err := rt.LookupOn(n, pid)
	if err != nil {
		return
	}
	if err := n.Exit(pid, process.Kill); err != nil {
		t.Fatalf("Exit(%v): %v", pid, err)
	}
	<-tg.Done()
}

func newManager(t testing.TB, n *process.Node, opts ...monitors.Option) *monitors.Manager {
	t.Helper()
	m, err := monitors.New(n, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

// recorder collects telemetry events by name.
type recorder struct {
	mu     sync.Mutex
	events map[string][]telemetry.Metadata
}

func record(t testing.TB, events ...string) (*telemetry.Registry, *recorder) {
	t.Helper()
	reg := telemetry.New()
	rec := &recorder{events: map[string][]telemetry.Metadata{}}
	err := reg.Attach("test", events, func(ev string, _ telemetry.Measurements, md telemetry.Metadata) {
		rec.mu.Lock()
		rec.events[ev] = append(rec.events[ev], md)
		rec.mu.Unlock()
	})
	if err != nil {
		t.Fatalf("Attach: %v", err)
	}
	return reg, rec
}

func (r *recorder) get(ev string) []telemetry.Metadata {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]telemetry.Metadata(nil), r.events[ev]...)
}

func wantStats(t *testing.T, m *monitors.Manager, want monitors.Stats) {
	t.Helper()
	if got := m.Stats(); got != want {
		t.Errorf("Stats() = %+v; want %+v", got, want)
	}
}

func TestTracksMonitors(t *testing.T) {
	node := otptest.NewNode(t)
	m := newManager(t, node)
	caller, a, b := otptest.SpawnIdle(t, node), otptest.SpawnIdle(t, node), otptest.SpawnIdle(t, node)
	refA, err := m.Monitor(caller, a, "a")
	if err != nil {
		t.Fatalf("Monitor(a) = %v", err)
	}
	refB, err := m.Monitor(caller, b, "b")
	if err != nil {
		t.Fatalf("Monitor(b) = %v", err)
	}
	if refA == refB || refA.IsZero() {
		t.Fatalf("refs %v, %v; want distinct non-zero", refA, refB)
	}
	list := m.List()
	if len(list) != 2 {
		t.Fatalf("List() = %+v; want 2 monitors", list)
	}
	for i, want := range []struct {
		ref    monitors.Ref
		target process.PID
		tag    string
	}{{refA, a, "a"}, {refB, b, "b"}} {
		got := list[i]
		if got.Ref != want.ref || got.Caller != caller || got.Target != want.target || got.Tag != want.tag || !got.TargetAlive || got.Age < 0 {
			t.Errorf("List()[%d] = %+v; want ref %v target %v tag %q alive", i, got, want.ref, want.target, want.tag)
		}
	}
	wantStats(t, m, monitors.Stats{Created: 2, Active: 2})
	if err := m.Demonitor(refA); err != nil {
		t.Fatalf("Demonitor(%v) = %v", refA, err)
	}
	wantStats(t, m, monitors.Stats{Created: 2, Demonitored: 1, Active: 1})
}

func TestTargetDeathNotifiesCaller(t *testing.T) {
	node := otptest.NewNode(t)
	reg, rec := record(t, monitors.EventCreated, monitors.EventCleaned)
	m := newManager(t, node, monitors.WithTelemetry(reg))
	caller := otptest.NewProbe(t, node)
	target := otptest.SpawnIdle(t, node)
	ref, err := m.Monitor(caller.PID(), target, "job")
	if err != nil {
		t.Fatalf("Monitor = %v", err)
	}
	kill(t, node, target)
	wantStats(t, m, monitors.Stats{Created: 1, Cleaned: 1})
	got := caller.Expect(t, timeout)
	want := monitors.Down{Ref: ref, Target: target, Tag: "job", Reason: process.Killed}
	if got != want {
		t.Errorf("caller got %#v; want %#v", got, want)
	}
	if len(rec.get(monitors.EventCreated)) != 1 {
		t.Errorf("created events = %v; want 1", rec.get(monitors.EventCreated))
	}
	cleaned := rec.get(monitors.EventCleaned)
	if len(cleaned) != 1 || cleaned[0]["cause"] != monitors.CauseTargetDown || cleaned[0]["tag"] != "job" {
		t.Errorf("cleaned events = %v; want one %s", cleaned, monitors.CauseTargetDown)
	}
	if err := m.Demonitor(ref); !errors.Is(err, monitors.ErrNotFound) {
		t.Errorf("Demonitor(fired) = %v; want ErrNotFound", err)
	}
}

func TestCallerDeathCleansUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		reg, rec := record(t, monitors.EventCleaned)
		m := newManager(t, node, monitors.WithTelemetry(reg))
		caller, target := otptest.SpawnIdle(t, node), otptest.NewProbe(t, node)
		if _, err := m.Monitor(caller, target.PID(), "x"); err != nil {
			t.Fatalf("Monitor = %v", err)
		}
		kill(t, node, caller)
		wantStats(t, m, monitors.Stats{Created: 1, Cleaned: 1})
		if l := m.List(); len(l) != 0 {
			t.Errorf("List() = %+v; want none", l)
		}
		cleaned := rec.get(monitors.EventCleaned)
		if len(cleaned) != 1 || cleaned[0]["cause"] != monitors.CauseCallerDown || cleaned[0]["reason"] != process.Killed {
			t.Errorf("cleaned events = %v; want one %s", cleaned, monitors.CauseCallerDown)
		}
		target.ExpectNone(t, time.Second)
	})
}

func TestDetectsLeaks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		reg, rec := record(t, monitors.EventLeakDetected, monitors.EventLeakCheck)
		m := newManager(t, node, monitors.WithTelemetry(reg),
			monitors.WithLeakThreshold(time.Minute), monitors.WithCheckInterval(30*time.Second))
		caller, old, young := otptest.SpawnIdle(t, node), otptest.SpawnIdle(t, node), otptest.SpawnIdle(t, node)
		oldRef, _ := m.Monitor(caller, old, "old")
		time.Sleep(45 * time.Second)
		if _, err := m.Monitor(caller, young, "young"); err != nil {
			t.Fatalf("Monitor = %v", err)
		}
		time.Sleep(50 * time.Second) // checks at 30 s, 60 s and 90 s ran
		synctest.Wait()
		leaks := rec.get(monitors.EventLeakDetected)
		if len(leaks) != 1 || leaks[0]["ref"] != oldRef || leaks[0]["tag"] != "old" {
			t.Fatalf("leak events = %v; want one for %v", leaks, oldRef)
		}
		if got := m.FindLeaks(time.Minute); len(got) != 1 || got[0].Ref != oldRef || got[0].Age != 95*time.Second {
			t.Errorf("FindLeaks(1m) = %+v; want %v aged 95s", got, oldRef)
		}
		if got := m.FindLeaks(10 * time.Second); len(got) != 2 || got[0].Tag != "old" || got[1].Tag != "young" {
			t.Errorf("FindLeaks(10s) = %+v; want old, young", got)
		}
		if checks := len(rec.get(monitors.EventLeakCheck)); checks != 3 {
			t.Errorf("leak checks = %d; want 3", checks)
		}
		time.Sleep(time.Minute) // the old one is not reported again
		synctest.Wait()
		if got := len(rec.get(monitors.EventLeakDetected)); got != 2 {
			t.Errorf("leak events = %d; want 2 (old once, then young)", got)
		}
		if s := m.Stats(); s.Leaked != 2 || s.Active != 2 {
			t.Errorf("Stats() = %+v; want Leaked 2, Active 2", s)
		}
	})
}

func TestDemonitorUnknownRef(t *testing.T) {
	node := otptest.NewNode(t)
	m := newManager(t, node)
	var unknown monitors.Ref // the zero Ref names no monitor
	err := m.Demonitor(unknown)
	var nf *monitors.NotFoundError
	if !errors.As(err, &nf) || nf.Ref != unknown || !errors.Is(err, monitors.ErrNotFound) {
		t.Errorf("Demonitor(unknown) = %v; want *NotFoundError{%v}", err, unknown)
	}
	ref, _ := m.Monitor(otptest.SpawnIdle(t, node), otptest.SpawnIdle(t, node), "t")
	if err := m.Demonitor(ref); err != nil {
		t.Fatalf("Demonitor = %v", err)
	}
	if err := m.Demonitor(ref); !errors.Is(err, monitors.ErrNotFound) {
		t.Errorf("second Demonitor = %v; want ErrNotFound", err)
	}
}

func TestMonitorDeadTargetGivesNoProc(t *testing.T) {
	node := otptest.NewNode(t)
	reg, rec := record(t, monitors.EventCleaned)
	m := newManager(t, node, monitors.WithTelemetry(reg))
	caller := otptest.NewProbe(t, node)
	dead := otptest.SpawnIdle(t, node)
	kill(t, node, dead)
	ref, err := m.Monitor(caller.PID(), dead, "late")
	if err != nil || ref.IsZero() {
		t.Fatalf("Monitor(dead) = %v, %v; want a ref and nil", ref, err)
	}
	got := caller.Expect(t, timeout)
	want := monitors.Down{Ref: ref, Target: dead, Tag: "late", Reason: process.NoProc}
	if got != want {
		t.Errorf("caller got %#v; want %#v", got, want)
	}
	wantStats(t, m, monitors.Stats{Created: 1, Cleaned: 1})
	if c := rec.get(monitors.EventCleaned); len(c) != 1 || c[0]["cause"] != monitors.CauseNoProc {
		t.Errorf("cleaned events = %v; want one %s", c, monitors.CauseNoProc)
	}
}

func TestSelfMonitorNeverFires(t *testing.T) {
	node := otptest.NewNode(t)
	m := newManager(t, node)
	self := otptest.NewProbe(t, node)
	if _, err := m.Monitor(self.PID(), self.PID(), "self"); err != nil {
		t.Fatalf("Monitor(self) = %v", err)
	}
	kill(t, node, self.PID())
	wantStats(t, m, monitors.Stats{Created: 1, Cleaned: 1})
	if n := self.Len(); n != 0 {
		t.Errorf("self got %d messages; want none", n)
	}
}

func TestMonitorBadPIDs(t *testing.T) {
	node := otptest.NewNode(t)
	m := newManager(t, node)
	live := otptest.SpawnIdle(t, node)
	dead := otptest.SpawnIdle(t, node)
	kill(t, node, dead)
	var ce *monitors.CallerError
	if _, err := m.Monitor(process.PID{}, live, "t"); !errors.As(err, &ce) || !errors.Is(err, process.ErrInvalidPID) {
		t.Errorf("Monitor(zero caller) = %v; want *CallerError wrapping ErrInvalidPID", err)
	}
	if _, err := m.Monitor(dead, live, "t"); !errors.As(err, &ce) || !errors.Is(err, process.NoProc) {
		t.Errorf("Monitor(dead caller) = %v; want *CallerError wrapping NoProc", err)
	}
	if _, err := m.Monitor(live, process.PID{}, "t"); !errors.Is(err, process.ErrInvalidPID) {
		t.Errorf("Monitor(zero target) = %v; want ErrInvalidPID", err)
	}
	other := otptest.SpawnIdle(t, otptest.NewNode(t))
	var wn *process.WrongNodeError
	if _, err := m.Monitor(other, live, "t"); !errors.As(err, &ce) || !errors.As(err, &wn) {
		t.Errorf("Monitor(caller of another node) = %v; want *CallerError wrapping *WrongNodeError", err)
	}
	if _, err := m.Monitor(live, other, "t"); !errors.As(err, &wn) {
		t.Errorf("Monitor(target of another node) = %v; want *WrongNodeError", err)
	}
	wantStats(t, m, monitors.Stats{})
	for _, tc := range []struct {
		name string
		opt  monitors.Option
	}{
		{"threshold", monitors.WithLeakThreshold(0)},
		{"interval", monitors.WithCheckInterval(-time.Second)},
		{"shards", monitors.WithShards(0)},
		{"nil", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := monitors.New(node, tc.opt); !errors.Is(err, monitors.ErrInvalidOption) {
				t.Errorf("New(%s) = %v; want ErrInvalidOption", tc.name, err)
			}
		})
	}
	if _, err := monitors.New(nil); !errors.Is(err, monitors.ErrInvalidOption) {
		t.Errorf("New(nil) = %v; want ErrInvalidOption", err)
	}
}

func TestClose(t *testing.T) {
	node := otptest.NewNode(t)
	m, err := monitors.New(node)
	if err != nil {
		t.Fatal(err)
	}
	caller, target := otptest.NewProbe(t, node), otptest.SpawnIdle(t, node)
	ref, _ := m.Monitor(caller.PID(), target, "t")
	if err := m.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if node.IsAlive(m.Checker()) {
		t.Errorf("leak-check process %v alive after Close", m.Checker())
	}
	if err := m.Close(); !errors.Is(err, monitors.ErrClosed) {
		t.Errorf("second Close = %v; want ErrClosed", err)
	}
	if _, err := m.Monitor(caller.PID(), target, "t"); !errors.Is(err, monitors.ErrClosed) {
		t.Errorf("Monitor after Close = %v; want ErrClosed", err)
	}
	if err := m.Demonitor(ref); !errors.Is(err, monitors.ErrClosed) {
		t.Errorf("Demonitor after Close = %v; want ErrClosed", err)
	}
	kill(t, node, target)
	if n := caller.Len(); n != 0 {
		t.Errorf("caller got %d messages after Close; want none", n)
	}
	wantStats(t, m, monitors.Stats{Created: 1, Demonitored: 1})
}

func TestCheckerStopsWithNode(t *testing.T) {
	node := otptest.NewNode(t)
	m := newManager(t, node)
	if !node.IsAlive(m.Checker()) {
		t.Fatalf("leak-check process %v not alive", m.Checker())
	}
	// otptest's cleanup fails the test if the node leaves it running.
}

// TestRandomDeathsLeaveNoStaleEntries: goroutines make and drop monitors
// among a set of processes while others kill them at random; once every
// process is dead, no monitor is left and the counters add up.
func TestRandomDeathsLeaveNoStaleEntries(t *testing.T) {
	node := otptest.NewNode(t)
	m := newManager(t, node, monitors.WithShards(3))
	const procs, workers, ops = 64, 4, 2000
	pids := make([]process.PID, procs)
	for i := range pids {
		pids[i] = otptest.SpawnIdle(t, node)
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			var refs []monitors.Ref
			for range ops {
				switch r := rng.IntN(10); {
				case r < 6:
					ref, err := m.Monitor(pids[rng.IntN(procs)], pids[rng.IntN(procs)], "fuzz")
					if err == nil {
						refs = append(refs, ref)
					}
				case r < 9 && len(refs) > 0:
					i := rng.IntN(len(refs))
					_ = m.Demonitor(refs[i])
					refs = append(refs[:i], refs[i+1:]...)
				default:
					_ = node.Exit(pids[rng.IntN(procs)], process.Kill)
				}
			}
		}()
	}
	wg.Wait()
	for _, pid := range pids {
		kill(t, node, pid)
	}
	s := m.Stats()
	if s.Active != 0 || s.Created != s.Cleaned+s.Demonitored || s.Created == 0 {
		t.Errorf("Stats() = %+v; want Active 0 and Created = Cleaned + Demonitored", s)
	}
	if l := m.List(); len(l) != 0 {
		t.Errorf("List() = %+v; want none", l)
	}
}

func TestRefusedDownIsCounted(t *testing.T) {
	node := otptest.NewNode(t)
	reg, rec := record(t, monitors.EventUndelivered)
	m := newManager(t, node, monitors.WithTelemetry(reg))
	caller, err := node.Spawn(func(p *process.Proc) error {
		<-p.Done()
		return nil
	}, process.WithMailbox(1, process.RejectWhenFull()))
	if err != nil {
		t.Fatal(err)
	}
	if err := node.Send(caller, "fill"); err != nil {
		t.Fatal(err)
	}
	target := otptest.SpawnIdle(t, node)
	if _, err := m.Monitor(caller, target, "full"); err != nil {
		t.Fatal(err)
	}
	kill(t, node, target)
	if s := m.Stats(); s.Undelivered != 1 || s.Active != 0 {
		t.Errorf("Stats() = %+v; want Undelivered 1, Active 0", s)
	}
	if u := rec.get(monitors.EventUndelivered); len(u) != 1 || !errors.Is(u[0]["reason"].(error), process.ErrMailboxFull) {
		t.Errorf("undelivered events = %v; want one ErrMailboxFull", u)
	}
}

// watcher is a genserver that keeps the Downs it receives.
type watcher struct{ downs []monitors.Down }

func (w *watcher) Init(*genserver.Self) error { return nil }

func (w *watcher) HandleInfo(_ *genserver.Self, msg any) error {
	if d, ok := msg.(monitors.Down); ok {
		w.downs = append(w.downs, d)
	}
	return nil
}

func (w *watcher) HandleCall(*genserver.Self, genserver.From, any) (any, error) {
	return append([]monitors.Down(nil), w.downs...), nil
}

func TestGenServerCallerGetsDownInHandleInfo(t *testing.T) {
	node := otptest.NewNode(t)
	m := newManager(t, node)
	srv, err := genserver.Start(node, &watcher{})
	if err != nil {
		t.Fatal(err)
	}
	target := otptest.SpawnIdle(t, node)
	ref, _ := m.Monitor(srv, target, "worker")
	if err := node.Exit(target, process.Shutdown); err != nil {
		t.Fatal(err)
	}
	// Exit ends the target before it returns, and the Down was queued by
	// its exit hook, so it is ahead of this call in the server's mailbox.
	downs, err := genserver.Call[[]monitors.Down](context.Background(), srv, "downs")
	if err != nil {
		t.Fatalf("Call = %v", err)
	}
	want := monitors.Down{Ref: ref, Target: target, Tag: "worker", Reason: process.Shutdown}
	if len(downs) != 1 || downs[0] != want {
		t.Errorf("server got %+v; want [%+v]", downs, want)
	}
}
