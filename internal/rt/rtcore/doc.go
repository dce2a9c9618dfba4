// Package rtcore is the part of Orchard's runtime plumbing that package
// process imports: the deadline sweeper ([Sweeper], [Deadline],
// [Expirer]) and the door, [Bridge], through which package rt reaches
// process's unexported internals. Nothing outside package process and
// package rt (internal/rt) uses it; behaviours use rt, which re-exports
// what they need.
//
// # The bridge
//
// Package rt names process's types (*process.Node, *process.Proc), so it
// imports process; process therefore cannot import rt. Instead, process
// imports rtcore (which imports nothing of Orchard) and, in its init,
// stores in [Bridge] a value of an unexported process type whose exported
// methods do the work. rt asserts that value, once, to an interface of its
// own whose method signatures are over process's types, and calls through
// it. The cost is one interface method call per operation: no map, no
// reflection, no //go:linkname, no unsafe. This is the standard library's
// internal/testlog pattern (a hook variable in a low package, set by the
// package that implements it) with a typed interface instead of a
// function per operation.
//
// # OTP mapping
//
// rtcore has no OTP counterpart: OTP's timeouts are the receive after
// clause of the waiting process. Orchard's [Deadline] is the timeout of a
// wait that is not a receive (a call, a start), swept by one goroutine
// per node instead of a runtime timer per wait.
//
// # Semantics
//
// A [Deadline] fires (its Expirer's Expire is called) at or a little after
// its time, never before, on the sweeper's goroutine, unless it is
// stopped first. After [Sweeper.Close], a deadline that is started
// expires at once.
package rtcore
