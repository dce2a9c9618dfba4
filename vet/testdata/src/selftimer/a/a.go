package a

import (
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

type tick struct{}

// poller re-arms its tick in HandleInfo.
type poller struct{}

func (p *poller) Init(s *genserver.Self) error {
	_, err := s.SendAfter(s.PID(), tick{}, time.Minute) // armed once: not reported
	return err
}

func (p *poller) HandleInfo(s *genserver.Self, msg any) error {
	_, err := s.SendAfter(s.PID(), tick{}, time.Minute) // want `process re-arms a private timer to itself \(SendAfter to its own PID in a handler of poller\)`
	return err
}

// retrier re-arms through a helper that Init also calls.
type retrier struct{}

func (r *retrier) Init(s *genserver.Self) error { return r.arm(s) }

func (r *retrier) arm(s *genserver.Self) error {
	_, err := s.SendAfter(s.PID(), tick{}, time.Second) // want `private timer`
	return err
}

func (r *retrier) HandleInfo(s *genserver.Self, msg any) error { return r.arm(s) }

// deadline races a request against a timer to another process: not self.
type deadline struct{ worker process.PID }

func (d *deadline) Init(s *genserver.Self) error { return nil }

func (d *deadline) HandleCast(s *genserver.Self, msg any) error {
	_, err := s.SendAfter(d.worker, tick{}, time.Second)
	return err
}

// frame is a UI tick, kept on purpose.
type frame struct{}

func (f *frame) Init(s *genserver.Self) error { return nil }

func (f *frame) HandleInfo(s *genserver.Self, msg any) error {
	//orchardvet:allow selftimer a frame tick paces the display, it is not scheduled work
	_, err := s.SendAfter(s.PID(), tick{}, time.Second/30)
	return err
}

// loop is a plain process with its own timer loop.
func loop(p *process.Proc) error {
	for {
		if _, err := p.SendAfter(p.PID(), tick{}, time.Second); err != nil { // want `SendAfter to its own PID in a loop`
			return err
		}
		if _, err := p.Receive(p.Context()); err != nil {
			return err
		}
	}
}

// once is a plain process that arms one timer.
func once(p *process.Proc) error {
	_, err := p.SendAfter(p.PID(), tick{}, time.Second)
	return err
}

// saved keeps its own PID in a field and re-arms through it.
type saved struct{ self process.PID }

func (v *saved) Init(s *genserver.Self) error {
	v.self = s.PID()
	return nil
}

func (v *saved) HandleInfo(s *genserver.Self, msg any) error {
	_, err := s.SendAfter(v.self, tick{}, time.Second) // want `private timer`
	return err
}

// guarded keeps its TimerRef: a deadline it cancels, not a tick.
type guarded struct{ deadline process.TimerRef }

func (g *guarded) Init(s *genserver.Self) error { return nil }

func (g *guarded) HandleCast(s *genserver.Self, msg any) error {
	g.deadline, _ = s.SendAfter(s.PID(), tick{}, time.Second)
	return nil
}

// dropped arms with an expression statement: still a tick.
type dropped struct{}

func (d *dropped) Init(s *genserver.Self) error { return nil }

func (d *dropped) HandleInfo(s *genserver.Self, msg any) error {
	s.SendAfter(s.PID(), tick{}, time.Second) // want `private timer`
	return nil
}
