package schedule

import (
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
	"github.com/seed-fe72f376/orchard/telemetry"
)

const (
	// DefaultDeliveryTimeout bounds one delivery through a [Deliverer]
	// set with [WithDeliverer] (all its retries included).
	DefaultDeliveryTimeout = 30 * time.Second
	// DefaultStoreTimeout bounds one operation on the [Store].
	DefaultStoreTimeout = 3 * time.Second
)

// Option configures [Start] and [StartLink].
type Option interface{ apply(*config) error }

type config struct {
	name            string
	deliverer       Deliverer
	deliveryTimeout time.Duration
	store           Store
	storeTimeout    time.Duration
	codec           *Codec
	telemetry       *telemetry.Registry
	onFailure       func(Failure)
	registries      map[string]*registry.Registry
}

type option func(*config) error

func (f option) apply(c *config) error { return f(c) }

// withDefaults fills in the defaults for a scheduler on node.
func (c *config) withDefaults(node *process.Node) {
	if c.deliveryTimeout == 0 {
		c.deliveryTimeout = DefaultDeliveryTimeout
	}
	if c.storeTimeout == 0 {
		c.storeTimeout = DefaultStoreTimeout
	}
	if c.codec == nil {
		c.codec = NewCodec()
	}
	if c.telemetry == nil {
		c.telemetry = nodeenv.Telemetry(node)
	}
}

// WithName registers the scheduler process under a local name, so
// [For](node.Name(name)) reaches it.
func WithName(name string) Option {
	return option(func(c *config) error {
		if name == "" {
			return invalidOption("schedule: WithName", "name", "is empty")
		}
		c.name = name
		return nil
	})
}

// WithDeliverer makes the scheduler deliver through d, in a delivery
// process of its own per firing, bounded by the delivery timeout. The
// default (no Deliverer) is a liveness-checked send from the scheduler
// process, which fails (matching process.NoProc) when the destination is
// dead or its name is not registered, but neither retries nor waits. An application wires
// a supervised send here (retries, backoff, OnError DeadLetter), so that
// a delivery that exhausts its retries ends as a dead letter.
func WithDeliverer(d Deliverer) Option {
	return option(func(c *config) error {
		if d == nil {
			return invalidOption("schedule: WithDeliverer", "d", "is nil")
		}
		c.deliverer = d
		return nil
	})
}

// WithDeliveryTimeout bounds each delivery through the [Deliverer]
// (default [DefaultDeliveryTimeout]): its context is cancelled then.
func WithDeliveryTimeout(d time.Duration) Option {
	return option(func(c *config) error {
		if d <= 0 {
			return invalidOption("schedule: WithDeliveryTimeout", "d", fmt.Sprintf("must be positive, got %v", d))
		}
		c.deliveryTimeout = d
		return nil
	})
}

// WithStore keeps [Durable] schedules in s, and reloads them when the
// scheduler starts (see "Durability" in the package documentation).
func WithStore(s Store) Option {
	return option(func(c *config) error {
		if s == nil {
			return invalidOption("schedule: WithStore", "s", "is nil")
		}
		c.store = s
		return nil
	})
}

// WithStoreTimeout bounds each Store operation (default
// [DefaultStoreTimeout]).
func WithStoreTimeout(d time.Duration) Option {
	return option(func(c *config) error {
		if d <= 0 {
			return invalidOption("schedule: WithStoreTimeout", "d", fmt.Sprintf("must be positive, got %v", d))
		}
		c.storeTimeout = d
		return nil
	})
}

// WithCodec sets the codec that encodes the messages of durable
// schedules (default: an empty [NewCodec], which knows no type).
func WithCodec(codec *Codec) Option {
	return option(func(c *config) error {
		if codec == nil {
			return invalidOption("schedule: WithCodec", "codec", "is nil")
		}
		c.codec = codec
		return nil
	})
}

