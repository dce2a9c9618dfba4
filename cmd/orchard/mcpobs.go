package main

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/observer"
	"github.com/seed-fe72f376/orchard/transport"
)

// The observer's views of the demo's MCP endpoint (issue 18: "MCP
// connections and sessions"). They live here, next to the agents' views
// (agentobs.go), so that package observer depends on neither mcp nor
// transport.

// mcpRows bounds the rows of each MCP view (the oldest first), so that
// a server with many clients still sends a small update.
const mcpRows = 200

// liveMCP holds the demo's MCP application while it serves.
type liveMCP struct {
	app atomic.Pointer[mcpApp]
}

// current returns the serving application, or nil.
func (l *liveMCP) current() *mcpApp { return l.app.Load() }

// mcpSections returns the views of the MCP application that current
// returns (nil while there is none: the views are empty then) for
// observer.Config.Sections: "MCP sessions" (id, transport, remote
// address, owning process, age, tool calls in flight) and "Connections"
// (the endpoint's open TCP or HTTP connections: id, transport, remote
// address, owning process, age, state).
func mcpSections(current func() *mcpApp) []observer.Section {
	sessions := observer.SectionFunc("MCP sessions", func(context.Context) (observer.Table, error) {
		t := observer.Table{Columns: []string{"Session", "Transport", "Remote", "PID", "Age", "In flight"}}
		m := current()
		if m == nil || m.server == nil {
			return t, nil
		}
		now := time.Now()
		for _, s := range m.server.SessionList(mcpRows) {
			t.Rows = append(t.Rows, []string{s.ID, s.Transport, s.Remote, s.PID.String(), age(now, s.Since), strconv.Itoa(s.InFlight)})
		}
		return t, nil
	})
	conns := observer.SectionFunc("Connections", func(context.Context) (observer.Table, error) {
		t := observer.Table{Columns: []string{"Connection", "Transport", "Remote", "PID", "Age", "State"}}
		m := current()
		if m == nil {
			return t, nil
		}
		var list []transport.ConnInfo
		switch {
		case m.http != nil:
			list = m.http.ConnectionList(mcpRows)
		case m.tcp != nil:
			list = m.tcp.ConnectionList(mcpRows)
		}
		now := time.Now()
		for _, c := range list {
			t.Rows = append(t.Rows, []string{"#" + strconv.FormatUint(c.ID, 10), c.Transport, c.Remote, c.PID.String(), age(now, c.Since), c.State})
		}
		return t, nil
	})
	return []observer.Section{sessions, conns}
}

// age is the time from since to now, to the second.
func age(now, since time.Time) string {
	return now.Sub(since).Truncate(time.Second).String()
}
