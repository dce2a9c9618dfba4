// Package kvstore keeps agents' snapshots (agent.Store) and crash records
// (agent.ErrorStore) in JetStream key-value buckets: the node's embedded
// engine (OpenNodeStore, OpenNodeErrorStore, configured with package
// engine) or any JetStream (Open, New, OpenErrorStore). It is a package of
// its own so that package agent holds no JetStream code (agent still links
// NATS through package schedule, whose durable store lives there).
//
// # OTP mapping
//
//	OTP / Elixir                          Orchard
//	------------------------------------  ------------------------------------
//	state saved to DETS/Mnesia by an app  Store.Save (one key per agent)
//	state read back in init/1             Store.Load (agent.ErrNoSnapshot)
//	a persistent, bounded error log       ErrorStore (Record, Query)
//
// # Semantics
//
// Each agent's latest snapshot is one key (history 1) of a file-stored
// bucket, written with fsync as the engine is configured; the agent id is
// encoded into the key (base64url), so any id is a valid key. A snapshot
// saved survives a crash or restart of the whole OS process.
//
// The error store keeps the last N crash records, one key each, numbered
// on across reopenings; Record waits at most 2 s for its write and counts
// the records it could not write (Dropped). An agent system writes it from
// its crash log process, never from the agents' supervisor
// (agent.WithErrorStore).
//
// # Differences from OTP
//
// OTP has no agent snapshots; the closest are applications writing their
// state to DETS or Mnesia themselves.
//
// # Example
//
//	engine.Configure(node, engine.Config{Dir: dir})
//	st, _ := kvstore.OpenNodeStore(ctx, node, "")
//	sys, _ := agent.Start(node, agent.WithStore(st))
package kvstore
