package process

// exitHook is a callback run when a process dies, installed with
// onExit (rt.OnExit): the runtime-level counterpart of a monitor for code
// that is not a process (a registry table, say): no message, no mailbox,
// no goroutine.
type exitHook struct {
	fn         func(pid PID, reason error)
	p          *Proc
	prev, next *exitHook // in p's list; protected by p.mu
	linked     bool      // protected by p.mu
}

// onExit arranges for fn to be called once with pid and its exit reason
// when the process pid dies; rt.OnExit documents it. Installing and
// cancelling a hook are O(1) and allocate one exitHook.
//
// fn runs on the goroutine that ends the process, after the process left
// the node's table and names and before its links and monitors are
// signalled and before its context is cancelled.
func (n *Node) onExit(pid PID, fn func(pid PID, reason error)) (*exitHook, error) {
	if n.unusable() {
		return nil, badNode("rt: OnExit", "node", n)
	}
	if fn == nil {
		return nil, invalidOption("rt: OnExit", "fn", "is nil")
	}
	p, err := n.resolve(pid)
	if err != nil {
		return nil, err
	}
	h := &exitHook{fn: fn, p: p}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dead.Load() {
		return nil, p.notAliveLocked()
	}
	m := p.moreLocked()
	h.next = m.exitHooks
	if h.next != nil {
		h.next.prev = h
	}
	m.exitHooks = h
	h.linked = true
	return h, nil
}

// Cancel removes the hook. It reports whether the hook was still
// installed: false means the process has died and fn has run, is running
// or is about to run. Safe from any goroutine; calling it again returns
// false, and so does calling it on a nil or zero exitHook.
func (h *exitHook) Cancel() bool {
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
		p.more.Load().exitHooks = h.next // linked: p's procMore holds it
	}
	if h.next != nil {
		h.next.prev = h.prev
	}
	h.prev, h.next = nil, nil
	return true
}

// takeExitHooksLocked detaches p's hooks so that Cancel reports false for
// each of them from now on.
func (p *Proc) takeExitHooksLocked() *exitHook {
	m := p.more.Load()
	if m == nil {
		return nil
	}
	head := m.exitHooks
	m.exitHooks = nil
	for h := head; h != nil; h = h.next {
		h.linked = false
	}
	return head
}

// runExitHooks calls each detached hook in turn. A hook that panics is
// skipped (its panic is dropped): the death must complete, so the next
// hooks run and the process's Done still closes.
func runExitHooks(head *exitHook, pid PID, reason error) {
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
