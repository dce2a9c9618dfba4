package engine

import (
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md).
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

var (
	// ErrConfigured is returned by [Configure] for a node configured
	// differently before, or whose engine already runs.
	ErrConfigured = natsengine.ErrConfigured
	// ErrNotConfigured is matched by the error of a durable service
	// opened on a node whose engine was never configured
	// (jsstore.OpenNodeStore, schedule.OpenNodeStore).
	ErrNotConfigured = natsengine.ErrNotConfigured
)
