package proc

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// The waits of FORMAT.md §3, the same as the reference runner's.
const (
	recvWait    = time.Second           // recv and dead
	nothingWait = 50 * time.Millisecond // nothing
	stepWait    = 10 * time.Second      // an answer; past it the actor "hangs"
	stopWait    = 5 * time.Second       // the node's stop at the end
	syncRequest = syncReq("$sync")      // the settle call, never reported
)

type syncReq string

// Run plays sc on a fresh node and returns the observed trace. Run it
// inside a testing/synctest bubble to replay the waits on fake time. A
// nil ctx or sc, and a scenario [Scenario.Validate] rejects, are errors
// matching [ErrInvalidArgument]; nothing is run. opts are given to every
// gen_server the scenario starts: genserver.HandleAbandoned plays it in
// OTP-exact mode, so a test checks the trace in both modes.
func Run(ctx context.Context, sc *Scenario, opts ...genserver.StartOption) ([]string, error) {
	if ctx == nil {
		return nil, argerr.Nil("proc: Run", "ctx")
	}
	if sc == nil {
		return nil, argerr.Nil("proc: Run", "sc")
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	h := &harness{
		pids:    map[string]process.PID{},
		names:   map[process.PID]string{},
		exits:   map[process.PID]error{},
		changed: make(chan struct{}),
		pending: map[string]chan answer{},
		opts:    opts,
	}
	node, err := process.NewNode(rt.WithEventHook(h.event))
	if err != nil {
		return nil, err
	}
	h.node = node
	defer func() {
		// As the reference, kill every process at the end: an actor that
		// traps exits would otherwise hold up the node's stop.
		h.mu.Lock()
		pids := make([]process.PID, 0, len(h.pids))
		for _, pid := range h.pids {
			pids = append(pids, pid)
		}
		h.mu.Unlock()
		for _, pid := range pids {
			_ = node.Exit(pid, process.Kill)
		}
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopWait)
		defer cancel()
		_ = node.Stop(sctx)
	}()
	for i, st := range sc.Steps {
		if err := h.step(ctx, &st); err != nil {
			return h.trace, fmt.Errorf("proc: step %d (%s): %w", i+1, st.Do, err)
		}
	}
	return h.trace, nil
}

// harness plays the steps. The fields under mu are written by actors,
// servers and the node's event hook; the others belong to the goroutine
// that runs Run.
type harness struct {
	node *process.Node
	opts []genserver.StartOption // for every gen_server started

	mu      sync.Mutex // protects the fields below
	pids    map[string]process.PID
	names   map[process.PID]string
	exits   map[process.PID]error // every process that died on the node
	servers []string              // in start order
	events  []event               // server callbacks of the current step
	changed chan struct{}         // closed and replaced on every change

	pending map[string]chan answer // owned by Run: an actor's async call
	trace   []string               // owned by Run
}

type event struct{ server, line string }

// answer is an actor's reply to a command: at most one trace line.
type answer struct{ line string }

// command is what the harness sends an actor.
type command struct {
	step  *Step // nil: a ping (status)
	reply chan answer
}

// event records exits; it is the node's event hook, called after the
// dead process's links and monitors were signalled.
func (h *harness) event(e rt.Event) {
	if x, ok := e.(rt.Exited); ok {
		h.mu.Lock()
		h.exits[x.PID] = x.Reason
		h.broadcastLocked()
		h.mu.Unlock()
	}
}

func (h *harness) broadcastLocked() {
	close(h.changed)
	h.changed = make(chan struct{})
}

func (h *harness) register(name string, pid process.PID, server bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pids[name] = pid
	h.names[pid] = name
	if server {
		h.servers = append(h.servers, name)
	}
	h.broadcastLocked()
}

// reply answers a command and wakes the harness.
func (h *harness) reply(c *command, a answer) {
	c.reply <- a
	h.mu.Lock()
	h.broadcastLocked()
	h.mu.Unlock()
}

func (h *harness) record(server, line string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, event{server, server + " " + line})
	h.broadcastLocked()
}

func (h *harness) pid(name string) process.PID {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.pids[name]
}

// nameOf renders a PID as its actor's or server's name.
func (h *harness) nameOf(pid process.PID) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n, ok := h.names[pid]; ok {
		return n
	}
	return "pid"
}

// exitOf returns the exit reason of the process called name, if it died.
func (h *harness) exitOf(name string) (error, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	pid, ok := h.pids[name]
	if !ok {
		return nil, false
	}
	r, dead := h.exits[pid]
	return r, dead
}

