package cluster

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestRetryKV: an operation JetStream did not answer is retried (each
// attempt with its own deadline) until it answers; a definite answer,
// such as a lost compare-and-set, is returned at once; the caller's
// context bounds the retries.
func TestRetryKV(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	calls := 0
	err := retryKV(ctx, func(actx context.Context) error {
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
		t.Fatalf("retryKV = %v after %d calls; want nil after 3", err, calls)
	}

	calls = 0
	err = retryKV(ctx, func(context.Context) error { calls++; return jetstream.ErrKeyExists })
	if !errors.Is(err, jetstream.ErrKeyExists) || calls != 1 || !casConflict(err) {
		t.Fatalf("retryKV = %v after %d calls; want ErrKeyExists at once", err, calls)
	}
	wrongSeq := &jetstream.APIError{Code: 400, ErrorCode: jetstream.JSErrCodeStreamWrongLastSequence}
	if !casConflict(wrongSeq) || transient(wrongSeq) {
		t.Errorf("wrong last sequence: casConflict %v, transient %v; want a conflict, not transient", casConflict(wrongSeq), transient(wrongSeq))
	}
	if !transient(&jetstream.APIError{Code: 503}) || transient(nil) || transient(errors.New("bad")) {
		t.Error("transient misclassifies 503, nil or an unknown error")
	}

	short, scancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer scancel()
	start := time.Now()
	err = retryKV(short, func(context.Context) error { return jetstream.ErrNoStreamResponse })
	if !errors.Is(err, jetstream.ErrNoStreamResponse) {
		t.Fatalf("retryKV past its context = %v; want the last error", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("retryKV ran %v past a 300 ms context", took)
	}
}
