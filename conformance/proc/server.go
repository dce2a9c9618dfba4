package proc

import (
	"strconv"

	"github.com/seed-fe72f376/orchard/conformance"
	"github.com/seed-fe72f376/orchard/genserver"
)

// request is a call or a cast to the scripted server: what to do, and
// the reason of a stop.
type request struct {
	kind   string
	reason error
}

// server is the scripted gen_server (FORMAT.md §2.2). It reports every
// callback to the harness, except the harness's own settle calls.
type server struct {
	h       *harness
	name    string
	st      *Step
	pending *genserver.From // a deferred call
}

func (s *server) ev(line string) { s.h.record(s.name, line) }

// Init registers the server with the harness first, as the reference's
// init does before anything else.
func (s *server) Init(self *genserver.Self) error {
	s.h.register(s.name, self.PID(), true)
	if s.st.Trap {
		self.TrapExit(true)
	}
	switch s.st.Init {
	case "ignore":
		return genserver.Ignore
	case "stop":
		return s.st.reason()
	case "crash":
		panic(boom)
	case "continue":
		self.Continue(1)
	}
	return nil
}

func (s *server) HandleCall(self *genserver.Self, from genserver.From, req any) (any, error) {
	if _, ok := req.(syncReq); ok {
		return conformance.Atom("ok"), nil
	}
	r := req.(request)
	s.ev("handle_call " + r.kind)
	switch r.kind {
	case "defer":
		s.pending = &from
		self.NoReply()
		return nil, nil
	case "stop_reply":
		self.Stop(r.reason)
		return conformance.Atom("stopped"), nil
	case "stop_noreply":
		self.Stop(r.reason)
		self.NoReply()
		return nil, nil
	case "crash":
		panic(boom)
	case "continue":
		self.Continue(1)
	case "reply_pending":
		s.replyPending()
	default:
		return conformance.Atom("pong"), nil
	}
	return conformance.Atom("ok"), nil
}

func (s *server) HandleCast(self *genserver.Self, msg any) error {
	r := msg.(request)
	s.ev("handle_cast " + r.kind)
	switch r.kind {
	case "stop":
		self.Stop(r.reason)
	case "crash":
		panic(boom)
	case "continue":
		self.Continue(1)
	case "reply_pending":
		s.replyPending()
	}
	return nil
}

func (s *server) HandleInfo(self *genserver.Self, msg any) error {
	s.ev("handle_info " + s.h.message(msg))
	return nil
}

func (s *server) HandleContinue(self *genserver.Self, cont any) error {
	k := cont.(int)
	s.ev("continue " + strconv.Itoa(k))
	n := s.st.Continues
	if n == 0 {
		n = 2
	}
	switch {
	case k < n:
		self.Continue(k + 1)
	case s.st.ContStop != nil:
		r, _ := decodeReason(s.st.ContStop)
		self.Stop(r)
	}
	return nil
}

func (s *server) Terminate(self *genserver.Self, reason error) {
	s.ev("terminate " + renderReason(reason))
}

func (s *server) replyPending() {
	if s.pending != nil {
		genserver.Reply(*s.pending, conformance.Atom("late"))
		s.pending = nil
	}
}

var _ interface {
	genserver.CallHandler
	genserver.CastHandler
	genserver.InfoHandler
	genserver.ContinueHandler
	genserver.Terminator
} = (*server)(nil)
