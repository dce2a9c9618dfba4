// Package envkey is the hand-over point between package process and
// package nodeenv: process stores the environment a node was created
// with (the Timeouts, Logger and Telemetry of its process.Config) under
// [Key], and
// nodeenv reads it there; nodeenv stores under [CloseKey] the function
// that closes the node's resources, and process's Node.Stop calls it
// once every process is gone. It imports only leaves, so process may
// import it; nothing else should.
package envkey

import (
	"context"
	"log/slog"

	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/timeouts"
)

// Key is the node value key of a node's [Values].
type Key struct{}

// Values is the environment given to a node by its options. A nil field
// means "not given": nodeenv then serves the package default.
type Values struct {
	Timeouts  *timeouts.Config
	Logger    *slog.Logger
	Telemetry *telemetry.Registry
}

// CloseKey is the node value key of the node's [CloseFunc].
type CloseKey struct{}

// CloseFunc closes a node's resources, bounded by ctx; Node.Stop calls
// it after the node's processes are gone. It reports its own errors.
type CloseFunc func(ctx context.Context)
