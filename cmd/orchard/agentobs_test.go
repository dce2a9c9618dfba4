package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/observer"
	"github.com/seed-fe72f376/orchard/otptest"
)

// TestAgentSections renders the observer's Agents and Crash log views of
// the demo's live agent system: every agent with its status,
// capabilities and load, the ledger's crash in the crash log, and empty
// tables once the system stopped.
func TestAgentSections(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	node := otptest.NewNode(t)
	var live liveAgents
	if err := live.start(ctx, node); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := live.stopWithin(stopBudget); err != nil {
			t.Error(err)
		}
	}()
	secs := agentSections(live.current)
	h, err := observer.New(observer.Config{Node: node, Sections: secs})
	if err != nil {
		t.Fatalf("the observer refuses the sections: %v", err)
	}
	defer h.Close()
	if len(secs) != 2 || secs[0].Title() != "Agents" || secs[1].Title() != "Crash log" {
		t.Fatalf("sections %v", secs)
	}
	rows := func(i int) observer.Table { return sectionRows(ctx, t, secs[i]) }
	agents := rows(0)
	if !slices.Equal(agents.Columns, []string{"Agent", "Status", "Capabilities", "In flight", "Mailbox", "Buffered", "Crashes"}) {
		t.Errorf("agent columns %q", agents.Columns)
	}
	byID := map[string][]string{}
	for _, r := range agents.Rows {
		byID[r[0]] = r
	}
	if len(byID) != 5 {
		t.Errorf("agent rows %q, want 5 agents", agents.Rows)
	}
	if r := byID["worker-1"]; r == nil || r[1] != "running" || r[2] != "resize" {
		t.Errorf("worker-1 row %q", r)
	}
	if r := byID["sleeper"]; r == nil || r[1] != "hibernated" || r[2] != "books, archive" {
		t.Errorf("sleeper row %q", r)
	}
	otptest.Eventually(t, 5*time.Second, func() bool {
		tab := rows(1)
		return len(tab.Rows) == 1 && tab.Rows[0][0] == "ledger" && strings.Contains(tab.Rows[0][1], "kill") && tab.Rows[0][3] == "1"
	}, "the ledger's crash is not in the crash log")
	otptest.Eventually(t, 5*time.Second, func() bool {
		r := rows(0).Rows
		return slices.ContainsFunc(r, func(r []string) bool { return r[0] == "ledger" && r[1] == "running" && r[6] == "1" })
	}, "the ledger is not running again with one crash")

	if err := live.stopWithin(stopBudget); err != nil {
		t.Fatal(err)
	}
	if a, c := rows(0), rows(1); len(a.Rows) != 0 || len(c.Rows) != 0 {
		t.Errorf("rows after stop: %q, %q", a.Rows, c.Rows)
	}
}

// sectionRows reads sec's table and fails t if it cannot, or if a row
// does not have one cell per column.
func sectionRows(ctx context.Context, t *testing.T, sec observer.Section) observer.Table {
	t.Helper()
	tab, err := sec.Rows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range tab.Rows {
		if len(r) != len(tab.Columns) {
			t.Fatalf("%s: row %q has %d cells for %d columns", sec.Title(), r, len(r), len(tab.Columns))
		}
	}
	return tab
}
