package supervisor

import (
	"errors"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// status of a child record; OTP keeps it in the pid field.
type childState int

const (
	stateStopped    childState = iota // pid undefined
	stateRunning                      // pid is a live child
	stateRestarting                   // a restart failed; a retry is queued
)

// child is one child record (OTP's #child{}), of either executor.
type child struct {
	spec  ChildSpec
	pid   process.PID
	state childState
	args  []any // template children: the extra start arguments
	// proc watches the running child: its Done and exit Reason stay
	// readable after it died, so a shutdown that finds it dead reports
	// the real reason, whether or not its Exit message has arrived yet.
	// Zero if the child was already gone when it was recorded.
	proc rt.Target
	// Backoff (backoff.go): when the child last started, its restarts in
	// a row, and the gen of its pending delayed restart.
	started  time.Time
	failures int
	delayGen uint64
}

func statusOf(c *child) ChildStatus {
	switch c.state {
	case stateRunning:
		return Running
	case stateRestarting:
		return Restarting
	}
	return Stopped
}

// startOne runs a child's start function. ignored reports OTP's ignore.
// A supervisor that is dead, or dies while the child starts, starts
// nothing and reports nothing: the error is its own exit reason (a child
// that started meanwhile has its link to the dead supervisor to deal
// with, as in OTP). A start function that returns the zero PID with a nil
// error failed: OTP takes anything but {ok, Pid}, ignore or {error, E} as
// the error it is.
func (s *sup) startOne(c *child) (pid process.PID, ignored bool, err error) {
	if !s.alive() {
		return process.PID{}, false, s.self.Reason()
	}
	pid, err = s.callStart(c)
	if !s.alive() {
		return process.PID{}, false, s.self.Reason()
	}
	if errors.Is(err, process.ErrIgnored) {
		return process.PID{}, true, nil
	}
	if err == nil && pid.IsZero() {
		err = ErrBadStartReturn
	}
	if err != nil {
		s.report("start_error", err, c, c.pid)
		if s.opts.hook != nil {
			s.emit(StartFailed{Supervisor: s.self.PID(), ID: c.spec.ID, Reason: err})
		}
		return process.PID{}, false, err
	}
	s.progress(c, pid)
	return pid, false, nil
}

// callStart runs the start function; a panic in it is a failed start, not
// a crash of the supervisor (OTP catches the start call too).
func (s *sup) callStart(c *child) (pid process.PID, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &process.PanicError{Value: r}
		}
	}()
	return s.exec.runStart(c)
}

// track records pid as c's running process.
func (s *sup) track(c *child, pid process.PID) {
	c.pid, c.state = pid, stateRunning
	c.proc, _ = rt.LookupOn(s.self.Node(), pid)
	if c.spec.Backoff != nil || s.opts.backoff != nil {
		c.started = time.Now()
	}
}
