package process

// Register gives pid the local name name (register/2; a process names
// itself with p.Node().Register(name, p.PID())). A process has at most
// one name; the name is released when the process dies. Safe from any
// goroutine.
func (n *Node) Register(name string, pid PID) error {
	if n.unusable() {
		return badNode("process: Node.Register", "receiver", n)
	}
	if name == "" {
		return invalidOption("process: Node.Register", "name", "is empty")
	}
	p, err := n.resolve(pid)
	if err != nil {
		return err
	}
	return n.registerName(name, p)
}

func (n *Node) registerName(name string, p *Proc) error {
	n.namesMu.Lock()
	defer n.namesMu.Unlock()
	if _, taken := n.names[name]; taken {
		return ErrNameTaken
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dead.Load() {
		return p.notAliveLocked()
	}
	m := p.moreLocked()
	if m.name != "" {
		return ErrAlreadyNamed
	}
	m.name = name
	n.names[name] = p.pid
	return nil
}

func (p *Proc) notAliveLocked() error { return &NoProcError{PID: p.pid, Reason: p.reason} }

// Unregister removes a local name. It reports whether the name was
// registered (false for a nil node). Safe from any goroutine.
func (n *Node) Unregister(name string) bool {
	if n.unusable() {
		return false
	}
	n.namesMu.Lock()
	pid, ok := n.names[name]
	delete(n.names, name)
	n.namesMu.Unlock()
	if !ok {
		return false
	}
	if p := n.lookup(pid); p != nil {
		p.mu.Lock()
		if m := p.more.Load(); m != nil && m.name == name {
			m.name = ""
		}
		p.mu.Unlock()
	}
	return true
}

func (n *Node) unregisterName(name string, pid PID) {
	n.namesMu.Lock()
	if n.names[name] == pid {
		delete(n.names, name)
	}
	n.namesMu.Unlock()
}

// WhereIs returns the PID registered under name (none for a nil node).
// Safe from any goroutine.
func (n *Node) WhereIs(name string) (PID, bool) {
	if n.unusable() {
		return PID{}, false
	}
	n.namesMu.RLock()
	pid, ok := n.names[name]
	n.namesMu.RUnlock()
	return pid, ok
}

// Registered returns all registered names (none for a nil node).
func (n *Node) Registered() []string {
	if n.unusable() {
		return nil
	}
	n.namesMu.RLock()
	defer n.namesMu.RUnlock()
	out := make([]string, 0, len(n.names))
	for name := range n.names {
		out = append(out, name)
	}
	return out
}
