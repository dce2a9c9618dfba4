package genserver

import (
	"sync"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// CallTimedOut describes a [Call] (or a [Deliver]) that got no reply
// within its timeout, its own or its context's deadline.
type CallTimedOut struct {
	// Caller is the calling process; zero when the call was not made
	// from a process.
	Caller process.PID
	// Callee is the server that did not reply in time.
	Callee process.PID
	// Timeout is how long the call waited.
	Timeout time.Duration
}

// observers holds a node's call-timeout functions.
type observers struct {
	mu  sync.Mutex
	fns []func(CallTimedOut)
}

type observersKey struct{}

func observersOf(node *process.Node) *observers {
	return rt.Value(node, observersKey{}, func() any { return &observers{} }).(*observers)
}

// OnCallTimeout adds fn to the functions that hear of every call to a
// server of node that times out while waiting (GenServerEvents of
// package telemetry/bridge attaches here); a call whose context had
// already expired before it was sent is not reported. Functions stay for the node's life.
// fn runs on the caller's goroutine just before the call returns its
// timeout error, and must not block. It costs nothing on calls that get
// their reply. A nil node or fn does nothing.
func OnCallTimeout(node *process.Node, fn func(CallTimedOut)) {
	if node == nil || fn == nil {
		return
	}
	o := observersOf(node)
	o.mu.Lock()
	o.fns = append(o.fns, fn)
	o.mu.Unlock()
}

// reportTimeout tells node's observers about a timed-out call.
func reportTimeout(node *process.Node, e CallTimedOut) {
	o := observersOf(node)
	o.mu.Lock()
	fns := o.fns
	o.mu.Unlock()
	for _, fn := range fns {
		fn(e)
	}
}
