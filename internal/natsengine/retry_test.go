package natsengine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/internal/natsengine"
)

// TestRetry: an operation JetStream did not answer is retried (each
// attempt with its own deadline) until it answers; a definite answer,
// such as a lost compare-and-set, is returned at once; the caller's
// context bounds the retries.
func TestRetry(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	calls := 0
	err := natsengine.Retry(ctx, 2*time.Second, func(actx context.Context) error {
		calls++
		if _, ok := actx.Deadline(); !ok {
			t.Error("an attempt without a deadline")
		}
		if calls < 3 {
			return nats.ErrNoResponders // no stream leader yet
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("Retry = %v after %d calls; want nil after 3", err, calls)
	}

	calls = 0
	err = natsengine.Retry(ctx, 2*time.Second, func(context.Context) error { calls++; return jetstream.ErrKeyExists })
	if !errors.Is(err, jetstream.ErrKeyExists) || calls != 1 || !natsengine.CASConflict(err) {
		t.Fatalf("Retry = %v after %d calls; want ErrKeyExists at once", err, calls)
	}
	wrongSeq := &jetstream.APIError{Code: 400, ErrorCode: jetstream.JSErrCodeStreamWrongLastSequence}
	if !natsengine.CASConflict(wrongSeq) || natsengine.Transient(wrongSeq) {
		t.Errorf("wrong last sequence: casConflict %v, transient %v; want a conflict, not transient", natsengine.CASConflict(wrongSeq), natsengine.Transient(wrongSeq))
	}
	if !natsengine.Transient(&jetstream.APIError{Code: 503}) || natsengine.Transient(nil) || natsengine.Transient(errors.New("bad")) {
		t.Error("transient misclassifies 503, nil or an unknown error")
	}

	short, scancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer scancel()
	start := time.Now()
	err = natsengine.Retry(short, 2*time.Second, func(context.Context) error { return jetstream.ErrNoStreamResponse })
	if !errors.Is(err, jetstream.ErrNoStreamResponse) {
		t.Fatalf("Retry past its context = %v; want the last error", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Retry ran %v past a 300 ms context", took)
	}
}
