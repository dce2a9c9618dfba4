package process

import (
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// die ends p with reason: it marks p dead, removes it from the node's
// table and names, cancels its context and timers, then signals its links
// and monitors. It returns false if p was already dead. fromSelf is true
// when p's own code ended it (its goroutine is returning, so it is no
// zombie).
func (p *Proc) die(reason error, fromSelf bool) bool { return p.end(reason, fromSelf, nil) }

// heir is the first process that a death made runnable (an idle process
// trapping the exit, or monitoring the dead one), when the death happens
// on the dead process's own worker. That worker runs the heir next,
// instead of waking another worker for it and parking itself: one
// goroutine switch less per exit, which a supervisor restarting a child
// pays on every crash. The worker owns the heir exactly as if the pool
// had handed it over. Only the first process made runnable is the heir;
// the others are dispatched at once, as before. The heir starts once the
// whole death is over (every link and monitor signalled, the context
// cancelled), which for a process with very many links delays it by
// that many signals.
type heir struct{ p *Proc }

// dieOnWorker is die for p's own worker, once p's code has returned: it
// also returns the heir of the death, if any, which the caller must run.
func (p *Proc) dieOnWorker(reason error) (died bool, next *Proc) {
	var h heir
	died = p.end(reason, true, &h)
	return died, h.p
}

// end is die; h, if not nil, collects the death's heir.
func (p *Proc) end(reason error, fromSelf bool, h *heir) bool {
	reason = normalize(reason)
	p.mu.Lock()
	if p.dead.Load() {
		p.mu.Unlock()
		return false
	}
	p.dead.Store(true)
	p.reason = reason
	links := p.links
	p.links = pidSet{}
	var (
		watchers, monitors map[Ref]PID
		timers             map[uint64]*time.Timer
		name               string
	)
	if m := p.more.Load(); m != nil {
		watchers, monitors, timers, name = m.watchers, m.monitors, m.timers, m.name
		m.watchers, m.monitors, m.timers, m.name = nil, nil, nil, ""
	}
	hooks := p.takeExitHooksLocked()
	p.mu.Unlock()

	n := p.node
	running, waiting, dropped := p.mb.close()
	if dropped > 0 {
		n.dropped.Add(uint64(dropped))
	}
	if waiting {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
	if running && !fromSelf {
		n.zombies.add(p, reason)
	}
	for _, t := range timers {
		t.Stop()
		n.timers.Add(-1)
	}
	if name != "" {
		n.unregisterName(name, p.pid)
	}
	n.remove(p)
	if h := n.cfg.events; h != nil {
		// Published before any link or monitor hears of the death, so a
		// trace shows the exit before the reactions to it.
		h.exited(p.pid, reason, time.Duration(sinceEpoch()-p.started))
	}
	// Exit hooks (a registry's cleanup) run before links and monitors
	// hear of the death, so a Down handler never finds the dead process
	// still registered.
	runExitHooks(hooks, p.pid, reason)
	p.signalLinks(links, reason, h)
	p.signalWatchers(watchers, reason, h)
	// Closed last: when Done is closed (or the context done), the name
	// and table entry are gone, every link and monitor has its Exit or
	// Down and every exit hook has run. A Done or context made during the
	// death is made open and closed here (not at once: see ended).
	p.mu.Lock()
	p.ended.Store(true)
	var (
		sc   *stdContext
		done chan struct{}
	)
	if m := p.more.Load(); m != nil {
		sc, done = m.std.Load(), m.done
	}
	p.mu.Unlock()
	if sc != nil {
		sc.cancel(reason)
	}
	if done != nil {
		close(done)
	}
	for ref, target := range monitors {
		if q := n.lookupLocal(target); q != nil {
			q.mu.Lock()
			q.dropWatcherLocked(ref)
			q.mu.Unlock()
		} else if r := n.remoteFor(target); r != nil {
			r.Demonitor(p.pid, target, ref)
		}
	}
	return true
}

// signalLinks sends p's exit reason to its links. A reason Kill (p's own
// code ended it with Kill, OTP's exit(kill)) goes out unchanged: only Kill
// sent with Exit is untrappable and becomes Killed, while Kill reaching a
// process through a link is an ordinary signal, trapped as Exit{Reason:
// Kill} or killing a non-trapping process with reason Kill, whose own
// links see Kill in turn (OTP 25 does the same).
//
// h, if not nil, collects the heir (see heir).
func (p *Proc) signalLinks(links pidSet, reason error, h *heir) {
	links.each(func(pid PID) {
		q := p.node.lookupLocal(pid)
		if q == nil {
			if r := p.node.remoteFor(pid); r != nil {
				r.Exit(p.pid, pid, reason, true)
			}
			return
		}
		q.mu.Lock()
		linked := q.links.remove(p.pid)
		q.mu.Unlock()
		if linked {
			q.exitSignal(p.pid, reason, true, h)
		}
	})
}

func (p *Proc) signalWatchers(watchers map[Ref]PID, reason error, h *heir) {
	for ref, pid := range watchers {
		q := p.node.lookupLocal(pid)
		if q == nil {
			if r := p.node.remoteFor(pid); r != nil {
				r.Down(pid, p.pid, ref, reason)
			}
			continue
		}
		q.mu.Lock()
		_, active := q.takeMonitorLocked(ref)
		q.mu.Unlock()
		if active {
			_ = p.node.deliverTo(q, p.pid, Down{Ref: ref, PID: p.pid, Reason: reason}, true, h)
		}
	}
}

// exitSignal applies an exit signal from `from` to p with OTP's rules:
// Kill sent directly cannot be trapped and kills with reason Killed; a
// trapping process gets an Exit message; Normal is ignored unless the
// process signals itself; any other reason kills. h, if not nil, collects
// the heir of the sender's death (see heir).
func (p *Proc) exitSignal(from PID, reason error, viaLink bool, h *heir) {
	if p.dead.Load() {
		return
	}
	reason = normalize(reason)
	if reason == Kill && !viaLink {
		p.die(Killed, false)
		return
	}
	if p.trap.Load() {
		_ = p.node.deliverTo(p, from, Exit{From: from, Reason: reason}, true, h)
		return
	}
	if reason == Normal && from != p.pid {
		return
	}
	p.die(reason, false)
}

// Exit sends the exit signal reason to pid from outside any process
// (erlang:exit/2). Safe from any goroutine.
func (n *Node) Exit(pid PID, reason error) error {
	if n.unusable() {
		return badNode("process: Node.Exit", "receiver", n)
	}
	q, err := n.resolve(pid)
	if err != nil {
		var np *NoProcError
		if asNoProc(err, &np) {
			return nil // like erlang:exit/2, signalling a dead process is fine
		}
		if r := n.remoteFor(pid); r != nil {
			r.Exit(PID{}, pid, reason, false)
			return nil
		}
		return err
	}
	q.exitSignal(PID{}, reason, false, nil)
	return nil
}

// Exit sends the exit signal reason from p to pid (erlang:exit/2).
// Exiting oneself with a reason other than Normal, or with Kill, ends the
// process at once. A dead process sends no signal: once p has died
// (killed while its code still runs), Exit does nothing and returns nil,
// as Send drops its messages.
func (p *Proc) Exit(pid PID, reason error) error {
	if p.unusable() {
		return argerr.Nil("process: Proc.Exit", "receiver")
	}
	// Checked without p.mu, unlike Link: the signal below may end q, and
	// ending q locks q and its links (p among them, or p itself when pid
	// is p), so p.mu cannot be held across it. p may therefore be killed
	// between this check and the signal, which then leaves a process just
	// dead. That is harmless: the signal was decided while p was alive,
	// and the outcome is the one of p sending it just before it died; the
	// only difference is that q may hear of p's death first.
	if p.dead.Load() {
		return nil
	}
	q, err := p.node.resolve(pid)
	if err != nil {
		var np *NoProcError
		if asNoProc(err, &np) {
			return nil
		}
		if r := p.node.remoteFor(pid); r != nil {
			r.Exit(p.pid, pid, reason, false)
			return nil
		}
		return err
	}
	q.exitSignal(p.pid, reason, false, nil)
	return nil
}

func asNoProc(err error, target **NoProcError) bool {
	np, ok := err.(*NoProcError)
	if ok {
		*target = np
	}
	return ok
}

// lockPair locks two distinct processes in PID order, so concurrent
// link and monitor calls never deadlock.
func lockPair(a, b *Proc) {
	if a.pid.id < b.pid.id {
		a.mu.Lock()
		b.mu.Lock()
		return
	}
	b.mu.Lock()
	a.mu.Lock()
}

// Link links p and pid. If pid is dead, a trapping p receives
// Exit{pid, NoProc} and Link returns nil; a non-trapping p gets a
// *NoProcError (OTP raises noproc). Linking to oneself does nothing.
func (p *Proc) Link(pid PID) error {
	if p.unusable() {
		return argerr.Nil("process: Proc.Link", "receiver")
	}
	if pid == p.pid {
		return nil
	}
	q, err := p.node.resolve(pid)
	if err == nil {
		lockPair(p, q)
		if p.dead.Load() {
			q.mu.Unlock()
			p.mu.Unlock()
			return p.notAlive()
		}
		if !q.dead.Load() {
			p.links.add(pid)
			q.links.add(p.pid)
			q.mu.Unlock()
			p.mu.Unlock()
			return nil
		}
		q.mu.Unlock()
		p.mu.Unlock()
	} else if _, ok := err.(*NoProcError); !ok {
		if r := p.node.remoteFor(pid); r != nil {
			return p.linkRemote(r, pid)
		}
		return err
	}
	if p.trap.Load() {
		return p.node.deliver(p, pid, Exit{From: pid, Reason: NoProc}, true)
	}
	return &NoProcError{PID: pid, Reason: NoProc}
}

// Unlink removes the link between p and pid, if any. It does nothing on
// a nil *Proc.
func (p *Proc) Unlink(pid PID) {
	if p.unusable() {
		return
	}
	p.mu.Lock()
	linked := p.links.remove(pid)
	p.mu.Unlock()
	if q := p.node.lookupLocal(pid); q != nil {
		q.mu.Lock()
		q.links.remove(p.pid)
		q.mu.Unlock()
	} else if r := p.node.remoteFor(pid); r != nil && linked {
		r.Unlink(p.pid, pid)
	}
}

// linkRemote links p to pid, a process of a node in another program:
// the link is recorded here and the request sent; pid's node answers a
// dead pid with an exit signal noproc, and a lost node delivers
// noconnection (OTP's link/1 to a remote pid).
func (p *Proc) linkRemote(r remoteRouter, pid PID) error {
	p.mu.Lock()
	if p.dead.Load() {
		p.mu.Unlock()
		return p.notAlive()
	}
	p.links.add(pid)
	p.mu.Unlock()
	r.Link(p.pid, pid)
	if p.dead.Load() {
		// p died (killed by another goroutine) before the request went:
		// its death's exit signal may have reached pid's node before the
		// link, which drops a link signal for no link. Signal again, now
		// behind the link; if the first one came after it, this one finds
		// no link and is dropped, so pid hears of the death exactly once.
		r.Exit(p.pid, pid, p.Reason(), true)
	}
	return nil
}

// Monitor makes p watch pid: when pid dies, p receives a [Down] message
// with the returned ref. Monitoring a dead or unknown PID delivers
// Down{Reason: NoProc} at once. Monitoring oneself is allowed and never
// fires. Each call creates a new monitor.
func (p *Proc) Monitor(pid PID) (Ref, error) {
	if p.unusable() {
		return Ref{}, argerr.Nil("process: Proc.Monitor", "receiver")
	}
	ref := p.node.newRef()
	q, err := p.node.resolve(pid)
	if err != nil {
		if _, ok := err.(*NoProcError); !ok {
			if r := p.node.remoteFor(pid); r != nil {
				return p.monitorRemote(r, pid, ref)
			}
			return Ref{}, err
		}
		return ref, p.node.deliver(p, pid, Down{Ref: ref, PID: pid, Reason: NoProc}, true)
	}
	if q == p {
		return ref, nil
	}
	lockPair(p, q)
	if p.dead.Load() {
		q.mu.Unlock()
		p.mu.Unlock()
		return Ref{}, p.notAlive()
	}
	if q.dead.Load() {
		q.mu.Unlock()
		p.mu.Unlock()
		return ref, p.node.deliver(p, pid, Down{Ref: ref, PID: pid, Reason: NoProc}, true)
	}
	p.addMonitorLocked(ref, pid)
	q.addWatcherLocked(ref, p.pid)
	q.mu.Unlock()
	p.mu.Unlock()
	return ref, nil
}

// Demonitor removes the monitor ref. With flush, a Down message for ref
// already in the mailbox is removed too (demonitor(Ref, [flush])). It
// reports whether the monitor was still active (false on a nil *Proc).
func (p *Proc) Demonitor(ref Ref, flush bool) bool {
	if p.unusable() {
		return false
	}
	p.mu.Lock()
	target, active := p.takeMonitorLocked(ref)
	p.mu.Unlock()
	if active {
		if q := p.node.lookupLocal(target); q != nil {
			q.mu.Lock()
			q.dropWatcherLocked(ref)
			q.mu.Unlock()
		} else if r := p.node.remoteFor(target); r != nil {
			r.Demonitor(p.pid, target, ref)
		}
	}
	if flush {
		p.flushDown(ref)
	}
	return active
}

// monitorRemote makes p monitor pid, a process of a node in another
// program: the monitor is recorded here and the request sent; pid's node
// answers a dead pid with Down noproc, and a lost node delivers Down
// noconnection.
func (p *Proc) monitorRemote(r remoteRouter, pid PID, ref Ref) (Ref, error) {
	p.mu.Lock()
	if p.dead.Load() {
		p.mu.Unlock()
		return Ref{}, p.notAlive()
	}
	p.addMonitorLocked(ref, pid)
	p.mu.Unlock()
	r.Monitor(p.pid, pid, ref)
	if p.dead.Load() {
		// p died before the request went: its death's demonitor may have
		// reached pid's node first and been a no-op there. Send it again,
		// behind the monitor, so that pid's node keeps no watcher for a
		// dead process.
		r.Demonitor(p.pid, pid, ref)
	}
	return ref, nil
}

func (p *Proc) flushDown(ref Ref) {
	p.Flush(func(m Msg) bool { d, ok := m.(Down); return ok && d.Ref == ref })
}

// Flush removes from p's mailbox every message for which match returns
// true, keeping the others in order, and returns how many it removed. A
// supervisor uses it to drop the Exit message of a child it shut down
// itself (OTP's unlink-and-flush). Call it from the process's own code.
// It removes nothing, and returns 0, for a nil match or a nil *Proc.
func (p *Proc) Flush(match func(Msg) bool) int {
	if p.unusable() || match == nil {
		return 0
	}
	isDown := match
	removed := 0
	kept := p.batch[:p.pos]
	for _, m := range p.batch[p.pos:] {
		if isDown(m) {
			removed++
			continue
		}
		kept = append(kept, m)
	}
	clear(p.batch[len(kept):])
	p.batch = kept
	p.mb.mu.Lock()
	in := p.mb.in[:0]
	for _, m := range p.mb.in {
		if isDown(m) {
			removed++
			continue
		}
		in = append(in, m)
	}
	clear(p.mb.in[len(in):])
	p.mb.in = in
	p.mb.mu.Unlock()
	p.mb.queued.Add(int64(-removed))
	if removed > 0 {
		p.mb.took()
	}
	return removed
}
