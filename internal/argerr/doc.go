// Package argerr holds the one error type that every Orchard package returns
// for bad input from a caller (docs/ERRORS.md). Each public package re-exports
// it as ArgumentError and ErrInvalidArgument, so a user matches bad input the
// same way whatever package refused it:
//
//	errors.Is(err, process.ErrInvalidArgument)  // true for every package
//	var ae *genserver.ArgumentError             // the same type everywhere
//	errors.As(err, &ae)                          // ae.Op, ae.Arg, ae.Reason
//
// It imports nothing of Orchard, so leaf packages (telemetry, timeouts) use it
// too.
package argerr
