package cluster

// LocalRegistrations returns how many registrations of local processes
// n keeps an exit hook record for (global.go).
func LocalRegistrations(n *Node) int {
	n.glob.mu.RLock()
	defer n.glob.mu.RUnlock()
	return len(n.glob.hooks)
}
