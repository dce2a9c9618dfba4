package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// casConflict reports whether err is a compare-and-set that lost: the
// key was written (or created) by someone else since the revision the
// writer expected. It is a definite answer, never worth a retry.
func casConflict(err error) bool {
	var apiErr *jetstream.APIError
	return errors.Is(err, jetstream.ErrKeyExists) ||
		errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence
}

// transient reports whether err is JetStream not answering rather than
// answering no: no responder (no stream leader while one is elected),
// no response in time, or the cluster saying it is unavailable. An
// operation that failed so may be retried; one that may have succeeded
// although its answer was lost must be recognised by its caller.
func transient(err error) bool {
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

// Bounds of retryKV: each attempt is bounded by kvOpTimeout; the pause
// between attempts starts at kvRetryFirst and doubles up to kvRetryMax,
// which is about a JetStream heartbeat, so that a leader elected after
// the loss of a node (nats-server takes 4 to 9 s, more under load) is
// found soon after it is there.
const (
	kvRetryFirst = 50 * time.Millisecond
	kvRetryMax   = time.Second
)

// retryKV runs op until it returns nil or an error that is not
// [transient], with exponential backoff between attempts, bounded by
// ctx: a KV operation made while JetStream elects a leader waits for
// the leader instead of failing. The last error is returned when ctx
// ends. op must be safe to repeat (a compare-and-set, a read, or a
// write whose repetition the caller recognises).
func retryKV(ctx context.Context, op func(ctx context.Context) error) error {
	pause := kvRetryFirst
	for {
		actx, cancel := context.WithTimeout(ctx, kvOpTimeout)
		err := op(actx)
		cancel()
		if !transient(err) || ctx.Err() != nil {
			return err
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		pause = min(2*pause, kvRetryMax)
	}
}

// leaderGet reads key of the KV bucket from its stream's leader: the
// stream API's get rather than the KV's direct get, which any replica
// answers, one that is behind included (a node back from a freeze, a
// server catching up). A deleted or purged key, like a missing one, is
// jetstream.ErrKeyNotFound.
func (n *Node) leaderGet(ctx context.Context, bucket, key string) ([]byte, uint64, error) {
	req, _ := json.Marshal(struct {
		LastBySubject string `json:"last_by_subj"`
	}{"$KV." + bucket + "." + key})
	msg, err := n.nc.RequestWithContext(ctx, "$JS.API.STREAM.MSG.GET.KV_"+bucket, req)
	if err != nil {
		return nil, 0, err
	}
	var resp struct {
		Error   *jetstream.APIError `json:"error"`
		Message *struct {
			Seq  uint64 `json:"seq"`
			Data []byte `json:"data"`
			Hdrs []byte `json:"hdrs"`
		} `json:"message"`
	}
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return nil, 0, fmt.Errorf("cluster: %s: stream get: %w", bucket, err)
	}
	switch {
	case resp.Error != nil && resp.Error.ErrorCode == jetstream.JSErrCodeMessageNotFound:
		return nil, 0, jetstream.ErrKeyNotFound
	case resp.Error != nil:
		return nil, 0, resp.Error
	case resp.Message == nil:
		return nil, 0, fmt.Errorf("cluster: %s: stream get: empty answer", bucket)
	case bytes.Contains(resp.Message.Hdrs, []byte("KV-Operation: DEL")), bytes.Contains(resp.Message.Hdrs, []byte("KV-Operation: PURGE")):
		return nil, 0, jetstream.ErrKeyNotFound
	}
	return resp.Message.Data, resp.Message.Seq, nil
}
