package registry_test

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
)

// ownership mirrors, from listener events alone, which process owns each
// unique key, as a listener keeping a name table would.
type ownership struct {
	mu         sync.Mutex
	owner      map[any]process.PID
	events     map[any]int // events seen per key
	violations []string
	want       chan struct{} // signalled when the awaited key has wantN events
	wantKey    any
	wantN      int
}

func newOwnership() *ownership {
	return &ownership{owner: map[any]process.PID{}, events: map[any]int{}, want: make(chan struct{}, 1)}
}

func (o *ownership) listen(e registry.Event) {
	runtime.Gosched() // a listener slow to record: widens any window between change and event
	o.mu.Lock()
	defer o.mu.Unlock()
	switch e.Op {
	case registry.Registered:
		if cur, ok := o.owner[e.Key]; ok {
			o.violations = append(o.violations, fmt.Sprintf("%v registered %v while the mirror says %v owns it", e.Entry.PID, e.Key, cur))
		}
		o.owner[e.Key] = e.Entry.PID
	case registry.Unregistered:
		if o.owner[e.Key] == e.Entry.PID {
			delete(o.owner, e.Key)
		}
	}
	o.events[e.Key]++
	if e.Key == o.wantKey && o.events[e.Key] == o.wantN {
		o.want <- struct{}{}
	}
}

// await arms the signal for key's nth event; call it before the changes.
func (o *ownership) await(key any, n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.wantKey, o.wantN = key, n
}

func (o *ownership) check(t *testing.T, key any, want process.PID) {
	t.Helper()
	select {
	case <-o.want:
	case <-time.After(timeout):
		t.Fatalf("listener did not see the events of %v within %v", key, timeout)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.violations) > 0 {
		t.Fatalf("listener saw events out of change order: %q", o.violations)
	}
	if got, ok := o.owner[key]; !ok || got != want {
		t.Fatalf("mirror says %v is owned by %v (%v); want %v", key, got, ok, want)
	}
}

// TestListenerOrderPerKey: when process A, holding a unique key, dies
// while process B registers the same key as soon as it is free, a
// listener sees A's Unregistered before B's Registered, whichever
// goroutine delivers them: a mirror of ownership built from the events
// ends with B owning the key, and never sees a key registered twice.
func TestListenerOrderPerKey(t *testing.T) {
	n := otptest.NewNode(t)
	mirror := newOwnership()
	r := newRegistry(t, n, registry.WithListener(mirror.listen))
	rounds := 2000
	if testing.Short() {
		rounds = 200
	}
	for round := range rounds {
		key := fmt.Sprint("k", round)
		a, b := otptest.SpawnIdle(t, n), otptest.SpawnIdle(t, n)
		mirror.await(key, 3) // Registered A, Unregistered A, Registered B
		if err := r.Register(a, key, nil); err != nil {
			t.Fatalf("Register(A) = %v; want nil", err)
		}
		trying, registered := make(chan struct{}), make(chan error, 1)
		go func() { registered <- registerWhenFree(r, b, key, trying) }()
		<-trying // B is retrying: it takes the key as soon as A's exit frees it
		kill(t, n, a, process.Kill)
		if err := <-registered; err != nil {
			t.Fatalf("round %d: Register(B) = %v; want nil", round, err)
		}
		mirror.check(t, key, b)
		kill(t, n, b, process.Kill)
	}
}

// registerWhenFree retries Register(pid, key) while another process holds
// key, for at most timeout, closing trying after the first refusal.
func registerWhenFree(r *registry.Registry, pid process.PID, key any, trying chan struct{}) error {
	deadline := time.Now().Add(timeout)
	for tries := 0; ; tries++ {
		err := r.Register(pid, key, nil)
		if tries == 0 {
			close(trying)
		}
		var taken *registry.AlreadyRegisteredError
		if !errors.As(err, &taken) || time.Now().After(deadline) {
			return err
		}
		runtime.Gosched()
	}
}

