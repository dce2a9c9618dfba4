package rt

import (
	"time"

	"github.com/seed-fe72f376/orchard/process"
)

// Event is a lifecycle event of a node's processes, published to the
// hooks set with [WithEventHook]. The set of events is closed: [Spawned],
// [Exited] and [ZombieDetected]. Users see them as telemetry events
// through telemetry/bridge.NodeEvents, which is built on WithEventHook.
type Event interface {
	isEvent()
}

// Spawned is published when a process starts.
type Spawned struct {
	PID       process.PID
	Parent    process.PID
	Behaviour string
}

// Exited is published when a process dies, after it left the node's
// table and names and before its links and monitors are signalled.
type Exited struct {
	PID    process.PID
	Reason error
	// Lifetime is how long the process lived.
	Lifetime time.Duration
}

// ZombieDetected is published when a killed process's goroutine is still
// running after the node's zombie grace period, and again for each zombie
// left when the node stops.
type ZombieDetected struct {
	Zombie process.ZombieInfo
}

func (Spawned) isEvent()        {}
func (Exited) isEvent()         {}
func (ZombieDetected) isEvent() {}

// WithEventHook returns a node option that calls hook with every
// lifecycle [Event] of the node's processes. hook runs synchronously on
// the goroutine where the event happened (the spawner's, the one ending
// the process, the zombie timer's) and must not block. Hooks of several
// WithEventHook options all run, in the order of the options. A nil hook
// gives an option that process.NewNode refuses with an error matching
// process.ErrInvalidArgument.
func WithEventHook(hook func(Event)) process.Option {
	if hook == nil {
		return impl.EventHook(nil, nil, nil)
	}
	return impl.EventHook(
		func(pid, parent process.PID, behaviour string) {
			hook(Spawned{PID: pid, Parent: parent, Behaviour: behaviour})
		},
		func(pid process.PID, reason error, lifetime time.Duration) {
			hook(Exited{PID: pid, Reason: reason, Lifetime: lifetime})
		},
		func(z process.ZombieInfo) { hook(ZombieDetected{Zombie: z}) },
	)
}
