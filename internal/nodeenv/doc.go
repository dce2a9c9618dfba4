// Package nodeenv is how library code reads the environment of the node
// it runs on: the timeout configuration, the logger, the telemetry
// registry, and the resources the node owns besides its processes (the
// embedded NATS engine). As ARCHITECTURE.md says, library code reads its
// configuration from the node, never from package-level variables; the
// package defaults (timeouts.Default(), slog.Default(),
// telemetry.Default()) serve only code outside any node (a nil node
// here) and nodes not given the setting.
//
// # Layering
//
//	process           Config{Timeouts, Logger, Telemetry} (process/options.go); stores them under envkey.Key
//	internal/nodeenv  Timeouts(node), Logger(node), Telemetry(node); Open/Lookup/Close of per-node resources
//	genserver, supervisor, app, send, deadletter, schedule, ...   read through nodeenv only
//	internal/natsengine   ForNode: the node's one engine, a nodeenv resource
//	app               Stop closes the node's resources after every part stopped
//
// Every read of a node's values goes through one function (of), over the
// runtime's internal bridge (internal/rt.Value). nodeenv imports only the
// standard library, process, internal/rt and the leaves timeouts and
// telemetry, so every behaviour (core packages included) may use it.
//
// Hot paths do not call Timeouts per operation: they keep a
// timeouts.Handle per node (genserver keeps it beside its pool of call
// records), so a call reads its default timeout with a pointer load.
// Likewise, services resolve Telemetry(node) once, when they are made
// (package send keeps it in its per-node cache), not per event.
//
// # Resources
//
// A resource is opened on first need by [Open] (concurrent users share
// the one open) and closed by [Close], in the reverse of the opening
// order, after which Open fails with [ErrClosed]. The application
// running on the node (package app) calls Close at the end of its Stop,
// after all its parts stopped and only when no other process runs on the
// node, so every user of a resource is gone before it closes. Otherwise,
// and on a node without an application, process.Node.Stop closes them
// after it stopped the node's processes (a zombie, whose goroutine still
// runs, may find them closed): process knows nothing of them
// (it stays below every service), but calls the close function that
// nodeenv leaves under envkey.CloseKey when it sets up a node's
// environment. Closing twice does nothing, so both may run.
//
// # OTP mapping
//
//	OTP                                   Orchard
//	application environment (env keys)    a node's options, read with Timeouts, Logger, Telemetry
//	the node's logger (logger:*)          Logger(node)
//	telemetry handlers (:telemetry)       Telemetry(node): the node's registry
//	a resource an application owns        Open(node, key, open), closed by app.Stop
package nodeenv
