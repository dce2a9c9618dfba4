package jsstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md).
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

// ErrDamaged is matched by a *[DamagedError]: the store lost data while
// it was closed (a damaged or truncated file).
var ErrDamaged = errors.New("jsstore: store lost data")

// DamagedError reports that a durable store lost data while it was
// closed; it matches [ErrDamaged]. The engine drops what it cannot read
// when it opens a damaged store, so the store opens and lists the
// surviving entries: this error is what says that some are gone. It is
// returned by [Store.Verify] (and by [OpenDir] with
// DirConfig.Strict) until the damage is acknowledged
// ([Store.AcknowledgeDamage]).
type DamagedError struct {
	// Bucket is the key-value bucket that lost data.
	Bucket string
	// Msgs is how many stored records (entries, or the deletion markers
	// of removed entries) are gone, at least; Bytes how many bytes of
	// them. Either may be zero when only the other is known.
	Msgs, Bytes uint64
	// How says how the loss was found: "count" (fewer records than at
	// the last clean shutdown), "missing" (the bucket's stream is gone)
	// or "engine" (nats-server reported lost data); several are joined
	// by commas.
	How string
	// Detected is when the loss was found (the first open after it).
	Detected time.Time
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("jsstore: bucket %s lost data while closed: %d records (%d bytes) gone (%s), found %s",
		e.Bucket, e.Msgs, e.Bytes, e.How, e.Detected.UTC().Format(time.RFC3339))
}

// Is reports whether target is [ErrDamaged].
func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

// badArg returns the error for a bad argument arg of op ("Store.Put").
func badArg(op, arg, reason string) error {
	return argerr.Also(deadletter.ErrInvalidOption, "jsstore: "+op, arg, reason)
}

// invalid is badArg with a formatted reason.
func invalid(op, arg, format string, args ...any) error {
	return badArg(op, arg, fmt.Sprintf(format, args...))
}

// checkCall returns the error of a call op on a nil receiver (when nilRecv)
// or with a nil ctx, or nil.
func checkCall(op string, nilRecv bool, ctx context.Context) error {
	switch {
	case nilRecv:
		return badArg(op, "receiver", "is nil")
	case ctx == nil:
		return badArg(op, "ctx", "is nil")
	}
	return nil
}
