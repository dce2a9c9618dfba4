package observer

import (
	"context"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// Limits of a process's page.
const (
	maxMessagesShown = 10
	maxTextLen       = 2000 // characters of one message, state or stack line block
	maxAncestors     = 32
)

// detail is a process's page.
type detail struct {
	PID         string   `json:"pid"`
	Alive       bool     `json:"alive"`
	Status      string   `json:"status,omitempty"`
	Name        string   `json:"name,omitempty"`
	Behaviour   string   `json:"behaviour,omitempty"`
	Parent      string   `json:"parent,omitempty"`
	Ancestors   []string `json:"ancestors,omitempty"` // parent first
	Links       []string `json:"links"`
	Monitors    []string `json:"monitors"`
	MonitoredBy []string `json:"monitored_by"`
	TrapExit    bool     `json:"trap_exit"`
	Mailbox     int      `json:"mailbox"`
	Handled     uint64   `json:"handled"`
	Timers      int      `json:"timers"`
	AgeMS       int64    `json:"age_ms"`
	// Messages holds the first queued messages, printed, when the server
	// opts in; MessagesRedacted says they exist but are not shown.
	Messages         []string `json:"messages,omitempty"`
	MessagesRedacted bool     `json:"messages_redacted"`
	State            string   `json:"state,omitempty"`
	StateShown       bool     `json:"state_shown"`
	StateError       string   `json:"state_error,omitempty"`
	// Stack is taken on a stream's first update only (StackTaken); the
	// page keeps it and asks again on demand.
	Stack      string `json:"stack,omitempty"`
	StackTaken bool   `json:"stack_taken"`
}

// detail builds the page of the process printed as s.
func (h *Handler) detail(ctx context.Context, s string, withStack bool) *detail {
	d := &detail{PID: s, Links: []string{}, Monitors: []string{}, MonitoredBy: []string{}}
	pid, ok := h.pid(s)
	if !ok {
		return d
	}
	in, err := h.node.Info(pid)
	if err != nil {
		return d
	}
	d.Alive = true
	d.Status, d.Name, d.Behaviour = in.Status.String(), in.Name, in.Behaviour
	d.TrapExit, d.Mailbox, d.Handled, d.Timers = in.TrapExit, in.MailboxLen, in.MessagesHandled, in.Timers
	d.AgeMS = time.Since(in.StartTime).Milliseconds()
	d.Links, d.Monitors, d.MonitoredBy = pids(in.Links), pids(in.Monitors), pids(in.MonitoredBy)
	if !in.Parent.IsZero() {
		d.Parent = in.Parent.String()
		for p := in.Parent; !p.IsZero() && len(d.Ancestors) < maxAncestors; {
			d.Ancestors = append(d.Ancestors, p.String())
			pin, err := h.node.Info(p)
			if err != nil {
				break // a dead ancestor: its own parent is unknown
			}
			p = pin.Parent
		}
	}
	if in.MailboxLen > 0 {
		if h.cfg.ShowMessages {
			msgs, _ := rt.Peek(h.node, pid, maxMessagesShown)
			for _, m := range msgs {
				d.Messages = append(d.Messages, clip(fmt.Sprintf("%T %+v", m, m)))
			}
		} else {
			d.MessagesRedacted = true
		}
	}
	if h.cfg.FormatState != nil {
		d.StateShown = true
		sctx, cancel := context.WithTimeout(ctx, h.cfg.Interval/2)
		st, err := callState(sctx, h.cfg.FormatState, pid)
		cancel()
		if err != nil {
			d.StateError = clip(err.Error())
		} else {
			d.State = clip(st)
		}
	}
	if withStack { // two dumps of every goroutine: once per stream, not per update
		d.StackTaken = true
		if st, err := rt.Stack(h.node, pid); err == nil {
			d.Stack = st
		}
	}
	return d
}

// callState calls the application's formatter, turning a panic into an
// error: a bad formatter must not take the page's stream down.
func callState(ctx context.Context, f func(context.Context, process.PID) (string, error), pid process.PID) (s string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("observer: FormatState panicked: %v", r)
		}
	}()
	return f(ctx, pid)
}

func pids(ps []process.PID) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// clip shortens s to maxTextLen characters.
func clip(s string) string {
	r := []rune(s)
	if len(r) <= maxTextLen {
		return s
	}
	return string(r[:maxTextLen]) + "…"
}
