package proc

import (
	"errors"
	"fmt"

	"github.com/seed-fe72f376/orchard/conformance"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

// renderReason renders an exit reason or a call's failure the way the
// reference runner does (FORMAT.md §3): a crash is {boom,stack}, a call
// that ran out of time exits with timeout, a start's or call's error
// shows the server's reason, anything else is conformance.RenderReason.
func renderReason(err error) string {
	var pe *process.PanicError
	var ce *genserver.CallError
	var ie *genserver.InitError
	var se *genserver.StopError
	switch {
	case errors.As(err, &ce):
		if errors.Is(ce.Reason, genserver.ErrTimeout) {
			return "timeout"
		}
		return renderReason(ce.Reason)
	case errors.As(err, &ie):
		return renderReason(ie.Reason)
	case errors.As(err, &se):
		return renderReason(se.Got)
	case errors.As(err, &pe):
		return conformance.Render(conformance.Tuple{valueTerm(pe.Value), conformance.Atom("stack")})
	}
	return conformance.RenderReason(err)
}

func valueTerm(v any) conformance.Term {
	switch x := v.(type) {
	case *conformance.TermError:
		return x.Term
	case conformance.Term:
		return x
	}
	return conformance.Atom(fmt.Sprint(v))
}

// message renders a received message: EXIT From R, DOWN Who R, or the
// term (FORMAT.md §3).
func (h *harness) message(m any) string {
	switch x := m.(type) {
	case process.Exit:
		return "EXIT " + h.nameOf(x.From) + " " + renderReason(x.Reason)
	case process.Down:
		return "DOWN " + h.nameOf(x.PID) + " " + renderReason(x.Reason)
	case conformance.Term:
		return conformance.Render(x)
	}
	return fmt.Sprint(m)
}
