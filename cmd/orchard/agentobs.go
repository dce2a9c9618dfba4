package main

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	agentsys "github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/observer"
	"github.com/seed-fe72f376/orchard/process"
)

// The observer's views of an agent system (issue 18: "agents with
// status, capabilities and load", "the crash log"). They live here, not
// in package observer, so that the observer library does not depend on
// package agent (and through it on NATS, which internal/layers keeps to
// the stores).

const (
	// agentRows bounds the rows of the Agents section (the first agents
	// by id), so that a system of 100,000 registered agents still sends
	// a small update.
	agentRows = 200
	// crashRows bounds the rows of the Crash log section (the most recent
	// crashes first).
	crashRows = 50
)

// agentSections returns the views of the agent system that current
// returns (nil while there is none: the views are empty then) for
// observer.Config.Sections: "Agents" (id, status, capabilities, in-flight
// runs, mailbox length, buffered messages, crashes; the first agentRows
// by id) and "Crash log" (the system's error store: agent, reason, time,
// restarts; the crashRows most recent first).
func agentSections(current func() *agentsys.System) []observer.Section {
	agents := observer.SectionFunc("Agents", func(context.Context) (observer.Table, error) {
		sys := current()
		t := observer.Table{Columns: []string{"Agent", "Status", "Capabilities", "In flight", "Mailbox", "Buffered", "Crashes"}}
		for _, in := range sys.Agents(agentRows) {
			t.Rows = append(t.Rows, []string{in.ID, in.Status.String(), strings.Join(in.Capabilities, ", "),
				strconv.Itoa(in.InFlight), strconv.Itoa(in.MailboxLen), strconv.Itoa(in.Buffered), strconv.Itoa(in.Crashes)})
		}
		if reg, _ := sys.Count(); reg > agentRows {
			t.Rows = append(t.Rows, []string{"… " + strconv.Itoa(reg-agentRows) + " more", "", "", "", "", "", ""})
		}
		return t, nil
	})
	crashes := observer.SectionFunc("Crash log", func(context.Context) (observer.Table, error) {
		sys := current()
		t := observer.Table{Columns: []string{"Agent", "Reason", "Time", "Restarts"}}
		recs := sys.Errors(agentsys.CrashFilter{})
		slices.SortStableFunc(recs, func(a, b agentsys.CrashRecord) int { return cmp.Compare(b.Time.UnixNano(), a.Time.UnixNano()) })
		for _, r := range recs[:min(len(recs), crashRows)] {
			t.Rows = append(t.Rows, []string{r.AgentID, r.Reason, r.Time.Format(time.DateTime + ".000"), strconv.Itoa(r.Restarts)})
		}
		return t, nil
	})
	return []observer.Section{agents, crashes}
}

// liveAgents is the small agent system the demo runs on its main node
// while its HTTP server is up, so that the observer's Agents and Crash
// log views have something to show: three workers ticked every second by
// a timer sensor, a ledger killed once (one crash, restored from the
// store) and a hibernated sleeper.
type liveAgents struct {
	sys atomic.Pointer[agentsys.System]
}

// current returns the running system, or nil.
func (l *liveAgents) current() *agentsys.System { return l.sys.Load() }

// start starts the system on node.
func (l *liveAgents) start(ctx context.Context, node *process.Node) (err error) {
	ctx, cancel := context.WithTimeout(ctx, stopBudget)
	defer cancel()
	sys, err := agentsys.Start(node, agentsys.WithStore(agentsys.NewMemoryStore()), agentsys.WithLogger(discard))
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, sys.Stop(ctx))
		}
	}()
	ticked, err := demoKind(func(s *agentsys.Spec[ledger]) {
		s.Name = "ticked-ledger"
		s.Actions = append(s.Actions, agentsys.NewAction("tick", "counts a clock tick", func(_ context.Context, st *ledger, n int) (int, []agentsys.Directive, error) {
			st.Total++
			return st.Total, nil, nil
		}))
		s.Routes = append(s.Routes, agentsys.Route{Pattern: "clock.*", Action: "tick"})
	})
	if err != nil {
		return err
	}
	plain, err := demoKind(nil)
	if err != nil {
		return err
	}
	for _, c := range []agentsys.Config{
		{ID: "worker-1", Kind: ticked, Capabilities: []string{"resize"}},
		{ID: "worker-2", Kind: ticked, Capabilities: []string{"resize"}},
		{ID: "worker-3", Kind: ticked, Capabilities: []string{"resize"}},
		{ID: "ledger", Kind: plain, Capabilities: []string{"books"}},
		{ID: "sleeper", Kind: plain, Capabilities: []string{"books", "archive"}},
	} {
		if _, err := sys.Spawn(ctx, c); err != nil {
			return err
		}
	}
	if err := sys.Hibernate(ctx, "sleeper"); err != nil {
		return err
	}
	if pid, err := sys.Whereis("ledger"); err == nil {
		_ = node.Exit(pid, process.Kill) // one crash for the crash log; it restarts
	}
	if _, err := sys.StartTimerSensor(ctx, "clock", "clock.tick", time.Second); err != nil {
		return err
	}
	l.sys.Store(sys)
	return nil
}

// stopWithin stops the system, if it runs, within d.
func (l *liveAgents) stopWithin(d time.Duration) error {
	sys := l.sys.Swap(nil)
	if sys == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return sys.Stop(ctx)
}
