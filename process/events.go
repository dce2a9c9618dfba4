package process

import "time"

// eventHooks are a node's lifecycle observers. They are not part of this
// package's API: package rt (internal/rt) sets them with rt.WithEventHook,
// and users get the events as telemetry through
// telemetry/bridge.NodeEvents. Each runs synchronously on the goroutine
// where the event happens and must not block.
type eventHooks struct {
	spawned func(pid, parent PID, behaviour string)
	exited  func(pid PID, reason error, lifetime time.Duration)
	zombie  func(z ZombieInfo)
}

// then returns hooks that run h's, then next's.
func (h *eventHooks) then(next *eventHooks) *eventHooks {
	return &eventHooks{
		spawned: func(pid, parent PID, behaviour string) {
			h.spawned(pid, parent, behaviour)
			next.spawned(pid, parent, behaviour)
		},
		exited: func(pid PID, reason error, lifetime time.Duration) {
			h.exited(pid, reason, lifetime)
			next.exited(pid, reason, lifetime)
		},
		zombie: func(z ZombieInfo) {
			h.zombie(z)
			next.zombie(z)
		},
	}
}

// publishZombie reports z to the node's hooks, if any.
func (n *Node) publishZombie(z ZombieInfo) {
	if h := n.cfg.events; h != nil {
		h.zombie(z)
	}
}
