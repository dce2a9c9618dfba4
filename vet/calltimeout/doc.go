// Package calltimeout defines an Analyzer that reports blocking Orchard
// calls made with context.Background() or context.TODO() and no timeout.
//
// # Analyzer calltimeout
//
// calltimeout: report blocking Orchard calls with no deadline and no timeout option
//
// Every blocking call names its bound. A call to an Orchard function or
// method that takes a context (genserver.Call, send.Send,
// supervisor.StartChild, Node.Stop, ...) made with context.Background() or
// context.TODO() — in place, or through a local variable assigned only
// that — and without the package's WithTimeout option carries no bound of
// its own: it waits for the node's configured default, or for ever where
// there is none.
//
//	// WRONG
//	n, err := genserver.Call[int](context.Background(), pid, get{})
//
//	// RIGHT
//	n, err := genserver.Call[int](context.Background(), pid, get{}, genserver.WithTimeout(5*time.Second))
//	// or a context with a deadline, or the caller's own context
//
// Most such calls are not unbounded: genserver.Call, send.Send and the
// supervisor's calls fall back to the node's configured default (package
// timeouts, the seed's central timeout configuration), and Node.Stop to the
// stop grace. The rule asks for the bound to be named where the call is
// made anyway: the caller's own context, a context with a deadline, or
// the option. A call that deliberately relies on the configured default
// says so with //orchardvet:allow calltimeout and the reason.
//
// When the callee's package has a WithTimeout option of the call's option
// type, the suggested fix appends one, with the package's default
// constant (genserver.DefaultCallTimeout) or else 5*time.Second (adding
// the time import); note that an explicit option overrides the node's
// configured default for that call. Otherwise there is no fix: pass a
// context with a deadline. Option constructors (With...), FromContext and
// callees in internal packages (Orchard's own plumbing) are not checked,
// nor are _test.go files (go test's -timeout bounds them). A call whose
// options are passed with opts... is assumed to carry a timeout.
//
// # OTP map
//
//	OTP / Erlang                        Orchard rule
//	----------------------------------  ------------------------------------------
//	gen_server:call(S, Req, Timeout)    genserver.Call(ctx, s, req, WithTimeout(d))
//	gen_server:call(S, Req, infinity)   a context with no deadline (reported)
package calltimeout
