// Package engine configures the one storage engine of a node: an
// embedded NATS server with JetStream (ARCHITECTURE.md) that every durable
// service on the node shares: the dead-letter queue's store
// (deadletter/jsstore.OpenNodeStore), durable schedules (schedule.OpenNodeStore),
// and later agent state and the cluster.
//
// # OTP mapping
//
// OTP has no storage engine of its own in this role (Mnesia or DETS
// would be the nearest); the mapping is to the application environment
// and to the application's ordered shutdown:
//
//	OTP                                         Orchard
//	application env (a data directory key)      Configure(node, Config{Dir: ...})
//	a server the application connects to        Configure(node, Config{URL: ...})
//	started by the first user, shared           jsstore.OpenNodeStore, schedule.OpenNodeStore
//	stopped after the application's trees       app.App.Stop (then the engine), or process.Node.Stop
//
// # Semantics
//
// Configure says once per node where the engine keeps its data: an
// embedded nats-server on a data directory (in process, no network
// listener), or an external NATS server with JetStream at a URL. It
// starts nothing. The first durable service that needs the engine starts
// it (the embedded server's start and readiness wait, or the external
// connection and a JetStream check, bounded by [Config.ReadyTimeout]);
// every later user on the node gets the same engine. Users never stop
// it: the engine belongs to the node.
//
// An application stops the engine itself: app.App.Stop closes the node's
// resources after every part stopped and its OnStop hooks ran, so no part
// outlives the engine it writes to, provided nothing else runs on the node
// then. Otherwise, and on a node that runs no application,
// process.Node.Stop closes them after it stopped the node's processes (the runtime knows nothing of the engine: the
// module-internal package nodeenv hands it a close function). Either way
// the engine stops after its users, and nobody stops it by hand.
//
// # Layering
//
//	engine               public: Configure, Config (this package)
//	internal/natsengine  the engine's lifecycle (Start, Connect, ForNode, Shutdown), OpenKV, loss records
//	internal/nodeenv     per-node resources, closed by app.Stop, else by process.Node.Stop
//	deadletter/jsstore, schedule  OpenNodeStore: a store in natsengine.ForNode's engine
//
// Outside any node (the orchard CLI reading a data directory),
// deadletter/jsstore.OpenDir still starts and owns an engine of its own.
//
// # Differences from OTP
//
// There is one engine per node, not per application: several
// applications on one node share it, and the first to stop closes it.
// Run one application per node when that matters.
//
// # Example
//
//	node, _ := process.NewNode()
//	if err := engine.Configure(node, engine.Config{Dir: "/var/lib/app/nats"}); err != nil { ... }
//	letters, _ := jsstore.OpenNodeStore(ctx, node, "")     // starts the engine
//	schedules, _ := schedule.OpenNodeStore(ctx, node, "")  // the same engine
//	...                                                    // app.Stop stops it last
package engine
