package cluster

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
