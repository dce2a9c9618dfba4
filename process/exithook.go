package process

import "github.com/seed-fe72f376/orchard/internal/argerr"

// ExitHook is a callback run when a process dies, installed with
// [Node.OnExit]. It is the runtime-level counterpart of a monitor for code
// that is not a process (a registry table, say): no message, no mailbox,
// no goroutine. The zero ExitHook is not usable; use the pointer OnExit
// returns.
type ExitHook struct {
	fn         func(pid PID, reason error)
	p          *Proc
	prev, next *ExitHook // in p's list; protected by p.mu
	linked     bool      // protected by p.mu
}

// OnExit arranges for fn to be called once with pid and its exit reason
// when the process pid dies. It fails with an error matching [NoProc] (a
// *[NoProcError]) when pid is already dead, [ErrInvalidPID] for the zero
// PID and a *[WrongNodeError] for a PID of another node; fn is then never
// called. Installing and cancelling a hook are O(1) and allocate one
// ExitHook. Safe from any goroutine.
//
// fn runs on the goroutine that ends the process (the process's own, or
// the one calling [Node.Exit] or [Node.Stop]), after the process left the
// node's table and names and before its links and monitors are signalled
// (so a Down handler never sees what a hook cleans up) and before its
// context is cancelled: by the time [Proc.Done] (or [Target.Done]) is
// closed, every hook has returned. A hook that panics is skipped. fn must therefore be
// short and must not block; it may take locks of its own, provided the
// code that ends processes never holds them.
func (n *Node) OnExit(pid PID, fn func(pid PID, reason error)) (*ExitHook, error) {
	if n == nil {
		return nil, argerr.Nil("process: Node.OnExit", "receiver")
	}
	if fn == nil {
		return nil, &OptionError{Option: "OnExit", Reason: "nil func"}
	}
	p, err := n.resolve(pid)
	if err != nil {
		return nil, err
	}
	h := &ExitHook{fn: fn, p: p}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dead.Load() {
		return nil, p.notAliveLocked()
	}
	h.next = p.exitHooks
	if h.next != nil {
		h.next.prev = h
	}
	p.exitHooks = h
	h.linked = true
	return h, nil
}

// Cancel removes the hook. It reports whether the hook was still
// installed: false means the process has died and fn has run, is running
// or is about to run. Safe from any goroutine; calling it again returns
// false, and so does calling it on a nil or zero ExitHook.
func (h *ExitHook) Cancel() bool {
	if h == nil || h.p == nil {
		return false
	}
	p := h.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if !h.linked {
		return false
	}
	h.linked = false
	if h.prev != nil {
		h.prev.next = h.next
	} else {
		p.exitHooks = h.next
	}
	if h.next != nil {
		h.next.prev = h.prev
	}
	h.prev, h.next = nil, nil
	return true
}

// takeExitHooksLocked detaches p's hooks so that Cancel reports false for
// each of them from now on.
func (p *Proc) takeExitHooksLocked() *ExitHook {
	head := p.exitHooks
	p.exitHooks = nil
	for h := head; h != nil; h = h.next {
		h.linked = false
	}
	return head
}

// runExitHooks calls each detached hook in turn. A hook that panics is
// skipped (its panic is dropped): the death must complete, so the next
// hooks run and the process's Done still closes.
func runExitHooks(head *ExitHook, pid PID, reason error) {
	for h := head; h != nil; {
		next := h.next
		h.prev, h.next = nil, nil
		runExitHook(h.fn, pid, reason)
		h = next
	}
}

func runExitHook(fn func(PID, error), pid PID, reason error) {
	defer func() { _ = recover() }()
	fn(pid, reason)
}
