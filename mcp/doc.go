// Package mcp serves the Model Context Protocol on Orchard's supervision
// model, with the official Go SDK (github.com/modelcontextprotocol/go-sdk)
// doing the protocol: every session is owned by a process, and every tool
// call runs as a supervised task with the request's deadline and
// cancellation.
//
// # OTP mapping
//
//	erlmcp                                   Orchard
//	---------------------------------------  ------------------------------------------
//	erlmcp_sup / erlmcp_core_sup             [Start]: the "mcp" one_for_one tree
//	erlmcp_server_sup (simple_one_for_one)   the "sessions" dynamic supervisor
//	erlmcp_server (one per client)           a session process ([Server.Serve], stateful
//	                                         HTTP sessions from their initialize on)
//	erlmcp_tcp_listener_sup + connection     transport.Listener + [Server.TCPHandler]
//	erlmcp_http listener                     [Server.HTTPHandler] on net/http
//	tool call in a spawned worker            a task of the "tasks" task supervisor
//	erlmcp_registry of tools                 a [ToolSource] (mcp/agenttools, [DemoTools])
//	agents as tools / agent resources        package mcp/agenttools: "<agent>.<action>"
//	                                         tools, orchard://agents{,/{id}}
//	progress / cancel notifications          [Progress]; the call's context
//
// # Semantics
//
// Sessions: stdio (or any stream, [Server.Serve]) and each stateful
// Streamable HTTP session are owned by a temporary process under the
// sessions supervisor: the process's death closes the session, and the
// session's end ends the process. A TCP session is owned by its connection's
// process (package transport). A stateless Streamable HTTP request runs in a
// task of its own. The protocol revisions are the SDK's: the current one
// and 2025-11-25 (and older ones the SDK still negotiates).
//
// Tool calls: each runs as a task, not linked to its session, with a
// context that has the call's deadline (Config.ToolTimeout, or the
// request's if sooner) and is cancelled when the client cancels the call
// (notifications/cancelled) or its session ends. A panic in a tool is an
// error result for that call only (the task's crash is reported by its
// supervisor); a tool that ignores its deadline is killed a grace period
// later and the call gets an error result. Progress goes to the client as
// notifications/progress when the call carried a progress token.
//
// Resources: orchard://status (sessions, calls, the node's process
// counts) and those of Config.Resources and Config.ResourceTemplates.
//
// Tools are listed from the source at start, again before every
// tools/list and before a tools/call of a name the server does not know,
// and on [Server.RefreshTools]; when the list changed, live sessions get
// notifications/tools/list_changed. Package mcp/agenttools offers every action of
// every agent of an agent.System this way, as the tool
// "<agent ID>.<action>", with the agents' status as resources.
//
// # Differences from OTP
//
// erlmcp implements the protocol itself; here the SDK does, and Orchard
// provides the processes, tasks and supervisors around it.
//
// # Example
//
//	s, err := mcp.Start(ctx, node, mcp.Config{Tools: mcp.DemoTools{}})
//	http.Handle("/mcp", s.HTTPHandler(false))
package mcp
