package registry_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
	"github.com/seed-fe72f376/orchard/supervisor"
)

const timeout = 5 * time.Second

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// kill kills pid and waits until it is gone (its exit hooks have run).
func kill(t testing.TB, n *process.Node, pid process.PID, reason error) {
	t.Helper()
	target, err := rt.LookupOn(n, pid)
	if err != nil {
		return
	}
	if err := n.Exit(pid, reason); err != nil {
		t.Fatalf("Exit = %v; want nil", err)
	}
	<-target.Done()
}

func newRegistry(t testing.TB, n *process.Node, opts ...registry.Option) *registry.Registry {
	t.Helper()
	r, err := registry.New(n, opts...)
	if err != nil {
		t.Fatalf("New = %v; want nil", err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func TestUnique(t *testing.T) {
	n := otptest.NewNode(t)
	r := newRegistry(t, n)
	a, b := otptest.SpawnIdle(t, n), otptest.SpawnIdle(t, n)
	if err := r.Register(a, "k", 1); err != nil {
		t.Fatalf("Register = %v; want nil", err)
	}
	err := r.Register(b, "k", 2)
	var already *registry.AlreadyRegisteredError
	if !errors.As(err, &already) || already.PID != a || !errors.Is(err, process.ErrNameTaken) {
		t.Fatalf("Register(taken) = %v; want *AlreadyRegisteredError{PID: %v}", err, a)
	}
	if got := r.Lookup("k"); !slices.Equal(got, []registry.Entry{{PID: a, Value: 1}}) {
		t.Fatalf("Lookup = %v; want [{%v 1}]", got, a)
	}
	if got := r.Lookup("none"); got != nil {
		t.Fatalf("Lookup(none) = %v; want nil", got)
	}
	if c := r.CountKey("k"); c != 1 {
		t.Fatalf("CountKey = %d; want 1", c)
	}
	r.Unregister(a, "k")
	if err := r.Register(b, "k", 2); err != nil {
		t.Fatalf("Register after Unregister = %v; want nil", err)
	}
	if pid, ok := r.WhereIs("k"); !ok || pid != b {
		t.Fatalf("WhereIs = %v, %v; want %v, true", pid, ok, b)
	}
	kill(t, n, b, errors.New("crash"))
	if c := r.Count(); c != 0 {
		t.Fatalf("Count after death = %d; want 0", c)
	}
	if err := r.Register(a, "k", 3); err != nil {
		t.Fatalf("Register after holder died = %v; want nil", err)
	}
	dead := otptest.SpawnIdle(t, n)
	kill(t, n, dead, process.Kill)
	if err := r.Register(dead, "x", nil); !errors.Is(err, process.NoProc) {
		t.Fatalf("Register(dead) = %v; want NoProc", err)
	}
}

func TestDuplicateAndKeys(t *testing.T) {
	n := otptest.NewNode(t)
	r := newRegistry(t, n, registry.WithKeys(registry.Duplicate), registry.WithPartitions(4))
	a, b := otptest.SpawnIdle(t, n), otptest.SpawnIdle(t, n)
	for _, reg := range []struct {
		pid process.PID
		key string
		val int
	}{{a, "topic", 1}, {a, "topic", 2}, {b, "topic", 3}, {a, "other", 4}} {
		if err := r.Register(reg.pid, reg.key, reg.val); err != nil {
			t.Fatalf("Register(%v, %q) = %v; want nil", reg.pid, reg.key, err)
		}
	}
	if c := r.CountKey("topic"); c != 3 {
		t.Fatalf("CountKey = %d; want 3", c)
	}
	vals := r.Values("topic", a)
	slices.SortFunc(vals, func(x, y any) int { return x.(int) - y.(int) })
	if !slices.Equal(vals, []any{1, 2}) {
		t.Fatalf("Values = %v; want [1 2]", vals)
	}
	keys := r.Keys(a)
	slices.SortFunc(keys, func(x, y any) int { return compareStr(x.(string), y.(string)) })
	if !slices.Equal(keys, []any{"other", "topic", "topic"}) {
		t.Fatalf("Keys = %v; want [other topic topic]", keys)
	}
	big := r.Match("topic", func(v any) bool { return v.(int) >= 2 })
	if len(big) != 2 {
		t.Fatalf("Match = %v; want 2 entries", big)
	}
	var seen int
	r.Dispatch("topic", func(es []registry.Entry) { seen = len(es) })
	if seen != 3 {
		t.Fatalf("Dispatch saw %d; want 3", seen)
	}
	r.Dispatch("nobody", func([]registry.Entry) { t.Error("Dispatch called fn for no entries") })
	if err := r.UpdateValue(a, "topic", func(any) any { return 0 }); !errors.Is(err, registry.ErrNotUnique) {
		t.Fatalf("UpdateValue(duplicate) = %v; want ErrNotUnique", err)
	}
	kill(t, n, a, process.ShutdownWith("bye"))
	if c := r.Count(); c != 1 {
		t.Fatalf("Count after death = %d; want 1", c)
	}
	if got := r.Keys(a); got != nil {
		t.Fatalf("Keys(dead) = %v; want nil", got)
	}
}

func compareStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestUpdateValue(t *testing.T) {
	n := otptest.NewNode(t)
	r := newRegistry(t, n)
	a, b := otptest.SpawnIdle(t, n), otptest.SpawnIdle(t, n)
	if err := r.Register(a, "counter", 1); err != nil {
		t.Fatalf("Register = %v", err)
	}
	if err := r.UpdateValue(a, "counter", func(old any) any { return old.(int) + 1 }); err != nil {
		t.Fatalf("UpdateValue = %v; want nil", err)
	}
	if got := r.Values("counter", a); !slices.Equal(got, []any{2}) {
		t.Fatalf("Values = %v; want [2]", got)
	}
	if err := r.UpdateValue(b, "counter", func(any) any { return 0 }); !errors.Is(err, registry.ErrNotRegistered) {
		t.Fatalf("UpdateValue(other pid) = %v; want ErrNotRegistered", err)
	}
}

func TestListeners(t *testing.T) {
	n := otptest.NewNode(t)
	var mu sync.Mutex
	var events []string
	r := newRegistry(t, n, registry.WithListener(func(e registry.Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, fmt.Sprintf("%v %v %v %v", e.Op, e.Key, e.Entry.Value, e.Reason))
	}))
	a := otptest.SpawnIdle(t, n)
	_ = r.Register(a, "x", 1)
	_ = r.Register(a, "y", 2)
	r.Unregister(a, "x")
	kill(t, n, a, process.Kill)
	mu.Lock()
	defer mu.Unlock()
	want := []string{"registered x 1 <nil>", "registered y 2 <nil>", "unregistered x 1 <nil>", "unregistered y 2 killed"}
	if !slices.Equal(events, want) {
		t.Fatalf("events = %q; want %q", events, want)
	}
}

func TestOptionsAndClose(t *testing.T) {
	n := otptest.NewNode(t)
	if _, err := registry.New(n, registry.WithPartitions(0)); !errors.Is(err, registry.ErrInvalidOption) {
		t.Fatalf("New(WithPartitions(0)) = %v; want ErrInvalidOption", err)
	}
	if _, err := registry.New(nil); !errors.Is(err, registry.ErrInvalidOption) {
		t.Fatalf("New(nil) = %v; want ErrInvalidOption", err)
	}
	r := newRegistry(t, n)
	a := otptest.SpawnIdle(t, n)
	_ = r.Register(a, "k", nil)
	if err := r.Close(); err != nil {
		t.Fatalf("Close = %v; want nil", err)
	}
	if err := r.Close(); !errors.Is(err, registry.ErrClosed) {
		t.Fatalf("second Close = %v; want ErrClosed", err)
	}
	if err := r.Register(a, "k", nil); !errors.Is(err, registry.ErrClosed) {
		t.Fatalf("Register after Close = %v; want ErrClosed", err)
	}
	if r.Count() != 0 || r.Lookup("k") != nil {
		t.Fatalf("Count, Lookup after Close = %d, %v; want 0, nil", r.Count(), r.Lookup("k"))
	}
}

// TestRandomCrashesLeaveNoStaleEntries kills 1,000 registered processes
// with assorted reasons and checks that nothing they registered is left.
func TestRandomCrashesLeaveNoStaleEntries(t *testing.T) {
	n := otptest.NewNode(t)
	for _, kind := range []registry.Keys{registry.Unique, registry.Duplicate} {
		t.Run(kind.String(), func(t *testing.T) {
			var removed atomic.Int64
			r := newRegistry(t, n, registry.WithKeys(kind), registry.WithListener(func(e registry.Event) {
				if e.Op == registry.Unregistered {
					removed.Add(1)
				}
			}))
			reasons := []error{process.Kill, process.Shutdown, process.ShutdownWith("x"), errors.New("crash"), process.Normal}
			const procs = 1000
			pids := make([]process.PID, procs)
			total := 0
			for i := range pids {
				pid, err := n.Spawn(func(p *process.Proc) error {
					if _, err := p.Receive(p.Context()); err != nil {
						return err
					}
					panic("crash by message")
				})
				if err != nil {
					t.Fatalf("Spawn = %v", err)
				}
				pids[i] = pid
				for k := range rand.IntN(3) + 1 {
					key := any(fmt.Sprintf("p%d-%d", i, k))
					if kind == registry.Duplicate {
						key = k // shared keys
					}
					if err := r.Register(pid, key, i); err != nil {
						t.Fatalf("Register = %v", err)
					}
					total++
				}
			}
			if c := r.Count(); c != total {
				t.Fatalf("Count = %d; want %d", c, total)
			}
			for _, i := range rand.Perm(procs) {
				if i%7 == 0 {
					_ = n.Send(pids[i], "die") // a panic
					continue
				}
				// Normal sent by another is ignored (OTP): those are
				// killed below.
				_ = n.Exit(pids[i], reasons[rand.IntN(len(reasons))])
			}
			for _, pid := range pids {
				_ = n.Exit(pid, process.Kill)
			}
			otptest.Eventually(t, timeout, func() bool { return removed.Load() == int64(total) }, "listener saw every removal")
			if c := r.Count(); c != 0 {
				t.Fatalf("Count = %d; want 0", c)
			}
			for i, pid := range pids {
				if keys := r.Keys(pid); keys != nil {
					t.Fatalf("Keys(%d) = %v; want nil", i, keys)
				}
			}
			for k := range 3 {
				if got := r.Lookup(k); got != nil {
					t.Fatalf("Lookup(%d) = %v; want nil", k, got)
				}
			}
		})
	}
}

func TestConcurrentRegisterLookup(t *testing.T) {
	n := otptest.NewNode(t)
	r := newRegistry(t, n, registry.WithPartitions(8))
	const workers, per = 8, 200
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range per {
				pid := otptest.SpawnIdle(t, n)
				key := fmt.Sprint(w, "-", i)
				if err := r.Register(pid, key, i); err != nil {
					t.Errorf("Register = %v", err)
					return
				}
				if got, ok := r.WhereIs(key); !ok || got != pid {
					t.Errorf("WhereIs(%q) = %v, %v; want %v", key, got, ok, pid)
				}
				_ = r.Lookup(fmt.Sprint((w+1)%workers, "-", i))
				if i%2 == 0 {
					kill(t, n, pid, process.Kill)
				}
			}
		})
	}
	wg.Wait()
	if c := r.Count(); c != workers*per/2 {
		t.Fatalf("Count = %d; want %d", c, workers*per/2)
	}
}

