package observer

import (
	"sync/atomic"

	"github.com/seed-fe72f376/orchard/process"
)

// CountStacks counts the stack captures of every handler until restore.
func CountStacks() (count func() int64, restore func()) {
	var n atomic.Int64
	orig := takeStack
	takeStack = func(node *process.Node, pid process.PID) (string, error) {
		n.Add(1)
		return orig(node, pid)
	}
	return n.Load, func() { takeStack = orig }
}
