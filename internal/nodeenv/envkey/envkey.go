// Package envkey is the hand-over point between package process and
// package nodeenv: process stores the environment a node was created
// with (its [process.WithTimeouts] and [process.WithLogger] options)
// under [Key], and nodeenv reads it there. It imports only leaves, so
// process may import it; nothing else should.
package envkey

import (
	"log/slog"

	"github.com/seed-fe72f376/orchard/timeouts"
)

// Key is the node value key of a node's [Values].
type Key struct{}

// Values is the environment given to a node by its options. A nil field
// means "not given": nodeenv then serves the package default.
type Values struct {
	Timeouts *timeouts.Config
	Logger   *slog.Logger
}
