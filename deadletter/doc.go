// Package deadletter implements a durable dead-letter queue: messages that
// could not be delivered are stored with their destination and reason,
// listed, re-delivered by hand or automatically on an interval with a cap,
// and purged; with a JetStream store (package deadletter/jsstore) they
// survive a crash or restart of the program.
//
// # Foundation mapping
//
// OTP has no dead-letter queue (a message to a dead process is dropped);
// Elixir Foundation had one (Foundation.DeadLetterQueue, an ETS-backed
// GenServer). Its calls map as follows:
//
//	Foundation (Elixir)                             Orchard
//	DeadLetterQueue.add_message(recipient, msg, r)  (*Queue).Add(ctx, send.Letter{...}), or via send's OnError DeadLetter
//	DeadLetterQueue.list_messages(filter)           (*Queue).List(ctx, Filter, limit)
//	DeadLetterQueue.retry_messages(filter)          (*Queue).Retry(ctx, Filter)
//	DeadLetterQueue.purge_messages(filter)          (*Queue).Purge(ctx, Filter)
//	periodic :auto_retry (handle_info)              (*Queue).StartRetrier / StartRetrierLink + WithAutoRetry
//	ETS table                                       Store: NewMemoryStore; jsstore.OpenNodeStore, OpenDir, OpenJetStream
//	(none)                                          (*Queue).Rearm, JSONCodec + Register, WithResolver
//
// # Semantics
//
// An [Entry] records the destination, the message, the reason, metadata,
// the number of attempts, the first failure and the last attempt. [Queue]
// implements send.DeadLetterSink: [Queue.Add] returns only once the
// [Store] acknowledged the entry.
//
// Messages are stored through a [Codec] so they can be replayed after a
// restart. The default [JSONCodec] encodes registered types
// ([Register]) as JSON and decodes them back into the same Go type. A
// message it cannot encode (an unregistered type, a channel, a func) is
// still stored, as a non-replayable entry: its Go type and %+v form are
// kept, [Entry.Replayable] is false, and Retry reports a
// *[NotReplayableError] for it and leaves it in place.
//
// Destinations are stored as a [Destination] record (kind, name or key,
// printed form), since a PID means nothing after a restart. While the
// queue that added an entry runs, the entry is re-delivered to the very
// process.Dest it was given (a PID from this node incarnation, a name, a
// registry via-name). Otherwise the [Resolver] decides: by default a
// local name resolves on the queue's node, and PIDs, via-names and other
// destinations do not resolve; such an entry stays, with an
// *[UndeliverableError]. Give [WithResolver] to resolve via-names with
// the application's registry.
//
// [Queue.Retry] re-delivers the selected entries in first-failure order
// through the [Deliverer] (by default an enqueue into the mailbox of the
// live process behind the destination, which fails with process.NoProc
// when there is none, so a letter to a dead PID is never counted
// delivered; applications wire package send's confirmed Send in with
// [WithDeliverer]). A delivered entry is removed; a failure counts an
// attempt and the entry stays. Retry ignores the automatic retry cap.
//
// Re-deliveries of one queue (Retry, the retrier) run one pass at a
// time, and [Queue.Purge] and [Queue.Rearm] wait for the pass in
// progress, so a pass never puts back a purged entry nor overwrites a
// re-arm. A failed delivery also re-reads its entry before counting the
// attempt, so a purge or re-arm made meanwhile through the bare store
// functions (the orchard CLI, another program sharing the store) is kept.
//
// A record the store cannot decode (a foreign or damaged value in the
// bucket) does not break reads: [Store.Scan] skips it and returns a
// *[CorruptError] after the readable entries; the queue reports each such
// record as [EventCorrupt] and in [Stats].Corrupt, and goes on.
//
// Automatic retry runs in a genserver, the retrier, started with
// [Queue.StartRetrier] (owned by the node) or [Queue.StartRetrierLink] (a
// supervisor child's start function). Every interval it re-delivers the
// replayable entries that are due and below the cap set by
// [WithAutoRetry]; an entry at the cap stays listed and is no longer
// retried automatically ([EventExhausted]) until [Queue.Rearm] resets its
// count and makes it due now. Rearm, [Purge] and [List] also exist as
// functions on a bare Store, which is what the orchard CLI uses: `orchard
// deadletters retry` re-arms entries for the application's retrier.
//
// # Durability
//
// The queue persists through a [Store]. [NewMemoryStore] keeps entries
// in memory; package deadletter/jsstore keeps them in a JetStream
// key-value bucket on disk (jsstore.OpenNodeStore in the node's engine,
// jsstore.OpenDir on a data directory of its own) and documents what
// survives a crash, a power loss and a damaged disk. It is a package of
// its own so that a program that never stores dead letters on disk does
// not link NATS (README, Dependencies).
//
// # Telemetry
//
// The queue publishes [EventAdded], [EventRetried], [EventRetryFailed],
// [EventExhausted], [EventRemoved], [EventPurged], [EventRearmed],
// [EventCorrupt] and [EventRetrierError] on the registry given with [WithTelemetry]
// (default: the node's registry, process.Config.Telemetry, else
// telemetry.Default()); [Queue.Stats] counts the same. The durable stores
// of package deadletter/jsstore publish [EventLost] (OpenNodeStore on the
// node's registry), declared here so that metrics (telemetry/metricmap)
// count it without linking NATS.
//
// # Bad input
//
// Every function and method follows docs/ERRORS.md: a nil receiver,
// ctx, store, node, codec or function, an empty id or name, a negative
// limit or duration is an *[ArgumentError] matching [ErrInvalidArgument]
// (and, as before, [ErrInvalidOption]); nothing panics on a caller's
// input.
//
// # Differences from Foundation
//
//   - The queue is not a process: its methods run in the caller, and only
//     the automatic retrier is a process (a genserver owned by the node or
//     a supervisor), so listing never queues behind a retry pass.
//   - Entries survive a restart (Foundation's ETS table did not), which is
//     why messages go through a codec and destinations through a resolver.
//   - The automatic retry cap counts the retrier's own attempts
//     (Entry.AutoRetries), not the sender's; Entry.Attempts counts all.
//
// # Example
//
//	store, err := jsstore.OpenNodeStore(ctx, node, "") // or deadletter.NewMemoryStore()
//	codec := deadletter.NewJSONCodec()
//	_ = deadletter.Register[OrderPlaced](codec, "orders.placed")
//	q, err := deadletter.New(node, store, deadletter.WithCodec(codec),
//		deadletter.WithAutoRetry(time.Minute, 10))
//	_, err = q.StartRetrier()
//	// pass q to send as its DeadLetterSink; later:
//	entries, err := q.List(ctx, deadletter.Filter{Reason: "timeout"}, 50)
package deadletter
