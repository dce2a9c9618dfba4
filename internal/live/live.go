// Package live is the one "is this process alive before I deliver"
// check of Orchard's deferred deliveries (dead-letter retries, scheduled
// firings). A plain send to a dead PID is dropped and reported as sent,
// which would make those services count a lost message as delivered; they
// resolve the destination here first and deliver only to a live process.
// A process that dies between the check and the enqueue still loses the
// message, as any send without a reply would.
package live

import (
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// Target resolves dest to its live process. A destination that does not
// resolve returns Resolve's error (an unregistered name matches
// process.NoProc); a PID with no live process returns a
// *process.NoProcError matching process.NoProc.
func Target(dest process.Dest) (rt.Target, error) {
	pid, err := dest.Resolve()
	if err != nil {
		return rt.Target{}, err
	}
	t, err := rt.Lookup(pid)
	if err != nil {
		return rt.Target{}, err
	}
	if !t.Alive() {
		return rt.Target{}, &process.NoProcError{PID: pid, Reason: process.NoProc}
	}
	return t, nil
}
