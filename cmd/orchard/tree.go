package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// status is what the tree view says about a member. Transitions:
// stopped → running (started); running → restarting (it crashed, or its
// supervisor's strategy stopped it to restart it); restarting → running;
// running → stopped (shut down).
type status int

const (
	stopped status = iota
	running
	restarting
)

func (s status) String() string {
	switch s {
	case running:
		return "running"
	case restarting:
		return "restarting"
	}
	return "stopped"
}

// member is one process of the supervision tree as the demo sees it,
// built only from supervisor events.
type member struct {
	id       string
	sup      bool // a supervisor
	dynamic  bool // a dynamic supervisor: children added at run time
	strategy supervisor.Strategy
	pid      process.PID
	status   status
	restarts int
	// givingUp is set when the supervisor reached its restart intensity:
	// it is terminating its children before exiting, which is not the
	// application's shutdown.
	givingUp bool
	parent   *member
	children []*member // in start order
}

// episode is one crash and what the crashed child's supervisor did about
// it: from its ChildRestarting to the ChildStarted that completes the
// restart.
type episode struct {
	crashed    *member
	reason     error
	terminated []*member // siblings stopped by the strategy
	started    []*member // restarted, in start order
}

// done says whether every member the episode stopped is running again.
func (e *episode) done() bool {
	if !slices.Contains(e.started, e.crashed) {
		return false
	}
	for _, m := range e.terminated {
		if !slices.Contains(e.started, m) {
			return false
		}
	}
	return true
}

// line is the crash line, e.g. "crash validator (panic) → rest_for_one
// restarted validator, transformer". The strategy and the list come from
// the events, not from what the strategy is supposed to do.
func (e *episode) line() string {
	var names []string
	for _, m := range e.started {
		names = append(names, m.id)
	}
	verb := "crash " + e.crashed.id
	if e.crashed.sup {
		verb = e.crashed.id + " exited"
	}
	return fmt.Sprintf("%s (%s) → %s restarted %s",
		verb, crashKind(e.reason), e.crashed.parent.strategy, strings.Join(names, ", "))
}

// stopStep is one child a supervisor stopped outside any restart: the
// application's shutdown.
type stopStep struct {
	sup, child *member
	// alsoStopped counts the running processes below child that went
	// with it without events of their own (a dynamic supervisor's
	// children).
	alsoStopped int
}

// tree is the demo's view of the supervision tree. It is owned by the
// director's process; no lock.
type tree struct {
	root  *member
	byID  map[string]*member // every id is unique in the demo's tree
	open  map[*member]*episode
	stops []stopStep

	version  int // bumped on every change, for --quiet
	restarts int // children restarted
}

// newTree returns the demo's tree, all stopped: root (one_for_one) with
// the agents supervisor and the pipeline supervisor.
func newTree() *tree {
	t := &tree{byID: make(map[string]*member), open: make(map[*member]*episode)}
	t.root = t.add(nil, &member{id: "root", sup: true, strategy: supervisor.OneForOne})
	agents := t.add(t.root, &member{id: agentsID, sup: true, dynamic: true, strategy: supervisor.OneForOne})
	for i := 1; i <= agentCount; i++ {
		t.add(agents, &member{id: agentName(i)})
	}
	pipeline := t.add(t.root, &member{id: pipelineID, sup: true, strategy: supervisor.RestForOne})
	for _, name := range stageNames {
		t.add(pipeline, &member{id: name})
	}
	return t
}

func (t *tree) add(parent, m *member) *member {
	m.parent = parent
	if parent != nil {
		parent.children = append(parent.children, m)
	}
	t.byID[m.id] = m
	return m
}