// waitFor waits until cond holds or d passed; it reports whether cond
// held.
func (h *harness) waitFor(cond func() bool, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		h.mu.Lock()
		ch := h.changed
		h.mu.Unlock()
		if cond() {
			return true
		}
		select {
		case <-ch:
		case <-timer.C:
			return cond()
		}
	}
}

// step runs one step, settles, and appends the step's server events and
// then its own lines to the trace.
func (h *harness) step(ctx context.Context, st *Step) error {
	lines, err := h.do(st)
	if err != nil {
		return err
	}
	h.settle(ctx)
	h.mu.Lock()
	evs := h.events
	h.events = nil
	h.mu.Unlock()
	slices.SortStableFunc(evs, func(a, b event) int { return strings.Compare(a.server, b.server) })
	for _, e := range evs {
		h.trace = append(h.trace, e.line)
	}
	h.trace = append(h.trace, lines...)
	return nil
}

func (h *harness) do(st *Step) ([]string, error) {
	switch st.Do {
	case "spawn":
		if st.By != "" {
			return h.command(st.By, st)
		}
		pid, err := h.node.Spawn(h.actor(st.Name))
		if err != nil {
			return nil, err
		}
		h.register(st.Name, pid, false)
		return nil, nil
	case "status":
		if r, dead := h.exitOf(st.To); dead {
			return []string{died(st.To, r)}, nil
		}
		lines, err := h.command(st.To, nil)
		if len(lines) == 0 && err == nil {
			lines = []string{st.To + " alive"}
		}
		return lines, err
	case "dead":
		if !h.waitFor(func() bool { _, d := h.exitOf(st.To); return d }, recvWait) {
			return []string{st.To + " alive"}, nil
		}
		r, _ := h.exitOf(st.To)
		return []string{died(st.To, r)}, nil
	case "await":
		ch, ok := h.pending[st.By]
		if !ok {
			return nil, fmt.Errorf("%s has no async call", st.By)
		}
		delete(h.pending, st.By)
		return h.answer(st.By, ch), nil
	case "call":
		if st.Async {
			return nil, h.asyncCall(st)
		}
	}
	return h.command(st.By, st)
}

// command sends st (nil: a ping) to the actor name and waits for its
// answer or its death.
func (h *harness) command(name string, st *Step) ([]string, error) {
	pid := h.pid(name)
	if pid.IsZero() {
		return nil, fmt.Errorf("unknown actor %q", name)
	}
	ch := make(chan answer, 1)
	_ = h.node.Send(pid, &command{step: st, reply: ch}) // a dead actor is seen by answer
	return h.answer(name, ch), nil
}

// answer waits for an actor's answer on ch, or its death. An answer that
// arrived wins over a death seen at the same time: the actor sent it
// while alive.
func (h *harness) answer(name string, ch chan answer) []string {
	var a answer
	got := false
	take := func() bool {
		select {
		case a = <-ch:
			got = true
		default:
		}
		return got
	}
	dead := func() bool { _, d := h.exitOf(name); return d }
	h.waitFor(func() bool { return take() || dead() }, stepWait)
	switch {
	case take():
		if a.line == "" {
			return nil
		}
		return []string{a.line}
	case dead():
		r, _ := h.exitOf(name)
		return []string{died(name, r)}
	}
	return []string{name + " hangs"}
}

// asyncCall starts a call and returns once the server has received it.
func (h *harness) asyncCall(st *Step) error {
	pid := h.pid(st.By)
	if pid.IsZero() {
		return fmt.Errorf("unknown actor %q", st.By)
	}
	ch := make(chan answer, 1)
	_ = h.node.Send(pid, &command{step: st, reply: ch})
	h.pending[st.By] = ch
	want := st.To + " handle_call " + st.Req
	h.waitFor(func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return slices.ContainsFunc(h.events, func(e event) bool { return e.line == want })
	}, stepWait)
	return nil
}

// settle calls every live server, in start order, so that every callback
// the step caused has run and reported (a '$sync' call is handled after
// all messages sent before it, and after pending continues).
func (h *harness) settle(ctx context.Context) {
	h.mu.Lock()
	servers := slices.Clone(h.servers)
	h.mu.Unlock()
	for _, s := range servers {
		if _, dead := h.exitOf(s); dead {
			continue
		}
		_, err := genserver.Call[any](ctx, h.pid(s), syncRequest, genserver.WithTimeout(genserver.Infinity))
		var ce *genserver.CallError
		if err != nil && !errors.As(err, &ce) {
			continue // the server died meanwhile
		}
	}
}

func died(name string, reason error) string { return name + " died " + renderReason(reason) }
