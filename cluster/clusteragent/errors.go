package clusteragent

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
	// ErrUnknownKind is returned by Spawn for a kind not in Config.Kinds,
	// and by a wake on a node whose Config.Kinds lacks the agent's kind.
	ErrUnknownKind = errors.New("clusteragent: kind not known on this node")
	// ErrStopped is returned by the operations of a stopped System.
	ErrStopped = errors.New("clusteragent: system stopped")
	// errMoved is a host's answer while it hands its agent over
	// (hibernation, stop): the caller resolves the agent again.
	errMoved = errors.New("clusteragent: agent moving")
)