// TestListenerRegistersFromCallback: a listener may call Register; it
// does not deadlock, and its own event arrives after the one it reacted
// to, before the triggering Register returns.
func TestListenerRegistersFromCallback(t *testing.T) {
	for _, parts := range []int{1, 8} {
		t.Run(fmt.Sprint(parts, " partitions"), func(t *testing.T) {
			n := otptest.NewNode(t)
			var r *registry.Registry
			var events []string
			var errs []error
			r = newRegistry(t, n, registry.WithPartitions(parts), registry.WithListener(func(e registry.Event) {
				events = append(events, fmt.Sprint(e.Op, " ", e.Key))
				if e.Op == registry.Registered && e.Key == "trigger" {
					errs = append(errs, r.Register(e.Entry.PID, "echo", nil))
					r.Unregister(e.Entry.PID, "trigger")
				}
			}))
			pid := otptest.SpawnIdle(t, n)
			if err := r.Register(pid, "trigger", nil); err != nil {
				t.Fatalf("Register = %v; want nil", err)
			}
			if !slices.Equal(errs, []error{nil}) {
				t.Fatalf("Register from the listener = %v; want [<nil>]", errs)
			}
			want := []string{"registered trigger", "registered echo", "unregistered trigger"}
			if parts == 1 && !slices.Equal(events, want) {
				t.Fatalf("events = %q; want %q", events, want)
			}
			slices.Sort(events)
			slices.Sort(want)
			if !slices.Equal(events, want) {
				t.Fatalf("events = %q; want %q in any order across partitions", events, want)
			}
			if got := r.Keys(pid); !slices.Equal(got, []any{"echo"}) {
				t.Fatalf("Keys = %v; want [echo]", got)
			}
		})
	}
}

// registerUnregisterAllocs is what Register + Unregister of a process
// that keeps another registration (so its exit hook stays) allocated
// before listeners were ordered: the record of the key.
const registerUnregisterAllocs = 1

// TestNoListenerCostsNothing: without listeners, ordering events costs no
// allocation; with one, the queue reaches a steady state that allocates
// nothing either.
func TestNoListenerCostsNothing(t *testing.T) {
	n := otptest.NewNode(t)
	pid := otptest.SpawnIdle(t, n)
	for _, withListener := range []bool{false, true} {
		var opts []registry.Option
		if withListener {
			opts = append(opts, registry.WithListener(func(registry.Event) {}))
		}
		r := newRegistry(t, n, opts...)
		if err := r.Register(pid, "keep", nil); err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(100, func() {
			if err := r.Register(pid, "k", nil); err != nil {
				t.Fatal(err)
			}
			r.Unregister(pid, "k")
		})
		if allocs != registerUnregisterAllocs {
			t.Errorf("listener %v: Register+Unregister allocates %v; want %d", withListener, allocs, registerUnregisterAllocs)
		}
	}
}

// TestListenerPanicKeepsDelivering: a listener's panic reaches the
// goroutine that was delivering, as a plain call would, the event it
// panicked on is not delivered again, and the events queued behind it are
// delivered, still in order, by the next change: delivery is not left
// blocked.
func TestListenerPanicKeepsDelivering(t *testing.T) {
	n := otptest.NewNode(t)
	var r *registry.Registry
	var events []string
	r = newRegistry(t, n, registry.WithPartitions(1), registry.WithListener(func(e registry.Event) {
		events = append(events, fmt.Sprint(e.Op, " ", e.Key))
		if e.Key == "boom" && e.Op == registry.Registered {
			_ = r.Register(e.Entry.PID, "queued", nil) // queued behind "boom"
			panic("listener bug")
		}
	}))
	pid := otptest.SpawnIdle(t, n)
	func() {
		defer func() {
			if p := recover(); p != "listener bug" {
				t.Fatalf("Register recovered %v; want the listener's panic", p)
			}
		}()
		_ = r.Register(pid, "boom", nil)
	}()
	if got := r.Keys(pid); len(got) != 2 {
		t.Fatalf("Keys after the panic = %v; want boom and queued", got)
	}
	if err := r.Register(pid, "after", nil); err != nil {
		t.Fatalf("Register after the panic = %v; want nil", err)
	}
	want := []string{"registered boom", "registered queued", "registered after"}
	if !slices.Equal(events, want) {
		t.Fatalf("events = %q; want %q", events, want)
	}
}
