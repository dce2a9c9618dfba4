package a

import (
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

// leaky keeps its Ref and never demonitors.
type leaky struct{ ref process.Ref }

func (l *leaky) Init(s *genserver.Self) error { return nil }

func (l *leaky) HandleCast(s *genserver.Self, msg any) error {
	l.ref, _ = s.Monitor(msg.(process.PID)) // want `monitor kept by leaky but never removed`
	return nil
}

// careless discards the Ref and ignores Down.
type careless struct{}

func (c *careless) Init(s *genserver.Self) error {
	_, _ = s.Monitor(process.PID{}) // want `monitor Ref discarded and careless does not handle process.Down`
	return nil
}

// helper monitors through a package function its handler calls.
type helper struct{ refs map[process.PID]process.Ref }

func (h *helper) Init(s *genserver.Self) error { return nil }

func (h *helper) HandleCall(s *genserver.Self, from genserver.From, req any) (any, error) {
	watch(s.Proc, h.refs, req.(process.PID))
	return nil, nil
}

func watch(p *process.Proc, refs map[process.PID]process.Ref, pid process.PID) {
	ref, err := p.Monitor(pid) // want `monitor kept by helper but never removed`
	if err == nil {
		refs[pid] = ref
	}
}

// tidy demonitors in Terminate.
type tidy struct{ ref process.Ref }

func (t *tidy) Init(s *genserver.Self) error {
	t.ref, _ = s.Monitor(process.PID{})
	return nil
}

func (t *tidy) Terminate(s *genserver.Self, reason error) { s.Demonitor(t.ref, true) }

// lifetime monitors callers until they die: the Down ends it.
type lifetime struct{ callers int }

func (l *lifetime) Init(s *genserver.Self) error { return nil }

func (l *lifetime) HandleCast(s *genserver.Self, msg any) error {
	_, _ = s.Monitor(msg.(process.PID))
	l.callers++
	return nil
}

func (l *lifetime) HandleInfo(s *genserver.Self, msg any) error {
	if _, ok := msg.(process.Down); ok {
		l.callers--
	}
	return nil
}

// notServer is no genserver: not checked.
type notServer struct{}

func (notServer) run(p *process.Proc) { _, _ = p.Monitor(process.PID{}) }

// deliberate says why.
type deliberate struct{}

func (d *deliberate) Init(s *genserver.Self) error {
	//orchardvet:allow monitorleak the target is the node's logger, which outlives every server
	_, _ = s.Monitor(process.PID{})
	return nil
}
