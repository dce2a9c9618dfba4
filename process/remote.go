package process

// remoteRouter is what a cluster offers the runtime for PIDs of nodes in
// other programs; it is rt.Remote's method set (internal/rt/remote.go
// documents each method), named here without importing rt.
type remoteRouter interface {
	Send(from, to PID, msg Msg) error
	Link(from, to PID)
	Unlink(from, to PID)
	Monitor(watcher, target PID, ref Ref)
	Demonitor(watcher, target PID, ref Ref)
	Exit(from, to PID, reason error, viaLink bool)
	Down(watcher, target PID, ref Ref, reason error)
}

// remoteBox holds a node's router for an atomic pointer.
type remoteBox struct{ remoteRouter }

// remoteFor returns the router that reaches pid when pid is of a node in
// another program and a cluster is installed on n; nil otherwise. Only
// paths that found no local process call it.
func (n *Node) remoteFor(pid PID) remoteRouter {
	if pid.IsZero() || pid.node == n.id {
		return nil
	}
	b := n.remote.Load()
	if b == nil || lookupNode(pid.node) != nil {
		return nil
	}
	return b.remoteRouter
}

// lookupLocal is lookup for a PID that may be of another node (a link or
// monitor that crosses nodes): lookup finds a process by its number
// alone.
func (n *Node) lookupLocal(pid PID) *Proc {
	if pid.node != n.id {
		return nil
	}
	return n.lookup(pid)
}

// RefOf returns the Ref with the given node and reference numbers, as
// decoded from another node's message.
func (bridge) RefOf(node uint32, id uint64) Ref { return Ref{node: node, id: id} }

// RefParts returns r's node and reference numbers.
func (bridge) RefParts(r Ref) (uint32, uint64) { return r.node, r.id }

// LinkIn records the link that the remote process remote made to the
// local process local; a *NoProcError when local is not alive (the
// cluster then sends remote an exit signal noproc, as OTP does).
func (bridge) LinkIn(n *Node, local, remote PID) error {
	if n.unusable() {
		return ErrNodeStopped
	}
	q, err := n.resolve(local)
	if err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.dead.Load() {
		return &NoProcError{PID: local, Reason: NoProc}
	}
	q.links.add(remote)
	return nil
}

// UnlinkIn removes the link of remote to local.
func (bridge) UnlinkIn(n *Node, local, remote PID) {
	if n.unusable() {
		return
	}
	if q := n.lookupLocal(local); q != nil {
		q.mu.Lock()
		q.links.remove(remote)
		q.mu.Unlock()
	}
}

// ExitIn applies an exit signal from the remote process from to the
// local process to: with viaLink, the signal of a linked process's death
// (ignored unless the link is still there); otherwise erlang:exit/2.
func (bridge) ExitIn(n *Node, from, to PID, reason error, viaLink bool) {
	if n.unusable() {
		return
	}
	q := n.lookupLocal(to)
	if q == nil {
		return
	}
	if viaLink {
		q.mu.Lock()
		linked := q.links.remove(from)
		q.mu.Unlock()
		if !linked {
			return
		}
	}
	q.exitSignal(from, reason, viaLink, nil)
}

// MonitorIn records that the remote process watcher monitors the local
// process target with ref; a *NoProcError when target is not alive.
func (bridge) MonitorIn(n *Node, target, watcher PID, ref Ref) error {
	if n.unusable() {
		return ErrNodeStopped
	}
	q, err := n.resolve(target)
	if err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.dead.Load() {
		return &NoProcError{PID: target, Reason: NoProc}
	}
	q.addWatcherLocked(ref, watcher)
	return nil
}

// DemonitorIn removes the remote monitor ref of the local process target.
func (bridge) DemonitorIn(n *Node, target PID, ref Ref) {
	if n.unusable() {
		return
	}
	if q := n.lookupLocal(target); q != nil {
		q.mu.Lock()
		q.dropWatcherLocked(ref)
		q.mu.Unlock()
	}
}

// DownIn delivers Down{ref, target, reason} to the local process watcher
// if its monitor ref is still active.
func (bridge) DownIn(n *Node, watcher, target PID, ref Ref, reason error) {
	if n.unusable() {
		return
	}
	q := n.lookupLocal(watcher)
	if q == nil {
		return
	}
	q.mu.Lock()
	_, active := q.takeMonitorLocked(ref)
	q.mu.Unlock()
	if active {
		_ = n.deliver(q, target, Down{Ref: ref, PID: target, Reason: reason}, true)
	}
}

// NodeDown applies the loss of node to every local process: each link
// to a process of node delivers an exit signal with reason, each monitor
// of one delivers Down with reason, and the monitors of node's processes
// on local ones are forgotten.
func (bridge) NodeDown(n *Node, node uint32, reason error) {
	if n.unusable() {
		return
	}
	n.each(func(p *Proc) {
		var lost []PID
		var downs []Down
		p.mu.Lock()
		p.links.each(func(pid PID) {
			if pid.node == node {
				lost = append(lost, pid)
			}
		})
		for _, pid := range lost {
			p.links.remove(pid)
		}
		if m := p.more.Load(); m != nil {
			for ref, target := range m.monitors {
				if target.node == node {
					delete(m.monitors, ref)
					downs = append(downs, Down{Ref: ref, PID: target, Reason: reason})
				}
			}
			for ref, w := range m.watchers {
				if w.node == node {
					delete(m.watchers, ref)
				}
			}
		}
		p.mu.Unlock()
		for _, d := range downs {
			_ = n.deliver(p, d.PID, d, true)
		}
		for _, pid := range lost {
			p.exitSignal(pid, reason, true, nil)
		}
	})
}
