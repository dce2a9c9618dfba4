// Package kvstore keeps agents' snapshots (agent.Store) in a JetStream
// key-value bucket: the node's embedded engine (OpenNodeStore, configured
// with package engine) or any JetStream (Open, New). It is a package of its
// own so that programs using agent.MemoryStore do not link NATS.
//
// # OTP mapping
//
//	OTP / Elixir                          Orchard
//	------------------------------------  ------------------------------------
//	state saved to DETS/Mnesia by an app  Store.Save (one key per agent)
//	state read back in init/1             Store.Load (agent.ErrNoSnapshot)
//
// # Semantics
//
// Each agent's latest snapshot is one key (history 1) of a file-stored
// bucket, written with fsync as the engine is configured; the agent id is
// encoded into the key (base64url), so any id is a valid key. A snapshot
// saved survives a crash or restart of the whole OS process.
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
