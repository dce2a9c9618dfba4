package cluster

import (
	"context"
	"encoding/json"

	"github.com/seed-fe72f376/orchard/process"
)

// LocalRegistrations returns how many registrations of local processes
// n keeps an exit hook record for (global.go).
func LocalRegistrations(n *Node) int {
	n.glob.mu.RLock()
	defer n.glob.mu.RUnlock()
	return len(n.glob.hooks)
}

// LeaveHooks returns how many hand-overs n's Stop would run first.
func LeaveHooks(n *Node) int {
	n.leaveMu.Lock()
	defer n.leaveMu.Unlock()
	return len(n.leaves)
}

// CreateGlobalRaw writes name → pid into the registry bucket, as a
// create that succeeded after its caller's ctx ended leaves it: with no
// record on n.
func CreateGlobalRaw(ctx context.Context, n *Node, name string, pid process.PID) error {
	val, _ := json.Marshal(wireEntry{Node: pid.Node(), ID: pid.ID()})
	kv, err := n.registryKV(ctx)
	if err != nil {
		return err
	}
	_, err = kv.Create(ctx, name, val)
	return err
}

// LoseCreate tells n's reaper what RegisterGlobal tells it when its ctx
// cut a create of name for pid off.
func LoseCreate(n *Node, name string, pid process.PID) error {
	val, _ := json.Marshal(wireEntry{Node: pid.Node(), ID: pid.ID()})
	return n.proc.Send(n.glob.reaper, lostCreate{name: name, val: val})
}
