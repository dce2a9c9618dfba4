package process

import (
	"sort"
	"time"
)

// Status is what a process is doing. Legal transitions: Waiting ↔
// Runnable ↔ Running, and any of them → Exiting → gone.
type Status int

const (
	// Waiting means the process has no messages and holds no goroutine
	// (or, for a Func process, is parked in Receive).
	Waiting Status = iota
	// Runnable means messages are queued and a worker is about to run it.
	Runnable
	// Running means its code is executing.
	Running
	// Exiting means it was killed but its goroutine has not returned yet.
	Exiting
)

// String names the status.
func (s Status) String() string {
	switch s {
	case Waiting:
		return "waiting"
	case Runnable:
		return "runnable"
	case Running:
		return "running"
	case Exiting:
		return "exiting"
	}
	return "unknown"
}

// Info is a snapshot of one process (erlang:process_info/1).
type Info struct {
	PID             PID
	Status          Status
	Name            string
	Parent          PID
	Behaviour       string // the behaviour it runs ("genserver", "task", ...); empty for a plain process
	MailboxLen      int
	Links           []PID
	Monitors        []PID // processes this one monitors
	MonitoredBy     []PID // processes monitoring this one
	TrapExit        bool
	MessagesHandled uint64
	// StartTime is when the process started, measured on the monotonic
	// clock from the program's start: if the wall clock was stepped since
	// (NTP) or the machine slept, it differs from a wall-clock reading by
	// that much. Its Sub from time.Now() is always the process's age.
	StartTime time.Time
	Timers    int
}

// Info returns a snapshot of the live process pid, or a *[NoProcError].
// Safe from any goroutine.
func (n *Node) Info(pid PID) (Info, error) {
	if n.unusable() {
		return Info{}, badNode("process: Node.Info", "receiver", n)
	}
	p, err := n.resolve(pid)
	if err != nil {
		return Info{}, err
	}
	info := Info{
		PID:             p.pid,
		Parent:          p.parentPID(),
		Behaviour:       p.behaviourName(),
		MailboxLen:      p.MailboxLen(),
		TrapExit:        p.trap.Load(),
		MessagesHandled: p.handled.Load(),
		StartTime:       p.startTime(),
	}
	p.mb.mu.Lock()
	running, waiting, suspended := p.mb.running, p.mb.waiting, p.mb.suspended
	p.mb.mu.Unlock()
	switch {
	case suspended: // spawned by rt.SpawnSuspended, waiting for Resume
		info.Status = Runnable
	case p.isFunc() && waiting:
		info.Status = Waiting
	case p.isFunc() || running:
		info.Status = Running
	case info.MailboxLen > 0:
		info.Status = Runnable
	}
	p.mu.Lock()
	if p.dead.Load() {
		p.mu.Unlock()
		return Info{}, &NoProcError{PID: pid, Reason: p.reason}
	}
	p.links.each(func(l PID) { info.Links = append(info.Links, l) })
	if m := p.more.Load(); m != nil {
		info.Name = m.name
		info.Timers = len(m.timers)
		for _, t := range m.monitors {
			info.Monitors = append(info.Monitors, t)
		}
		for _, w := range m.watchers {
			info.MonitoredBy = append(info.MonitoredBy, w)
		}
	}
	p.mu.Unlock()
	sortPIDs(info.Links)
	sortPIDs(info.Monitors)
	sortPIDs(info.MonitoredBy)
	return info, nil
}

// IsAlive reports whether pid is a live process of this node (false for
// the zero PID and a nil node).
func (n *Node) IsAlive(pid PID) bool {
	return n != nil && !pid.IsZero() && pid.node == n.id && n.lookup(pid) != nil
}

func sortPIDs(s []PID) {
	sort.Slice(s, func(i, j int) bool { return s[i].id < s[j].id })
}
