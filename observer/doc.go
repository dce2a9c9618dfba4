// Package observer is Orchard's live web view of a node: its supervision
// trees, its processes, one process in detail, charts of the node's
// telemetry, its dead letters, and any further views an application plugs
// in (agents, connections, crash logs, cluster nodes) as [Section]s. It is
// an [http.Handler] that any application mounts on its own server; the
// page (HTML, CSS and JavaScript embedded in the binary, no build step,
// nothing fetched from elsewhere) keeps itself up to date through
// server-sent events, once per [Config.Interval].
//
// # OTP mapping
//
//	Erlang / Elixir                               observer
//	---                                           --------
//	observer's Applications tab                   the Trees view (supinfo + supervisor.WhichChildren)
//	observer's Processes tab, etop                the Processes view: sorted, searched and paged on the server
//	observer's process window (process_info/2)    the Process view: status, links, monitors, ancestors, name,
//	                                              mailbox (opt-in), state (opt-in callback, sys:get_state), stack
//	observer's Load Charts, LiveDashboard charts  the Charts view, from telemetry events
//	exit(Pid, kill) from observer's menu          Kill action
//	supervisor:restart_child/terminate_child      Restart and Terminate actions
//	observer_web, Phoenix LiveDashboard pages     Section: views other packages provide
//
// # Semantics
//
// A stream (GET events) sends one JSON update per interval: node counters,
// the chart series, the trees, the dead letters, the sections, one page of
// the process table for the client's sort, search and page, and the
// process the client selected. The process table is built at most once
// per interval and shared by every client; a client never receives more
// than one page of it (Config.PageSize rows), so an update stays small
// with 100,000 processes.
//
// Actions (POST api/...) are disabled unless Config.Token is set; a
// request whose X-Orchard-Token header does not carry the token is refused
// with 403 Forbidden. The token travels in a header the page sets, never
// in a cookie, so another site cannot make a browser act. The page reads
// the token from its URL's fragment (#token=...), which the browser never
// sends to any server. [Listen] binds a loopback address and refuses any
// other unless a token is given ([NotLoopbackError]). A request that
// reached a loopback address must name a loopback host (localhost,
// 127.0.0.1, [::1]) or gets 403: another site's page whose name resolves
// to 127.0.0.1 (DNS rebinding) cannot read the views.
//
// Messages in a mailbox are shown only with Config.ShowMessages, and a
// process's state only through Config.FormatState: both may hold secrets.
// Everything shown is text: the page inserts it with textContent, never as
// HTML, and the server sets a Content-Security-Policy that forbids inline
// scripts.
//
// # Differences from OTP
//
//   - The process table's "memory" is an estimate (the process record, its
//     queued messages at a flat size each, its links, monitors and timers),
//     not a measured heap: Go processes share one heap.
//   - A process that holds no goroutine (an idle handler process) has no
//     stack to show.
package observer
