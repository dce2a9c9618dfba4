package genserver

import (
	"time"

	"github.com/seed-fe72f376/orchard/process"
)

// Server is a GenServer callback module. The value itself is the server's
// state: its methods run one at a time in the server's process, so they
// need no locks. Only Init is required; a server receives calls, casts,
// continues and other messages through the optional interfaces
// [CallHandler], [CastHandler], [InfoHandler], [ContinueHandler] and
// [Terminator].
type Server interface {
	// Init runs in the new process before Start returns. A non-nil error
	// makes Start fail with it (wrapped in *InitError) and the process
	// exit with it; [Ignore] makes Start return [ErrIgnored].
	Init(s *Self) error
}

// CallHandler handles synchronous requests ([Call]). The returned value
// is the reply; a non-nil error is returned to the caller instead (the
// server keeps running). To defer the reply, call [Self.NoReply] and later
// [Reply]; to stop after replying, call [Self.Stop].
type CallHandler interface {
	HandleCall(s *Self, from From, req any) (any, error)
}

// CastHandler handles asynchronous requests ([Cast]). A non-nil error
// stops the server with that reason.
type CastHandler interface {
	HandleCast(s *Self, msg any) error
}

// InfoHandler handles every other message: process.Exit and
// process.Down messages, timer messages, plain sends and [Timeout]. A
// non-nil error stops the server with that reason. Without it, such
// messages are dropped.
type InfoHandler interface {
	HandleInfo(s *Self, msg any) error
}

// ContinueHandler handles work scheduled with [Self.Continue], which runs
// after the current callback and before any other message.
type ContinueHandler interface {
	HandleContinue(s *Self, cont any) error
}

// Terminator is called when the server stops: after a callback returned
// an error or panicked, after [Self.Stop], on [Stop], and when the parent
// sends an exit signal to a server that traps exits (for a server with no
// parent: an exit signal from outside any process, such as the node's
// Stop). It is not called when Init fails, when the server is killed, or
// when it dies from an exit signal it does not trap, exactly as in OTP.
// A panic in Terminate becomes the exit reason.
type Terminator interface {
	Terminate(s *Self, reason error)
}

// Timeout is the message HandleInfo receives when no message arrived
// within the time set by [Self.SetTimeout].
type Timeout struct{}

// Self is a server's handle on its own process, passed to every callback.
// It embeds *process.Proc (PID, Send, Link, Monitor, TrapExit, SendAfter,
// Context, ...). Its methods must be called from the callbacks only.
type Self struct {
	*process.Proc
	cont       *continues // made at the first Continue; nil for most servers
	stopReason error
	timeoutGen uint64
	timeout    time.Duration
	callCtx    *callContext
	// Self is part of every server, allocated at every start: its bools
	// are next to each other, so that they share one word of padding.
	noReply bool
	// The deadline of the request being handled, for Context: its
	// context's (zero without one) and, if dlTimed, its timeout's on the
	// node's deadline clock.
	hasDL   bool
	dlTimed bool
	dlAt    int64
	dlCtx   time.Time
}

// Continue schedules HandleContinue(cont) to run right after the current
// callback returns, before any other message (OTP's {continue, C}).
//
// Like every Self method, it does nothing on a nil Self.
func (s *Self) Continue(cont any) {
	if s == nil {
		return
	}
	if s.cont == nil {
		s.cont = new(continues)
	}
	s.cont.q = append(s.cont.q, cont)
}

// continues are the continues scheduled and not yet run, in order. A
// server makes them at its first Continue and keeps them: most servers
// never continue, and do not carry them.
type continues struct{ q []any }

// pending reports whether a continue waits (false for nil c).
func (c *continues) pending() bool { return c != nil && len(c.q) > 0 }

// next removes the first continue and returns it.
func (c *continues) next() any {
	v := c.q[0]
	c.q[0] = nil
	c.q = c.q[1:]
	return v
}

// drop forgets the continues left (a stop drops them); a nil c has none.
func (c *continues) drop() {
	if c != nil {
		clear(c.q)
		c.q = c.q[:0]
	}
}

// NoReply tells the running HandleCall not to reply now: the reply will be
// sent later with [Reply] (OTP's {noreply, State} from handle_call).
func (s *Self) NoReply() {
	if s != nil {
		s.noReply = true
	}
}

// Stop makes the server stop with reason once the current callback
// returns: continues still scheduled are dropped, Terminate runs, and then,
// if the callback is HandleCall, its reply is sent (OTP's
// {stop, Reason, Reply, State}) before the process exits. A nil reason
// means process.Normal.
func (s *Self) Stop(reason error) {
	if s == nil {
		return
	}
	if reason == nil {
		reason = process.Normal
	}
	s.stopReason = reason
}

// SetTimeout makes HandleInfo receive [Timeout] if no message arrives
// within d after the current callback (OTP's timeout in a callback
// result). Any message cancels it; zero or negative d clears it.
func (s *Self) SetTimeout(d time.Duration) {
	if s != nil {
		s.timeout = d
	}
}

type timeoutMsg struct{ gen uint64 }

// Registrar is a process.Dest that can also give a process its name: a
// registry's via-name (OTP's {via, Module, Name}, which gen_server
// resolves through Module:register_name/2). [WithVia] takes one as the
// name of the server it starts, registers it in the new process before
// Init runs, and reports a taken name (RegisterName's error matches
// process.ErrNameTaken) as already started. registry.Via returns one.
type Registrar interface {
	process.Dest
	// RegisterName names pid. It fails with an error matching
	// process.ErrNameTaken when a live process holds the name.
	RegisterName(pid process.PID) error
}
