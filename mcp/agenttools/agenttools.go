package agenttools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/mcp"
)

// Sep separates the agent's ID from the action's name in the
// name of an agent's tool: the action "work" of the agent "ledger" is the
// tool "ledger.work".
const Sep = "."

// maxToolName is the longest tool name MCP allows (2025-11-25: 1 to 128
// characters of A-Z, a-z, 0-9, '_', '-' and '.').
const maxToolName = 128

// Agents offers the agents of an [agent.System] to MCP clients: every
// action of every registered agent as a tool (an [mcp.ToolSource]) and
// their status as resources. Create it with [New].
//
// Tool names are "<agent ID>.<action>" (see [Sep]). MCP allows
// only 1 to 128 characters among A-Z, a-z, 0-9, '_', '-' and '.' in a
// tool name, so an agent whose ID (with the action's name) does not fit is
// not offered as tools; orchard://agents lists it with no tools and says
// why. The description is the action's, followed by the agent's ID; the
// input schema is the action's input schema, or, for an action whose input
// is not a JSON object, an object with that input as its one property
// "input". Results are the action's JSON result: an object is the call's
// structured content, anything else its text.
//
// The listing is taken anew whenever the server lists its tools (before
// every tools/list, and before a tools/call of a name it does not know),
// so agents registered later appear and unregistered ones go; when the
// listing changed the SDK sends notifications/tools/list_changed to the
// live sessions. [mcp.Server.RefreshTools] pushes a change at once.
//
// A call runs the action with [agent.System.RunJSON]: the call's context
// is the action's (the client's cancellation and the call's deadline reach
// it), the action's [agent.ReportProgress] reports become MCP progress
// notifications, an input that fails the action's schema is an error
// result carrying the validation message, and an agent or action that is
// gone is an error result matching [mcp.ErrUnknownTool].
type Agents struct {
	sys *agent.System

	mu      sync.Mutex
	targets map[string]agentTarget // tool name -> what it runs
}

type agentTarget struct {
	id, action string
	wrapped    bool // the action's input travels as the property "input"
}

// New returns the tools and resources of the agents of sys.
func New(sys *agent.System) (*Agents, error) {
	if sys == nil {
		return nil, argerr.Nil("agenttools: New", "sys")
	}
	return &Agents{sys: sys, targets: map[string]agentTarget{}}, nil
}

// agentTool is one action as a tool, or why it cannot be one.
type agentTool struct {
	tool   mcp.Tool
	target agentTarget
	reason string // non-empty: not offered, and why
}

// toolsOf lists the actions of agent id as tools.
func (a *Agents) toolsOf(id string) ([]agentTool, error) {
	acts, err := a.sys.Actions(id)
	if err != nil {
		return nil, err
	}
	out := make([]agentTool, 0, len(acts))
	for _, act := range acts {
		name := id + Sep + act.Name
		t := agentTool{target: agentTarget{id: id, action: act.Name}}
		if why := badToolName(name); why != "" {
			t.reason = why
			out = append(out, t)
			continue
		}
		schema, wrapped := objectSchema(act.InputSchema)
		t.target.wrapped = wrapped
		desc := act.Description
		if desc != "" {
			desc += " "
		}
		desc += "(agent " + id + ", action " + act.Name + ")"
		t.tool = mcp.Tool{Name: name, Description: desc, InputSchema: schema}
		out = append(out, t)
	}
	return out, nil
}

// Tools lists every action of every registered agent as a tool, sorted
// by agent ID then action.
func (a *Agents) Tools(context.Context) ([]mcp.Tool, error) {
	var tools []mcp.Tool
	targets := map[string]agentTarget{}
	for _, in := range a.sys.Agents(0) {
		ts, err := a.toolsOf(in.ID)
		if err != nil {
			continue // unregistered since List
		}
		for _, t := range ts {
			if t.reason != "" {
				continue
			}
			if _, dup := targets[t.tool.Name]; dup {
				continue // "a.b"+"c" and "a"+"b.c": the first keeps the name
			}
			targets[t.tool.Name] = t.target
			tools = append(tools, t.tool)
		}
	}
	a.mu.Lock()
	a.targets = targets
	a.mu.Unlock()
	return tools, nil
}

// CallTool runs the action behind the tool name with args as its input.
func (a *Agents) CallTool(ctx context.Context, name string, args json.RawMessage, progress mcp.Progress) (json.RawMessage, error) {
	a.mu.Lock()
	t, ok := a.targets[name]
	a.mu.Unlock()
	if !ok {
		if _, err := a.Tools(ctx); err != nil {
			return nil, err
		}
		a.mu.Lock()
		t, ok = a.targets[name]
		a.mu.Unlock()
		if !ok {
			return nil, fmt.Errorf("%w: %q", mcp.ErrUnknownTool, name)
		}
	}
	in := args
	if t.wrapped {
		var w struct {
			Input json.RawMessage `json:"input"`
		}
		if err := json.Unmarshal(args, &w); err != nil {
			return nil, &agent.InvalidInputError{Action: t.action, Err: err}
		}
		in = w.Input
	}
	if progress != nil {
		ctx = agent.WithProgress(ctx, func(p agent.Progress) { progress(p.Done, p.Total, p.Message) })
	}
	res, err := a.sys.RunJSON(ctx, t.id, t.action, in)
	var ua *agent.UnknownAgentError
	var uact *agent.UnknownActionError
	if errors.As(err, &ua) || errors.As(err, &uact) {
		return nil, fmt.Errorf("%w: %q: %w", mcp.ErrUnknownTool, name, err)
	}
	return res, err
}

