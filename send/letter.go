package send

import (
	"context"
	"time"

	"github.com/seed-fe72f376/orchard/process"
)

// Letter is a message that could not be delivered: what [Send] hands to a
// [DeadLetterSink] when a send with OnError DeadLetter fails for good.
type Letter struct {
	// Dest is where the message was going (a PID or a name).
	Dest process.Dest
	// Msg is the undelivered message.
	Msg any
	// Reason is why the send failed: its *Error (outcome, last reason,
	// attempts).
	Reason error
	// Metadata is the send's metadata.
	Metadata map[string]string
	// Attempts is how many deliveries were tried.
	Attempts int
	// FirstFailure and LastAttempt bound the failed attempts.
	FirstFailure, LastAttempt time.Time
}

// DeadLetterSink stores undeliverable messages. The deadletter package's
// queue implements it; DeadLetter returns only once the letter is stored
// (acknowledged) or with the reason it could not be.
type DeadLetterSink interface {
	DeadLetter(ctx context.Context, l Letter) error
}
