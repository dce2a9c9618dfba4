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
// When the callee's package has a WithTimeout option of the call's option
// type, the suggested fix appends one with the five-second default made
// explicit (adding the time import when needed); otherwise there is no fix,
// pass a context with a deadline. Option constructors (With...) and
// FromContext are not calls that block, and _test.go files are not checked
// (go test's -timeout bounds them). A call whose options are passed with
// opts... is assumed to carry a timeout.
//
// # OTP map
//
//	OTP / Erlang                        Orchard rule
//	----------------------------------  ------------------------------------------
//	gen_server:call(S, Req, Timeout)    genserver.Call(ctx, s, req, WithTimeout(d))
//	gen_server:call(S, Req, infinity)   a context with no deadline (reported)
package calltimeout