// Resources returns orchard://agents, the status of every registered
// agent as JSON.
func (a *Agents) Resources() []mcp.Resource {
	return []mcp.Resource{{
		URI: "orchard://agents", Name: "agents", MIMEType: "application/json",
		Description: "Every registered agent: status, process, crashes, load and the tools it offers.",
		Read: func(context.Context) (string, error) {
			list := a.sys.Agents(0)
			out := make([]agentStatus, 0, len(list))
			for _, in := range list {
				out = append(out, a.status(in))
			}
			b, err := json.Marshal(map[string]any{"agents": out})
			return string(b), err
		},
	}}
}

// ResourceTemplates returns orchard://agents/{id}, one agent's status
// with its performance figures, as JSON.
func (a *Agents) ResourceTemplates() []mcp.ResourceTemplate {
	const prefix = "orchard://agents/"
	return []mcp.ResourceTemplate{{
		URITemplate: prefix + "{id}", Name: "agent", MIMEType: "application/json",
		Description: "One agent: status, process, crashes, load, tools and performance figures.",
		Read: func(_ context.Context, uri string) (string, error) {
			id, err := url.PathUnescape(strings.TrimPrefix(uri, prefix))
			if err != nil || !strings.HasPrefix(uri, prefix) {
				return "", fmt.Errorf("%w: %q", mcp.ErrUnknownResource, uri)
			}
			in, err := a.sys.Status(id)
			if err != nil {
				return "", fmt.Errorf("%w: %q: %w", mcp.ErrUnknownResource, uri, err)
			}
			st := a.status(in)
			if s, err := a.sys.AgentStats(id); err == nil {
				st.Stats = &s
			}
			b, err := json.Marshal(st)
			return string(b), err
		},
	}}
}

// agentStatus is an agent as the resources show it.
type agentStatus struct {
	ID         string            `json:"id"`
	Kind       string            `json:"kind"`
	Status     string            `json:"status"`
	PID        string            `json:"pid,omitempty"`
	Crashes    int               `json:"crashes"`
	LastReason string            `json:"lastReason,omitempty"`
	InFlight   int               `json:"inFlight"`
	MailboxLen int               `json:"mailboxLen"`
	Tools      []string          `json:"tools"`
	NotTools   map[string]string `json:"notTools,omitempty"` // action -> why it is no tool
	Stats      *agent.Stats      `json:"stats,omitempty"`
}

func (a *Agents) status(in agent.Info) agentStatus {
	st := agentStatus{ID: in.ID, Kind: in.Config.Kind, Status: in.Status.String(), Crashes: in.Crashes,
		InFlight: in.InFlight, MailboxLen: in.MailboxLen, Tools: []string{}}
	if !in.PID.IsZero() {
		st.PID = in.PID.String()
	}
	if in.LastReason != nil {
		st.LastReason = in.LastReason.Error()
	}
	ts, _ := a.toolsOf(in.ID)
	for _, t := range ts {
		if t.reason != "" {
			if st.NotTools == nil {
				st.NotTools = map[string]string{}
			}
			st.NotTools[t.target.action] = t.reason
			continue
		}
		st.Tools = append(st.Tools, t.tool.Name)
	}
	return st
}

// badToolName says why name is not a valid MCP tool name ("" if it is).
func badToolName(name string) string {
	if len(name) > maxToolName {
		return fmt.Sprintf("tool name %q is longer than %d characters", name, maxToolName)
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
		default:
			return fmt.Sprintf("tool name %q has %q (MCP allows A-Z, a-z, 0-9, '_', '-', '.')", name, r)
		}
	}
	return ""
}

// objectSchema returns the tool's input schema for an action's input
// schema: the schema itself when it describes an object, else an object
// whose one required property "input" has it.
func objectSchema(in json.RawMessage) (json.RawMessage, bool) {
	if len(in) == 0 {
		return json.RawMessage(`{"type":"object"}`), false
	}
	var m map[string]any
	if err := json.Unmarshal(in, &m); err == nil && m["type"] == "object" {
		return in, false
	}
	w, err := json.Marshal(map[string]any{
		"type":                 "object",
		"properties":           map[string]json.RawMessage{"input": in},
		"required":             []string{"input"},
		"additionalProperties": false,
	})
	if err != nil {
		return json.RawMessage(`{"type":"object","properties":{"input":{}},"required":["input"]}`), true
	}
	return w, true
}
