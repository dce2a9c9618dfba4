package registry

import (
	"fmt"
	"runtime"
)

// Keys is the kind of keys a registry holds.
type Keys int

const (
	// Unique keys: at most one registration per key (Elixir keys: :unique).
	Unique Keys = iota
	// Duplicate keys: any number of registrations per key, including
	// several by one process (Elixir keys: :duplicate).
	Duplicate
)

// String returns "unique" or "duplicate".
func (k Keys) String() string {
	switch k {
	case Unique:
		return "unique"
	case Duplicate:
		return "duplicate"
	}
	return fmt.Sprintf("Keys(%d)", int(k))
}

// Option configures [New].
type Option interface{ apply(*config) error }

type config struct {
	keys       Keys
	partitions int
	listeners  []func(Event)
}

type option func(*config) error

func (f option) apply(c *config) error { return f(c) }

func (c *config) withDefaults() {
	if c.partitions == 0 {
		c.partitions = runtime.GOMAXPROCS(0)
	}
}

// WithKeys sets the kind of keys. The default is [Unique].
func WithKeys(k Keys) Option {
	return option(func(c *config) error {
		if k != Unique && k != Duplicate {
			return fmt.Errorf("%w: WithKeys(%v)", ErrInvalidOption, k)
		}
		c.keys = k
		return nil
	})
}

// WithPartitions sets the number of partitions, which must be positive.
// The default is runtime.GOMAXPROCS(0) at New.
func WithPartitions(n int) Option {
	return option(func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("%w: WithPartitions(%d): must be positive", ErrInvalidOption, n)
		}
		c.partitions = n
		return nil
	})
}

// WithListener adds fn as a listener: it is called once per registration
// made and once per registration removed (by Unregister or because its
// process died), after the change is visible, outside the registry's
// locks (Elixir's :listeners). The events of one key reach every listener
// in the order its changes were made, whichever goroutines made them;
// events of different keys may interleave in any order.
//
// fn runs on a goroutine changing the registry: the one that made the
// change (for a death, the goroutine ending the process) or another one
// already delivering events of keys in the same partition, possibly after
// the call that made the change has returned. The goroutine that
// delivers goes on while changes keep coming in that partition, so under
// steady churn a Register or an exit may deliver many others' events. So
// fn must not block, and the other events of its partition wait while it
// runs; to hand the event to a process, Send it. fn may call the registry: the events of its own
// changes follow the one it is handling. A panic in fn reaches the
// goroutine delivering the event; the events queued behind it are
// delivered with the next change of their partition.
func WithListener(fn func(Event)) Option {
	return option(func(c *config) error {
		if fn == nil {
			return fmt.Errorf("%w: WithListener(nil)", ErrInvalidOption)
		}
		c.listeners = append(c.listeners, fn)
		return nil
	})
}

// Op is what happened to a registration.
type Op int

const (
	// Registered: Register succeeded.
	Registered Op = iota
	// Unregistered: Unregister removed the entry, or its process died.
	Unregistered
)

// String returns "registered" or "unregistered".
func (o Op) String() string {
	switch o {
	case Registered:
		return "registered"
	case Unregistered:
		return "unregistered"
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

// Event is what a listener receives.
type Event struct {
	Op    Op
	Key   any
	Entry Entry
	// Reason is the exit reason when the entry was removed because its
	// process died; nil otherwise.
	Reason error
}
