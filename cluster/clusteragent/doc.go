// Package clusteragent makes package agent's registry cluster-wide on
// package cluster: an agent id is unique in the cluster, resolves to
// whichever node hosts the agent, and an agent no node hosts (it
// hibernated, or its node was declared down) wakes from its last
// snapshot on the node a message for it reaches.
//
// Each node runs an agent.System whose snapshots live in the cluster's
// replicated KV (agent/kvstore's OpenNodeStore, which follows the
// cluster's replica count) and a System (Start) over it, listing the
// kinds it can host (every node the same).
//
// # OTP mapping
//
//	OTP / Elixir                                 Orchard
//	-------------------------------------------  ---------------------------------------------
//	Horde.Registry (a CRDT registry of names)    the catalog bucket + one global name per agent
//	:global.register_name/2 of an agent          Spawn (catalog create, then RegisterGlobal)
//	:global.whereis_name/1, via tuples           Whereis, Status (node, holder PID, fencing token)
//	(none: OTP has no fencing)                   FencedStore: snapshot writes fenced by the token
//	GenServer.call({:via, Horde.Registry, id})   Run, RunJSON (local, or a remote call to its host)
//	Horde.DynamicSupervisor restarting on a      a message for an agent whose node is down wakes it
//	  surviving node after a nodedown              on the receiving node, from its last snapshot
//	libcluster (node discovery)                  cluster.Config.Routes or an external NATS URL
//	:erlang.hibernate + a state store            Hibernate: snapshot, leave the node, wake anywhere
//	MABEAM find_by_capability across nodes       FindByCapability (catalog + registry cache)
//	Jido signal bus across nodes                 Signal (one agent, any node), Publish (catalog)
//	MABEAM load balancer across nodes            Dispatch (rendezvous hash on a key, or round robin)
//
// # Semantics
//
// Spawn creates the agent's catalog entry (kind, capabilities and
// metadata: one create wins cluster-wide, a taken id is
// agent.ErrAlreadyRegistered), then hosts it on this node: a small
// holder process registers GlobalName(id) in the cluster's global
// registry (its KV revision is the fencing token) and the local
// agent.System starts the agent. Only the node whose holder holds the
// global name runs the agent, so no two nodes run one agent at once
// while the registry is consistent.
//
// Run, RunJSON, Signal, Hibernate and Status resolve the id: hosted here, the
// local agent.System serves it; held by another node, the request goes
// to its holder (a genserver call; the action runs in a task there and
// its JSON result comes back); held by no node, this node takes it on
// (the registration decides between nodes that try at once; the losers
// send to the winner) and the agent starts from its snapshot. Errors
// are agent's typed errors whichever node served the run
// (*agent.UnknownAgentError, *agent.UnknownActionError,
// *agent.InvalidInputError, *agent.NotRunningError,
// *agent.CrashedError); an action's own error from another node is a
// *cluster.RemoteError. A call whose host is declared down, or that
// meets an agent being handed over, resolves the id again (for about
// 30 s at most, bounded by ctx).
//
// Hibernate snapshots the agent, removes it from its node's system and
// releases its global name; the next message wakes it wherever it
// arrives. When a node is declared down, the cluster's registry drops
// its names, so its agents wake, from their last snapshot, on the next
// node a message for them reaches. System.Stop hands every hosted
// agent over the same way.
//
// A FencedStore (Fenced, given to agent.WithStore and Config.Fenced)
// passes the hosting's fencing token to cluster.Node.Fence before each
// snapshot write; a node whose hosting was taken over gets
// cluster.ErrStaleToken and steps its copy down, and a watcher process
// steps down every hosted agent whose global name this node no longer
// holds.
//
// Whereis and FindByCapability read the catalog and this node's cache
// of the global registry; Status asks the agent's node. Signal routes a
// signal to one agent on its node (agent.System.PublishTo), waking it
// here if no node hosts it and one of its routes matches; Publish does
// so for every agent of the catalog whose kind routes the signal's
// type; Dispatch picks an agent by capability and runs an action on it.
//
// # Differences from OTP
//
//   - Horde reconciles two registrations after a partition heals; here
//     a global name has one holder at a time, decided by JetStream KV,
//     and each hosting carries a fencing token (Info.Token) for outside
//     systems.
//   - A node declared down while in fact alive (frozen, cut off) still
//     runs its agents until it sees the cluster again, while another
//     node may wake them. Its watcher steps each one down as soon as its
//     cache of the registry shows the name gone (every 500 ms), and with
//     a FencedStore its snapshot writes are refused once the new host
//     wrote with a higher token; a write that passed the fence just
//     before the takeover may still land after it (the fence and the
//     write are two KV operations). Act on outside systems through the
//     fencing token.
//   - Publish reads the whole catalog to find the routed agents, and a
//     signal whose host was lost on the way is sent again to the
//     agent's next host: at least once, not exactly once. Dispatch picks
//     among the catalog's agents, without the load figures agent's
//     Balancer uses on one node.
//   - An agent that hibernates by itself (Spec.IdleTimeout) stays owned
//     by its node, which wakes it; only Hibernate (or the node's loss
//     or Stop) lets it wake elsewhere.
//
// # Example
//
//	st, _ := kvstore.OpenNodeStore(ctx, node.Process(), "")
//	fs := clusteragent.Fenced(st)
//	sys, _ := agent.Start(node.Process(), agent.WithStore(fs))
//	cs, _ := clusteragent.Start(ctx, node, sys, clusteragent.Config{Kinds: []agent.Kind{counter}, Fenced: fs})
//	_, _ = cs.Spawn(ctx, agent.Config{ID: "c1", Kind: counter})
//	n, _ := clusteragent.Run[int](ctx, cs, "c1", "add", map[string]int{"by": 2}) // from any node
package clusteragent
