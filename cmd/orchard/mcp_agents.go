package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	agentsys "github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/app"
	"github.com/seed-fe72f376/orchard/mcp"
	"github.com/seed-fe72f376/orchard/mcp/agenttools"
	"github.com/seed-fe72f376/orchard/process"
)

// The demo's agents as MCP tools: `orchard mcp` and the demo's MCP
// endpoint run an agent system as an application part before the server,
// with a ledger (the agent act's kind: ledger.work, ledger.book) and a
// batch agent whose batch.run reports progress; their actions are offered
// beside the built-in demo tools, and their status as orchard://agents and
// orchard://agents/{id}.

// mcpAgentTools names the agents' tools, for the banners.
const mcpAgentTools = "batch.run, ledger.book, ledger.work"

// batchRun is the input of batch.run.
type batchRun struct {
	Steps int `json:"steps" jsonschema:"how many steps"`
	MS    int `json:"ms" jsonschema:"milliseconds per step"`
}

// batchKind works in steps, reporting progress as each starts; the
// client's cancellation ends it.
func batchKind() (agentsys.Kind, error) {
	run := func(ctx context.Context, done *int, in batchRun) (map[string]int, []agentsys.Directive, error) {
		if in.Steps < 0 || in.Steps > 10000 || in.MS < 0 || in.MS > 60000 {
			return nil, nil, fmt.Errorf("batch.run: steps must be in 0..10000 and ms in 0..60000")
		}
		for i := 1; i <= in.Steps; i++ {
			agentsys.ReportProgress(ctx, float64(i-1), float64(in.Steps), fmt.Sprintf("step %d of %d", i, in.Steps))
			t := time.NewTimer(time.Duration(in.MS) * time.Millisecond)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, nil, ctx.Err()
			case <-t.C:
			}
		}
		*done += in.Steps
		return map[string]int{"steps": in.Steps, "total": *done}, nil, nil
	}
	return agentsys.NewKind(agentsys.Spec[int]{
		Name:    "batch",
		Actions: []agentsys.Action[int]{agentsys.NewAction("run", "works in steps, reporting progress", run)},
	})
}

// mcpAgentsPart returns the application part that runs the demo's agents,
// and the function that adds them to the server's configuration once the
// part has started.
func mcpAgentsPart(ctx context.Context, logger *slog.Logger) (app.Part, func(*mcp.Config)) {
	var tools *agenttools.Agents
	part := app.Part{Name: "agents", Start: func(node *process.Node) (process.PID, error) {
		ledger, err := demoKind(nil)
		if err != nil {
			return process.PID{}, err
		}
		batch, err := batchKind()
		if err != nil {
			return process.PID{}, err
		}
		sys, err := agentsys.Start(node, agentsys.WithStore(agentsys.NewMemoryStore()), agentsys.WithLogger(logger))
		if err != nil {
			return process.PID{}, err
		}
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		for _, c := range []agentsys.Config{{ID: "ledger", Kind: ledger}, {ID: "batch", Kind: batch}} {
			if _, err := sys.Spawn(sctx, c); err != nil {
				_ = sys.Stop(sctx)
				return process.PID{}, err
			}
		}
		if tools, err = agenttools.New(sys); err != nil {
			return process.PID{}, err
		}
		return sys.PID(), nil
	}}
	return part, func(cfg *mcp.Config) {
		if tools == nil {
			return
		}
		cfg.Tools = joinTools{cfg.Tools, tools}
		cfg.Resources = append(cfg.Resources, tools.Resources()...)
		cfg.ResourceTemplates = append(cfg.ResourceTemplates, tools.ResourceTemplates()...)
	}
}

// joinTools offers the tools of several sources; the first source that
// lists a name runs it.
type joinTools []mcp.ToolSource

func (j joinTools) Tools(ctx context.Context) ([]mcp.Tool, error) {
	var all []mcp.Tool
	for _, src := range j {
		ts, err := src.Tools(ctx)
		if err != nil {
			return nil, err
		}
		all = append(all, ts...)
	}
	return all, nil
}

func (j joinTools) CallTool(ctx context.Context, name string, args json.RawMessage, progress mcp.Progress) (json.RawMessage, error) {
	for _, src := range j {
		ts, err := src.Tools(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			if t.Name == name {
				return src.CallTool(ctx, name, args, progress)
			}
		}
	}
	return nil, fmt.Errorf("%w: %q", mcp.ErrUnknownTool, name)
}
