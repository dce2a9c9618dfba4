// Package natsengine implements the lifecycle of the embedded NATS server
// that Orchard's durable services share: one in-process nats-server with
// JetStream file storage per data directory.
//
// # Concept mapping
//
// Elixir Foundation has no storage engine of its own (dead letters lived in
// an ETS table, schedules in process state). Orchard settles on NATS
// (ARCHITECTURE.md):
//
//	Concept                               Orchard
//	one storage engine per node           Start(ctx, Config{Dir: ...}) (*Engine, error)
//	client connection                     (*Engine).Conn()
//	JetStream (streams, KV)               (*Engine).JetStream()
//	stop in the app's shutdown order      (*Engine).Shutdown(ctx)
//	one engine per node, shared           Configure(node, NodeConfig), ForNode(ctx, node)
//	an external NATS server               NodeConfig.URL, Connect(ctx, url, timeout)
//	a service's KV bucket                 OpenKV(ctx, js, bucket, description)
//	(none: ETS loses everything anyway)   (*Engine).Losses(), ClearLosses, Unclean
//
// # Semantics
//
// Start creates the data directory if needed, starts a nats-server with
// JetStream storing under Dir, waits until it accepts connections (bounded
// by [Config.ReadyTimeout] and by ctx), and opens one in-process client
// connection ([nats.InProcessServer]): no TCP listener is opened unless
// [Config.Listen] asks for one. The server logs nothing unless
// [Config.Logger] is set.
//
// Only one Engine may run on a data directory: a second Start on the same
// directory fails with [ErrDirInUse] until the first is shut down. Within
// an OS process a table says so; across processes (on Unix) an advisory
// flock on Dir/orchard.lock does, which the kernel releases when the
// holder dies, even by SIGKILL. nats-server does not lock its store
// itself, and two servers on one directory would corrupt it. Services that need storage on the same node share
// the one Engine (the dead-letter queue, durable schedules, later the
// cluster).
//
// Sync policy: by default JetStream writes each message to the OS (so an
// acknowledged write survives a crash of the program: the page cache
// keeps it) and fsyncs every [Config.SyncInterval] (nats-server's default
// is two minutes), so a crash of the machine can lose the writes of the
// last interval. [Config.SyncAlways] fsyncs every write before it is
// acknowledged: durable against power loss, and much slower.
//
// Start fails with [ErrStartFailed] within a second when nats-server
// aborts its start (JetStream could not be enabled, a listener failed;
// nats-server only logs why, so set [Config.Logger] to see it), rather
// than with [ErrNotReady] after the whole ready timeout.
//
// # One engine per node
//
// [ForNode] gets or starts the node's engine as configured by [Configure]
// (public face: package engine): an embedded server on a data directory,
// or a connection to an external server ([Connect]). The engine is a
// per-node resource of the module-internal package nodeenv, so app.Stop
// (or process.Node.Stop for a node without an application) shuts it down
// after everything that uses it; users never do. Every durable service
// opens its bucket with [OpenKV]; the readiness wait exists once, in
// Start (and Connect's JetStream check for an external server).
//
// # Data loss
//
// nats-server recovers a damaged store by dropping what it cannot read:
// a block file cut short (a full disk, a bad copy, an fsck) opens
// without an error, and its stream simply holds fewer messages (nor does
// its StreamState.Lost say so in that case). The engine therefore keeps
// its own record beside JetStream's files: at a clean Shutdown it writes
// every stream's message count, byte count and last sequence to
// Dir/orchard.state.json, and marks the file "running" when it starts.
// At Start, before its own client connects (and, without
// [Config.Listen], before any client can), it compares: a stream that ends
// at a lower sequence, or at the same one with fewer messages or bytes,
// lost data ([LossCount]); a recorded stream that is gone lost all of it
// ([LossMissing]); and what nats-server reports in a stream's Lost is
// added ([LossEngine]). A stream written to since the record (a higher
// last sequence) is not compared. Losses are appended to
// Dir/orchard.losses.json and stay there, reported by [Engine.Losses] at
// every start, until [Engine.ClearLosses]. After a crash the record says
// "running" ([Engine.Unclean]): sizes cannot be compared, and only
// nats-server's own detection applies. With [Config.Listen] a network
// client may connect as soon as the server is ready, before the
// comparison, and between the last reading of the sizes and the stop: a
// write it makes takes its stream out of the next comparison (a loss may
// go unreported), a delete or purge reads as a loss. Orchard's stores
// (deadletter/jsstore, schedule, package engine) start it without one.
//
// Streams with a maximum age or per-message TTLs expire messages while
// the engine is stopped: for them only a lower last sequence counts as a
// loss.
//
// Shutdown closes the client connection, reads the streams' sizes, shuts
// the server down (JetStream flushes and syncs its files; nats-server's
// shutdown is synchronous and bounded by the server), records the sizes
// and releases the
// data directory. It does all of it whatever the state of its ctx, so
// the directory is never left locked by a stopped engine. It is idempotent: later calls return nil at once.
//
// # Differences from Foundation
//
// Foundation had nothing durable: an Elixir node restart lost every dead
// letter. Here the state lives on disk in JetStream's own format, readable
// by any NATS tool pointed at the directory.
//
// # Example
//
//	eng, err := natsengine.Start(ctx, natsengine.Config{Dir: "/var/lib/app/nats"})
//	if err != nil { ... }
//	defer eng.Shutdown(context.Background())
//	kv, err := eng.JetStream().CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "b"})
package natsengine
