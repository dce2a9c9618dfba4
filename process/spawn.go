package process

import "github.com/seed-fe72f376/orchard/internal/argerr"

// Spawn starts fn as a new process with no parent. It returns as soon as
// the process exists; fn runs concurrently. Options: [TrapExits],
// [WithName], [WithMailbox]. Safe from any goroutine.
//
// Bad input (a nil node, a nil fn, a zero or invalid option) is an error
// matching [ErrInvalidArgument]; a stopped node is [ErrNodeStopped]. No
// process is made then; the same holds for every spawn function.
func (n *Node) Spawn(fn Func, opts ...SpawnOption) (PID, error) {
	if n.unusable() {
		return PID{}, badNode("process: Node.Spawn", "receiver", n)
	}
	if fn == nil {
		return PID{}, invalidOption("process: Node.Spawn", "fn", "is nil")
	}
	p, _, err := n.spawn(nil, fn, nil, spawnPlain, opts)
	return pidOf(p), err
}

// SpawnHandler starts a message-driven process with no parent. If h is a
// [Starter], HandleStart runs first; otherwise the process stays idle
// (holding no goroutine) until its first message. Safe from any goroutine.
func (n *Node) SpawnHandler(h Handler, opts ...SpawnOption) (PID, error) {
	if n.unusable() {
		return PID{}, badNode("process: Node.SpawnHandler", "receiver", n)
	}
	if h == nil {
		return PID{}, invalidOption("process: Node.SpawnHandler", "h", "is nil")
	}
	p, _, err := n.spawn(nil, nil, h, spawnPlain, opts)
	return pidOf(p), err
}

// Spawn starts fn as a child of p (its Parent). Add [Linked] to link them
// before fn runs (OTP's spawn_link: p.Spawn(fn, Linked())).
func (p *Proc) Spawn(fn Func, opts ...SpawnOption) (PID, error) {
	if p.unusable() {
		return PID{}, argerr.Nil("process: Proc.Spawn", "receiver")
	}
	if fn == nil {
		return PID{}, invalidOption("process: Proc.Spawn", "fn", "is nil")
	}
	c, _, err := p.node.spawn(p, fn, nil, spawnPlain, opts)
	return pidOf(c), err
}

// SpawnMonitor starts fn as a child of p, monitored by p before it runs,
// and returns the monitor's ref.
func (p *Proc) SpawnMonitor(fn Func, opts ...SpawnOption) (PID, Ref, error) {
	if p.unusable() {
		return PID{}, Ref{}, argerr.Nil("process: Proc.SpawnMonitor", "receiver")
	}
	if fn == nil {
		return PID{}, Ref{}, invalidOption("process: Proc.SpawnMonitor", "fn", "is nil")
	}
	c, ref, err := p.node.spawn(p, fn, nil, spawnMonitored, opts)
	return pidOf(c), ref, err
}

// SpawnHandler starts a message-driven child of p. See [Node.SpawnHandler];
// [Linked] links it to p before it runs.
func (p *Proc) SpawnHandler(h Handler, opts ...SpawnOption) (PID, error) {
	if p.unusable() {
		return PID{}, argerr.Nil("process: Proc.SpawnHandler", "receiver")
	}
	if h == nil {
		return PID{}, invalidOption("process: Proc.SpawnHandler", "h", "is nil")
	}
	c, _, err := p.node.spawn(p, nil, h, spawnPlain, opts)
	return pidOf(c), err
}

// spawnMode says what spawn does besides starting the process.
type spawnMode uint8

const (
	spawnPlain     spawnMode = iota
	spawnMonitored           // the parent monitors the child
	spawnSuspended           // not dispatched: bridge.Resume does it
)

func pidOf(p *Proc) PID {
	if p.unusable() {
		return PID{}
	}
	return p.pid
}

func (n *Node) spawn(parent *Proc, fn Func, h Handler, mode spawnMode, opts []SpawnOption) (*Proc, Ref, error) {
	var cfg spawnConfig
	for _, o := range opts {
		if err := o.apply(&cfg); err != nil {
			return nil, Ref{}, err
		}
	}
	if cfg.inline && mode == spawnSuspended {
		return nil, Ref{}, invalidOption("rt: SpawnSuspended", "rt.StartInline()", "a suspended process does not start")
	}
	if cfg.inline && !isStarter(h) {
		return nil, Ref{}, invalidOption("process: spawn", "rt.StartInline()", "needs a handler with HandleStart")
	}
	if cfg.link && parent == nil {
		return nil, Ref{}, invalidOption("process: spawn", "Linked()", "needs a parent process")
	}
	if n.stopping.Load() {
		return nil, Ref{}, ErrNodeStopped
	}
	if parent != nil && parent.dead.Load() {
		return nil, Ref{}, parent.notAlive()
	}
	if fn != nil {
		h = funcProc(fn)
	}
	p := &Proc{
		node:      n,
		pid:       PID{node: n.id, id: n.nextPID.Add(1)},
		started:   sinceEpoch(),
		h:         h,
		behaviour: cfg.behaviour,
	}
	if cfg.limit > 0 {
		p.mb.bound = &mailboxBound{limit: cfg.limit, overflow: cfg.overflow}
	}
	p.trap.Store(cfg.trapExit)
	if parent != nil {
		p.parent = parent.pid.id
	}
	if cfg.announce != nil {
		cfg.announce(p)
	}
	if cfg.name != "" {
		if err := n.registerName(cfg.name, p); err != nil {
			return nil, Ref{}, err
		}
	}
	switch {
	case fn != nil:
		p.wake = make(chan struct{}, 1)
		p.mb.running = true
	case isStarter(h):
		p.mb.starting = true
		p.mb.running = true
		p.mb.suspended = mode == spawnSuspended
	}
	n.insert(p)
	ref, err := n.attach(parent, p, cfg.link, mode == spawnMonitored)
	if err == nil && n.stopping.Load() {
		err = ErrNodeStopped // Stop began while we were inserting
	}
	if err != nil {
		if !p.die(err, true) && mode != spawnSuspended {
			// A kill got there first. (A suspended process that was
			// killed is no zombie: nothing to release.)
			n.zombies.release(p)
		}
		return nil, Ref{}, err
	}
	if h := n.cfg.events; h != nil {
		h.spawned(p.pid, p.parentPID(), p.behaviourName())
	}
	switch {
	case mode == spawnSuspended:
	case cfg.inline:
		n.runInline(parent, p)
	case fn != nil || isStarter(h):
		n.pool.dispatch(p)
	}
	return p, ref, nil
}

// attach links or monitors a new child from its parent before it runs.
func (n *Node) attach(parent, p *Proc, link, monitor bool) (Ref, error) {
	if parent == nil || (!link && !monitor) {
		return Ref{}, nil
	}
	if link {
		if err := parent.Link(p.pid); err != nil {
			return Ref{}, err
		}
	}
	if monitor {
		return parent.Monitor(p.pid)
	}
	return Ref{}, nil
}

// runInline runs a new process's start on the spawning goroutine: the
// goroutine owns the process (its mailbox is marked running) until the
// mailbox is empty, exactly as a pooled worker would.
func (n *Node) runInline(parent, p *Proc) {
	if parent != nil {
		p.worker.Store(parent.worker.Load())
	}
	if next := p.run(); next != nil {
		n.pool.dispatch(next) // the spawner goes on: the heir needs a worker
	}
}

func isStarter(h Handler) bool {
	_, ok := h.(Starter)
	return ok
}
