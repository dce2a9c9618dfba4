package rtcore

// Bridge is process's implementation of package rt's operations. Package
// process sets it in its init, before any package that imports rt is
// initialised; rt asserts it to its own interface once. Nothing else may
// read or write it.
var Bridge any

// ExitHook is an exit hook installed through rt.OnExit: Cancel removes it
// and reports whether it was still installed.
type ExitHook interface {
	Cancel() bool
}
