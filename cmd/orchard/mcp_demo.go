package main

import (
	"context"
	"errors"
	"strings"

	"github.com/seed-fe72f376/orchard/process"
)

// defaultMCPAddr is where `orchard demo` serves MCP (Streamable HTTP at
// /mcp); --mcp changes it, --mcp= turns it off.
const defaultMCPAddr = "127.0.0.1:7601"

// startDemoMCP serves MCP for the demo on node at addr (nothing for an empty
// addr): the demo's tools under their own application. It returns the stop
// function (to call before the demo counts the processes left) and the
// banner line. A busy address is not fatal: the banner says so. While it
// serves, live holds it (for the observer's views, mcpobs.go).
func startDemoMCP(ctx context.Context, node *process.Node, addr string, live *liveMCP) (stop func() error, banner string) {
	stop = func() error { return nil }
	if addr == "" {
		return stop, ""
	}
	m, err := startMCP(ctx, node, mcpConfig{HTTP: addr})
	if err != nil {
		return stop, "mcp: not served: " + err.Error()
	}
	live.app.Store(m)
	return func() error {
		live.app.Store(nil)
		sctx, cancel := context.WithTimeout(context.Background(), stopBudget)
		defer cancel()
		if err := m.app.Stop(sctx); err != nil && !strings.Contains(err.Error(), "stopped") {
			return errors.Join(errors.New("stopping mcp"), err)
		}
		return nil
	}, "mcp " + m.addr + " (tools: echo, add, slow, panics, sleepy; agents: " + mcpAgentTools + ")"
}

// joinBanner joins two header lines.
func joinBanner(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n" + b
}
