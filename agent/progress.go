package agent

import "context"

// Progress is one progress report of a running action.
type Progress struct {
	// Done and Total measure the work (Total zero when unknown).
	Done, Total float64
	// Message says what is going on.
	Message string
}

type progressKey struct{}

// WithProgress returns a context whose action runs report their progress
// to fn (MCP's progress notifications map onto it). fn runs in the agent's
// process, during the action: it must be quick and must not call the agent.
func WithProgress(ctx context.Context, fn func(Progress)) context.Context {
	if ctx == nil || fn == nil {
		return ctx
	}
	return context.WithValue(ctx, progressKey{}, fn)
}

// ReportProgress reports progress from inside an action to the reporter
// its caller installed with WithProgress; without one it does nothing.
func ReportProgress(ctx context.Context, done, total float64, msg string) {
	if ctx == nil {
		return
	}
	if fn, ok := ctx.Value(progressKey{}).(func(Progress)); ok {
		fn(Progress{Done: done, Total: total, Message: msg})
	}
}
