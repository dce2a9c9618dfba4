package rt

import "github.com/seed-fe72f376/orchard/process"

// Peek returns copies of the first max messages waiting in the mailbox of
// the live process pid of node n, for inspection tools (package
// observer): read-only, under the mailbox's lock, nothing on the
// process's own path. Messages the process already took into its current
// batch are not shown. It fails like Node.Info for a PID that is not a
// live process of n.
func Peek(n *process.Node, pid process.PID, max int) ([]process.Msg, error) {
	return impl.Peek(n, pid, max)
}

// Stack returns the current goroutine stack of the live process pid of
// node n when a goroutine runs it (a Func process, or a handler process
// while it handles messages), and "" when it is idle and holds no
// goroutine. It takes two dumps of all goroutines: a tool's call, never
// a hot path's.
func Stack(n *process.Node, pid process.PID) (string, error) {
	return impl.Stack(n, pid)
}
