package argerr

import "errors"

// ErrInvalidArgument is matched (with errors.Is) by every *Error. Every
// Orchard package re-exports this same value as its ErrInvalidArgument.
var ErrInvalidArgument = errors.New("orchard: invalid argument")

// Error reports one bad argument given to an exported function or method.
//
// Op names the call the way a user wrote it, prefixed with its package
// ("process: Node.Send", "genserver: Call"); Arg names the parameter or the
// field ("dest", "ctx", "spec.Children[2].Start", "receiver"); Reason says what
// is wrong with it in a few lower-case words ("is nil", "is empty", "must be
// positive, got -3").
type Error struct {
	Op     string
	Arg    string
	Reason string
}

// New returns an *Error for op, arg and reason.
func New(op, arg, reason string) error {
	return &Error{Op: op, Arg: arg, Reason: reason}
}

// Nil returns the *Error for a nil arg.
func Nil(op, arg string) error { return New(op, arg, "is nil") }

// Empty returns the *Error for an empty arg.
func Empty(op, arg string) error { return New(op, arg, "is empty") }

// Error returns "<op>: invalid argument <arg>: <reason>".
func (e *Error) Error() string {
	return e.Op + ": invalid argument " + e.Arg + ": " + e.Reason
}

// Is matches ErrInvalidArgument.
func (e *Error) Is(target error) bool { return target == ErrInvalidArgument }

// Also returns an *Error for op, arg and reason that also matches
// sentinel with errors.Is: for a package whose own, older sentinel
// (ErrInvalidOption, ErrInvalidSettings, ...) must keep matching its bad
// input. errors.As finds the *Error through Unwrap.
func Also(sentinel error, op, arg, reason string) error {
	return &also{arg: Error{Op: op, Arg: arg, Reason: reason}, sentinel: sentinel}
}

// also is an *Error that matches one more sentinel.
type also struct {
	arg      Error
	sentinel error
}

func (e *also) Error() string        { return e.arg.Error() }
func (e *also) Is(target error) bool { return target == e.sentinel }
func (e *also) Unwrap() error        { return &e.arg }
