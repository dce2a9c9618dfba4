package process

import (
	"errors"
	"fmt"
)

// An exit reason is an error value. The runtime's own reasons are the
// sentinels below, [ShutdownWith], [*PanicError] and any other error a
// process returns. Compare them with [errors.Is], never with ==.
//
// A nil reason means [Normal] wherever a reason is accepted.
type atom struct{ name string }

func (a *atom) Error() string { return a.name }

var (
	// Normal is the reason of a process that finished its work. Exit
	// signals with reason Normal are ignored by processes that do not trap
	// exits.
	Normal error = &atom{"normal"}
	// Shutdown is the reason a supervisor or node uses to ask a process to
	// stop. It is not an error: supervisors do not report it.
	Shutdown error = &atom{"shutdown"}
	// Kill is the untrappable exit signal. A process sent Kill dies at once
	// with reason [Killed], even if it traps exits. A process that ends
	// itself with Kill (OTP's exit(kill)) dies with reason Kill, and its
	// links receive Kill as an ordinary exit signal, which they can trap.
	Kill error = &atom{"kill"}
	// Killed is the reason of a process that was sent [Kill], as seen by
	// its links and monitors. Unlike Kill it can be trapped.
	Killed error = &atom{"killed"}
	// NoProc is the reason given for a process that does not exist (for
	// example when monitoring or linking to a dead PID).
	NoProc error = &atom{"noproc"}
)

// ShutdownError is the reason {shutdown, Value}: a shutdown that carries a
// value. Like [Shutdown] it counts as a normal stop.
type ShutdownError struct {
	// Value is the term carried by the shutdown.
	Value any
}

// ShutdownWith returns the reason {shutdown, v}.
func ShutdownWith(v any) error { return &ShutdownError{Value: v} }

func (e *ShutdownError) Error() string { return fmt.Sprintf("shutdown: %v", e.Value) }

// PanicError is the reason of a process whose code panicked. It keeps the
// panic value and the goroutine stack at the point of the panic.
type PanicError struct {
	// Value is what was passed to panic.
	Value any
	// Stack is the goroutine stack captured when the panic was recovered.
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap returns the panic value when it is an error, so errors.Is and
// errors.As see through the panic.
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}

// IsNormalOrShutdown reports whether reason is normal, shutdown or
// {shutdown, _}: the class of reasons OTP treats as a deliberate stop
// (supervisors do not restart transient children for it, and nothing is
// logged). A nil reason counts as normal. This is the one classifier every
// behaviour uses.
func IsNormalOrShutdown(reason error) bool {
	switch reason.(type) {
	case nil, *ShutdownError:
		return true
	case *atom:
		return reason == Normal || reason == Shutdown
	case *PanicError:
		return false
	}
	var s *ShutdownError
	return errors.As(reason, &s) || errors.Is(reason, Normal) || errors.Is(reason, Shutdown)
}

// FormatReason prints a reason the way Erlang would print the exit term:
// normal, shutdown, {shutdown,V}, killed, noproc, {panic,V} or the error's
// text.
func FormatReason(reason error) string {
	if reason == nil {
		return "normal"
	}
	var a *atom
	if errors.As(reason, &a) && reason == error(a) {
		return a.name
	}
	switch r := reason.(type) {
	case *ShutdownError:
		return fmt.Sprintf("{shutdown,%v}", r.Value)
	case *PanicError:
		return fmt.Sprintf("{panic,%v}", r.Value)
	}
	return reason.Error()
}

func normalize(reason error) error {
	if reason == nil {
		return Normal
	}
	return reason
}
