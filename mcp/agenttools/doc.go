// Package agenttools offers the agents of an agent.System to MCP clients
// through package mcp: every action of every registered agent is a tool
// named "<agent ID>.<action>", and the agents' status is readable as the
// resources orchard://agents and orchard://agents/{id}.
//
// It is a package of its own so that package mcp depends neither on
// package agent nor on what agent brings with it (NATS, through schedule).
//
// # OTP mapping
//
//	erlmcp / Jido                            Orchard
//	---------------------------------------  ------------------------------------------
//	erlmcp_registry of tools                 [Agents] as an mcp.ToolSource, listed anew
//	                                         at each tools/list (agents come and go)
//	Jido action as a tool (name, schema)     the tool "<agent>.<action>" with the
//	                                         action's description and input schema
//	tool call → gen_server:call to the agent agent.System.RunJSON in the call's task
//	progress / cancel notifications          agent.ReportProgress; the action's ctx
//	agent status (sys:get_status)            orchard://agents, orchard://agents/{id}
//
// # Semantics
//
// See [Agents] for the tool-name scheme (MCP allows 1 to 128 characters
// among A-Z, a-z, 0-9, '_', '-' and '.'), the input schemas, results,
// errors, progress and cancellation.
//
// # Differences from OTP
//
// OTP has no tool protocol; erlmcp registers tools by hand. Here the
// tools follow the agents: registering an agent offers its actions.
//
// # Example
//
//	a, err := agenttools.New(sys)
//	s, err := mcp.Start(ctx, node, mcp.Config{Tools: a, Resources: a.Resources(), ResourceTemplates: a.ResourceTemplates()})
package agenttools