// echo is a genserver that answers calls with its PID and crashes on any
// cast.
type echo struct{}

func (echo) Init(*genserver.Self) error { return nil }
func (echo) HandleCall(s *genserver.Self, _ genserver.From, _ any) (any, error) {
	return s.PID(), nil
}
func (echo) HandleCast(*genserver.Self, any) error { return errors.New("crash") }

func TestViaUnderSupervisor(t *testing.T) {
	n := otptest.NewNode(t)
	r := newRegistry(t, n)
	name := registry.Via(r, "worker")
	started := make(chan process.PID, 4)
	sup, err := supervisor.Start(n, supervisor.Spec{
		Flags: supervisor.DefaultFlags(),
		Children: []supervisor.ChildSpec{{
			ID: "worker",
			Start: func(p *process.Proc) (process.PID, error) {
				pid, err := genserver.StartLink(p, echo{}, genserver.WithVia(name))
				if err == nil {
					started <- pid
				}
				return pid, err
			},
		}},
	}, supervisor.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("supervisor.Start = %v", err)
	}
	t.Cleanup(func() { _ = n.Exit(sup, process.Shutdown) })
	first := <-started
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if got, err := genserver.Call[process.PID](ctx, name, "who"); err != nil || got != first {
		t.Fatalf("Call(via) = %v, %v; want %v", got, err, first)
	}
	// A second server under the same name is refused.
	_, err = genserver.Start(n, echo{}, genserver.WithVia(name))
	var already *genserver.AlreadyStartedError
	if !errors.As(err, &already) || already.PID != first {
		t.Fatalf("Start(taken) = %v; want *AlreadyStartedError{PID: %v}", err, first)
	}
	if err := genserver.Cast(name, "crash"); err != nil {
		t.Fatalf("Cast = %v", err)
	}
	second := <-started
	if second == first {
		t.Fatalf("restart kept the PID %v", first)
	}
	if got, err := genserver.Call[process.PID](ctx, name, "who"); err != nil || got != second {
		t.Fatalf("Call(via) after restart = %v, %v; want %v", got, err, second)
	}
	missing := registry.Via(r, "missing")
	if _, err := missing.Resolve(); !errors.Is(err, process.NoProc) {
		t.Fatalf("Resolve(missing) = %v; want NoProc", err)
	}
}

// A via-name is what genserver.WithVia takes.
var _ genserver.Registrar = registry.ViaName{}