// WithTelemetry sets the registry events are emitted on. Nil, the
// default, means the registry of the scheduler's node
// (process.Config.Telemetry), else telemetry.Default().
func WithTelemetry(r *telemetry.Registry) Option {
	return option(func(c *config) error {
		c.telemetry = r
		return nil
	})
}

// WithOnFailure calls fn for every failed delivery, in the scheduler
// process, after the [EventDeliveryFailed] event. fn must not block.
func WithOnFailure(fn func(Failure)) Option {
	return option(func(c *config) error {
		if fn == nil {
			return invalidOption("schedule: WithOnFailure", "fn", "is nil")
		}
		c.onFailure = fn
		return nil
	})
}

// WithRegistry lets reloaded durable schedules whose destination was
// made with [RegistryName](kind, ...) resolve through r again.
func WithRegistry(kind string, r *registry.Registry) Option {
	return option(func(c *config) error {
		if kind == "" || kind == kindName || r == nil {
			return invalidOption("schedule: WithRegistry", "kind or r", fmt.Sprintf("kind %q is reserved or empty, or r is nil", kind))
		}
		if c.registries == nil {
			c.registries = make(map[string]*registry.Registry)
		}
		c.registries[kind] = r
		return nil
	})
}

// ScheduleOption configures one schedule (After, Every, Cron).
type ScheduleOption interface{ applySchedule(*scheduleConfig) error }

type scheduleConfig struct {
	id      ID
	jitter  time.Duration
	owner   process.PID
	owned   bool // owner set explicitly (or explicitly none)
	durable bool
}

type scheduleOption func(*scheduleConfig) error

func (f scheduleOption) applySchedule(c *scheduleConfig) error { return f(c) }

// WithID names the schedule instead of a generated id. Adding a second
// schedule under an id in use fails with [ErrDuplicateID]; a program that
// re-adds its durable schedules at every start uses it to find the
// reloaded one.
func WithID(id ID) ScheduleOption {
	return scheduleOption(func(c *scheduleConfig) error {
		if !validID(id) {
			return invalidOption("schedule: WithID", "id", fmt.Sprintf("%q: want 1 to 128 characters of [A-Za-z0-9_=-]", string(id)))
		}
		c.id = id
		return nil
	})
}

// WithJitter adds a random delay, uniform in [0, d], to every run (for
// Every, after each interval; for Cron, after each matched time), so
// schedules of many nodes do not fire in step.
func WithJitter(d time.Duration) ScheduleOption {
	return scheduleOption(func(c *scheduleConfig) error {
		if d < 0 {
			return invalidOption("schedule: WithJitter", "d", fmt.Sprintf("must not be negative, got %v", d))
		}
		c.jitter = d
		return nil
	})
}

// WithOwner makes pid the schedule's owner instead of the caller's
// process: the schedule is cancelled when pid dies.
func WithOwner(pid process.PID) ScheduleOption {
	return scheduleOption(func(c *scheduleConfig) error {
		if pid.IsZero() {
			return invalidOption("schedule: WithOwner", "pid", "is the zero PID")
		}
		c.owner, c.owned = pid, true
		return nil
	})
}

// WithoutOwner makes the schedule live until it is cancelled or the
// scheduler stops, even when it is added from inside a process.
func WithoutOwner() ScheduleOption {
	return scheduleOption(func(c *scheduleConfig) error {
		c.owner, c.owned = process.PID{}, true
		return nil
	})
}

// Durable keeps the schedule in the scheduler's [Store], so it survives a
// restart. A durable schedule has no owner (a PID does not survive a
// restart either): combined with WithOwner it is refused. Its destination
// must be a process.Name or a [RegistryName] and its message's type must
// be registered in the scheduler's [Codec].
func Durable() ScheduleOption {
	return scheduleOption(func(c *scheduleConfig) error {
		c.durable = true
		return nil
	})
}

func validID(id ID) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case r == '_' || r == '=' || r == '-':
		default:
			return false
		}
	}
	return true
}
