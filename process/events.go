package process

import "time"

// Event is a lifecycle event published to the hook set with
// [WithEventHook]. The set of events is closed: [Spawned], [Exited] and
// [ZombieDetected].
type Event interface {
	isEvent()
}

// Spawned is published when a process starts.
type Spawned struct {
	PID       PID
	Parent    PID
	Behaviour string
}

// Exited is published when a process dies, after its links and monitors
// were signalled.
type Exited struct {
	PID    PID
	Reason error
	// Lifetime is how long the process lived.
	Lifetime time.Duration
}

// ZombieDetected is published when a killed process's goroutine is still
// running after the node's zombie grace period.
type ZombieDetected struct {
	Zombie ZombieInfo
}

func (Spawned) isEvent()        {}
func (Exited) isEvent()         {}
func (ZombieDetected) isEvent() {}