// apply updates the tree with one supervisor event. It returns the
// episode the event completed, if any, and a line worth showing for
// events that are neither a start nor part of a restart.
func (t *tree) apply(ev supervisor.Event) (*episode, string) {
	switch e := ev.(type) {
	case supervisor.ChildStarted:
		return t.started(e), ""
	case supervisor.ChildRestarting:
		m := t.child(e.Supervisor, e.ID)
		if m == nil {
			return nil, ""
		}
		m.status = restarting
		setBelow(m, stopped)
		t.open[m.parent] = &episode{crashed: m, reason: e.Reason}
	case supervisor.ChildTerminated:
		t.terminated(e)
	case supervisor.IntensityReached:
		m := t.child(e.Supervisor, e.ID)
		if m == nil {
			return nil, ""
		}
		delete(t.open, m.parent)
		m.parent.givingUp = true
		m.status = stopped
		t.version++
		return nil, fmt.Sprintf("%s: too many restarts; %s gives up", m.id, m.parent.id)
	case supervisor.StartFailed:
		return nil, fmt.Sprintf("%s failed to start: %s", e.ID, process.FormatReason(e.Reason))
	default:
		return nil, ""
	}
	t.version++
	return nil, ""
}

// child finds the member id, child of the supervisor sup, and notes
// sup's PID (events are the only way the tree learns supervisors' PIDs).
func (t *tree) child(sup process.PID, id string) *member {
	m := t.byID[id]
	if m == nil || m.parent == nil {
		return nil
	}
	m.parent.pid = sup
	m.parent.status = running
	return m
}

func (t *tree) started(e supervisor.ChildStarted) *episode {
	m := t.child(e.Supervisor, e.ID)
	if m == nil {
		return nil
	}
	t.version++
	m.pid, m.status, m.givingUp = e.PID, running, false
	ep := t.open[m.parent]
	if ep == nil || (ep.crashed != m && !slices.Contains(ep.terminated, m)) {
		return nil // a first start
	}
	m.restarts++
	t.restarts++
	ep.started = append(ep.started, m)
	if !ep.done() {
		return nil
	}
	delete(t.open, m.parent)
	return ep
}

func (t *tree) terminated(e supervisor.ChildTerminated) {
	m := t.child(e.Supervisor, e.ID)
	if m == nil {
		return
	}
	if ep := t.open[m.parent]; ep != nil {
		m.status = restarting
		setBelow(m, stopped)
		ep.terminated = append(ep.terminated, m)
		return
	}
	if m.parent.givingUp {
		m.status = stopped
		setBelow(m, stopped)
		return
	}
	step := stopStep{sup: m.parent, child: m}
	if m.dynamic {
		step.alsoStopped = countRunning(m)
	}
	t.stops = append(t.stops, step)
	m.status = stopped
	setBelow(m, stopped)
}

// stopped marks the whole tree stopped, once the application has stopped.
func (t *tree) stopped() {
	t.root.status = stopped
	setBelow(t.root, stopped)
	t.version++
}

// setBelow sets the status of every member below m.
func setBelow(m *member, s status) {
	for _, c := range m.children {
		c.status = s
		setBelow(c, s)
	}
}

func countRunning(m *member) int {
	n := 0
	for _, c := range m.children {
		if c.status == running {
			n++
		}
		n += countRunning(c)
	}
	return n
}

// stopSequence describes the shutdown from the stop steps, in the order
// they happened: "pipeline (transformer, validator, parser), agents (12
// at once)".
func (t *tree) stopSequence() string {
	var parts []string
	for _, st := range t.stops {
		if st.sup != t.root {
			continue
		}
		var below []string
		for _, inner := range t.stops {
			if inner.sup == st.child {
				below = append(below, inner.child.id)
			}
		}
		switch {
		case len(below) > 0:
			parts = append(parts, fmt.Sprintf("%s (%s)", st.child.id, strings.Join(below, ", ")))
		case st.alsoStopped > 0:
			parts = append(parts, fmt.Sprintf("%s (%d at once)", st.child.id, st.alsoStopped))
		default:
			parts = append(parts, st.child.id)
		}
	}
	return strings.Join(parts, ", ")
}
