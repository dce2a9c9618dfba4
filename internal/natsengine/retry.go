package natsengine

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// CASConflict reports whether err is a compare-and-set that lost: the
// key was written (or created) by someone else since the revision the
// writer expected. It is a definite answer, never worth a retry.
func CASConflict(err error) bool {
	var apiErr *jetstream.APIError
	return errors.Is(err, jetstream.ErrKeyExists) ||
		errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence
}

// Transient reports whether err is JetStream not answering rather than
// answering no: no responder (no stream leader while one is elected),
// no response in time, or the cluster saying it is unavailable. An
// operation that failed so may be retried; one that may have succeeded
// although its answer was lost must be recognised by its caller.
func Transient(err error) bool {
	var apiErr *jetstream.APIError
	switch {
	case err == nil:
		return false
	case errors.Is(err, nats.ErrNoResponders), errors.Is(err, jetstream.ErrNoStreamResponse),
		errors.Is(err, nats.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &apiErr):
		return apiErr.Code == 503 || apiErr.Code == 408
	}
	return false
}

// Bounds of [Retry]'s pauses: the first is RetryFirst and each doubles up
// to RetryMax, which is about a JetStream heartbeat, so that a leader
// elected after the loss of a server (nats-server takes 4 to 9 s, more
// under load) is found soon after it is there.
const (
	RetryFirst = 50 * time.Millisecond
	RetryMax   = time.Second
)

// Retry runs op, each attempt bounded by attempt (and by ctx), until it
// returns nil or an error that is not [Transient], with exponential
// backoff between attempts, bounded by ctx: a KV operation made while
// JetStream elects a leader waits for the leader instead of failing or
// waiting out the whole of ctx on a request nobody answers. The last
// error is returned when ctx ends. op must be safe to repeat (a
// compare-and-set, a read, or a write whose repetition the caller
// recognises).
func Retry(ctx context.Context, attempt time.Duration, op func(ctx context.Context) error) error {
	pause := RetryFirst
	for {
		actx, cancel := context.WithTimeout(ctx, attempt)
		err := op(actx)
		cancel()
		if !Transient(err) || ctx.Err() != nil {
			return err
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		pause = min(2*pause, RetryMax)
	}
}
