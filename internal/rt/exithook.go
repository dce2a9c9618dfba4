package rt

import (
	"github.com/seed-fe72f376/orchard/internal/rt/rtcore"
	"github.com/seed-fe72f376/orchard/process"
)

// ExitHook is a callback run when a process dies, installed with
// [OnExit]. It is the runtime-level counterpart of a monitor for code that
// is not a process (a registry table, say): no message, no mailbox, no
// goroutine. Cancel removes the hook and reports whether it was still
// installed: false means the process has died and the hook has run, is
// running or is about to run; calling it again returns false. Cancel is
// safe from any goroutine.
type ExitHook = rtcore.ExitHook

// OnExit arranges for fn to be called once with pid and its exit reason
// when the process pid of node n dies. It fails with an error matching
// process.NoProc (a *process.NoProcError) when pid is already dead,
// process.ErrInvalidPID for the zero PID, a *process.WrongNodeError for a
// PID of another node, and an error matching process.ErrInvalidArgument
// for a nil n or fn; fn is then never called and the hook is nil.
// Installing and cancelling a hook are O(1) and allocate one hook. Safe
// from any goroutine.
//
// fn runs on the goroutine that ends the process (the process's own, or
// the one calling [process.Node.Exit] or [process.Node.Stop]), after the
// process left the node's table and names and before its links and
// monitors are signalled (so a Down handler never sees what a hook cleans
// up) and before its context is cancelled: by the time
// [process.Proc.Done] (or [Target.Done]) is closed, every hook has
// returned. A hook that panics is skipped. fn must therefore be short and
// must not block; it may take locks of its own, provided the code that
// ends processes never holds them.
func OnExit(n *process.Node, pid process.PID, fn func(pid process.PID, reason error)) (ExitHook, error) {
	return impl.OnExit(n, pid, fn)
}
