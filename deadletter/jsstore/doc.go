// Package jsstore implements a durable store for package deadletter's
// queue: a NATS JetStream key-value bucket with file storage, one key per
// entry, in the node's embedded engine ([OpenNodeStore]), in an embedded
// server of its own on a data directory ([OpenDir]) or in any JetStream
// ([OpenJetStream]). It detects and reports data the store lost while it
// was closed ([Store.Verify], [DamagedError]).
//
// It is a package of its own, apart from deadletter, because it is the
// only part of the dead-letter queue that imports nats-server and
// nats.go: a program that keeps dead letters in memory, or only exports
// metrics (telemetry/metricmap names deadletter's events), does not link
// NATS (README, Dependencies).
//
// # Foundation mapping
//
// OTP has no dead-letter queue; Elixir Foundation kept its entries in ETS
// (Foundation.DeadLetterQueue), which a restart loses. This package is
// the durable replacement:
//
//	Foundation (Elixir)               Orchard
//	ETS table of DeadLetterQueue      *Store: OpenNodeStore (the node's engine), OpenDir, OpenJetStream
//	(none: ETS loses everything)      (*Store).Verify, AcknowledgeDamage, Unclean; DamagedError, ErrDamaged
//	(none)                            deadletter.EventLost (published here, declared in deadletter)
//
// # Semantics
//
// A [Store] implements deadletter.Store: Put returns once JetStream
// acknowledged the write, Get and Scan decode entries as JSON and report
// a record they cannot decode as a *deadletter.CorruptError, Delete
// purges the key, and every method returns deadletter.ErrClosed after
// Close. Close stops the embedded server of [OpenDir]; a store of
// [OpenNodeStore] or [OpenJetStream] leaves the engine it was given
// running.
//
// # Durability
//
// [OpenNodeStore] is the common path: it keeps entries in a key-value
// bucket with file storage (key = entry id) in the node's one engine,
// configured once with engine.Configure (a data directory for an
// embedded NATS server, in-process, no listener, or an external server's
// URL), started by its first user and shared with durable schedules, and
// stopped by the application's Stop after every part. [OpenDir], for code
// outside any node (the orchard CLI), starts an embedded server of its
// own on a data directory and stops it on Close. [OpenJetStream] opens
// the bucket in any JetStream. Opening the bucket, starting the engine
// and waiting for it are the engine's (module-internal natsengine), so
// every durable service does them the same way.
//
// Durability depends on the sync policy ([DirConfig].SyncAlways) and on
// what fails. deadletter.Queue.Add returns only once JetStream acknowledged the
// entry; "acknowledged" below means that.
//
//	                         default (SyncAlways false)       SyncAlways
//	program killed           nothing acknowledged is lost     nothing acknowledged is lost
//	(SIGKILL, panic, OOM)
//	power loss, kernel       the entries acknowledged since   nothing acknowledged is lost,
//	crash                    the last fsync may be lost       if the disk honours fsync
//	                         (up to SyncInterval: 2 minutes
//	                         by default), silently
//	damaged disk or files    records after the damage in a    the same
//	(truncated, bad sectors, block are dropped when the
//	a missing block)         store opens; detected (below)
//
// With the default policy each entry is written to the OS (write(2))
// before it is acknowledged, so the page cache holds it when the program
// dies, and the files are fsynced every SyncInterval; a power loss loses
// what the page cache had not written back, and a record torn by it is
// cut off when the store opens. With SyncAlways every entry is fsynced
// before it is acknowledged, at a much lower rate (see
// bench/deadletter_test.go); a disk whose volatile write cache ignores
// fsync can still lose it. [Store.Close] (and a program that
// closes its store on the way out) fsyncs everything under both. The
// tests kill a child process with SIGKILL while it appends and check
// that every acknowledged entry is there, under both policies.
//
// No sync policy protects against a damaged disk: JetStream checks each
// record's checksum when it opens a store and drops a bad record and
// everything after it in its block, and a block file that is gone takes
// its records with it; the store then opens, without an error, with the
// surviving entries. The store says so: the engine records the size of
// the bucket at every clean Close and compares it when the store opens
// next, and nats-server reports the corrupt records it found. A loss is a
// *[DamagedError] (matching [ErrDamaged]) from [Store.Verify];
// [OpenDir] logs it as an error and publishes deadletter.EventLost (the metric
// orchard_deadletter_lost_total) at every open until
// [Store.AcknowledgeDamage], or fails with it under
// [DirConfig].Strict; `orchard deadletters verify --data DIR` exits 1.
// After a crash or a power loss there is no clean record to compare
// with, so a loss is reported only when nats-server itself sees it (a
// torn or corrupt record): the entries lost by the power loss itself are
// not reported. Keep backups of the data directory for what matters.
//
// Only one program may open a data directory at a time (an advisory lock
// file guards it). Writes from several queues on one store are
// last-writer-wins per entry.
//
// # Telemetry
//
// [OpenDir] and [OpenNodeStore] log an error and publish
// deadletter.EventLost when they open a damaged store; [OpenDir]
// publishes it on [DirConfig].Telemetry.
//
// # Bad input
//
// Every function and method follows docs/ERRORS.md: a nil receiver,
// ctx, node or function, an empty directory or id, a negative duration
// is an *[ArgumentError] matching [ErrInvalidArgument] (and, as in
// package deadletter, deadletter.ErrInvalidOption); nothing panics on a
// caller's input.
//
// # Differences from Foundation
//
//   - Entries survive a restart; Foundation's ETS table did not.
//   - A damaged store is reported (an error, a log line, an event), not
//     silently smaller.
//
// # Example
//
//	store, err := jsstore.OpenNodeStore(ctx, node, "")
//	q, err := deadletter.New(node, store, deadletter.WithCodec(codec))
//	// at shutdown, after the queue: store.Close()
package jsstore
