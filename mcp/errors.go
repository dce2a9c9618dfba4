package mcp

import (
	"errors"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md).
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

var (
	// ErrUnknownTool is what a ToolSource returns (or wraps) for a name it
	// does not have.
	ErrUnknownTool = errors.New("mcp: unknown tool")
	// ErrUnknownResource is what a [ResourceTemplate]'s Read returns (or
	// wraps) for a URI it has nothing for.
	ErrUnknownResource = errors.New("mcp: unknown resource")
	// ErrToolPanicked is the cause of the error result of a call whose tool
	// panicked.
	ErrToolPanicked = errors.New("mcp: tool panicked")
	// ErrToolTimeout is the cause of the error result of a call whose tool
	// did not return within its deadline (plus a grace period).
	ErrToolTimeout = errors.New("mcp: tool timed out")
	// ErrStopped is returned by [Server.Stop] after the first call, and by
	// the serving methods of a stopped server.
	ErrStopped = errors.New("mcp: server stopped")
)
