package observer

import (
	"context"
	"fmt"
	"sync"
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
	// Stack is taken once per stream, on its first update that may take
	// it (StackTaken; see Handler.stack); the page keeps it and asks
	// again on demand.
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
	if withStack {
		d.Stack, d.StackTaken = h.stack(pid)
	}
	return d
}

// takeStack is rt.Stack; tests count its calls.
var takeStack = rt.Stack

// stackCache is the handler's last stack capture.
type stackCache struct {
	mu   sync.Mutex
	pid  process.PID
	text string
	at   time.Time
}

// stack returns pid's stack and true, or false when it cannot be taken
// yet: a capture is two dumps of every goroutine (each stops the world,
// and grows with the number of processes), so the handler takes at most
// one per interval, however many streams open or reconnect (every sort,
// search or action reconnects the page's stream). A stream asking for
// the pid of the last capture within the interval gets that capture.
func (h *Handler) stack(pid process.PID) (string, bool) {
	c := &h.stacks
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < h.cfg.Interval {
		if c.pid == pid {
			return c.text, true
		}
		return "", false
	}
	st, err := takeStack(h.node, pid)
	if err != nil {
		st = ""
	}
	c.pid, c.text, c.at = pid, st, time.Now()
	return st, true
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
