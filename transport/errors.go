package transport

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
	// ErrFrameTooLarge is returned by [Conn.ReadFrame] for a frame longer than
	// Config.MaxMessageSize. The rest of the frame has been discarded, so the
	// connection can go on with the next one.
	ErrFrameTooLarge = errors.New("transport: frame too large")
	// ErrIdleTimeout ends a connection that sent nothing for Config.IdleTimeout.
	ErrIdleTimeout = errors.New("transport: idle timeout")
	// ErrReadTimeout ends a connection that started a frame and did not finish
	// it within Config.ReadTimeout (a slowloris client).
	ErrReadTimeout = errors.New("transport: read timeout")
	// ErrRateLimited is returned by [Conn.ReadFrame] for a frame over the
	// connection's rate limit. The frame has been read and dropped; the
	// connection goes on.
	ErrRateLimited = errors.New("transport: rate limited")
	// ErrDraining is returned by [Conn.ReadFrame] once the listener drains: no
	// new frame is read, in-flight work may still write its replies.
	ErrDraining = errors.New("transport: draining")
	// ErrStopped is returned by [Listener.Stop] after the first call.
	ErrStopped = errors.New("transport: listener stopped")
)
