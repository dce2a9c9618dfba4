package natsengine

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// DefaultLeaderGetTimeout bounds [LeaderGet] when its context has no
// deadline.
const DefaultLeaderGetTimeout = 5 * time.Second

// LeaderGetAttempt bounds each request [LeaderGet] makes; it retries
// (see [Retry]) while no leader answers.
const LeaderGetAttempt = time.Second

// LeaderGet reads the latest entry of key in the KV bucket through the
// JetStream API that only the bucket stream's leader answers
// (STREAM.MSG.GET). A KV Get is a direct get, which any replica of a
// replicated bucket may answer, with data older than a write that was
// already acknowledged: a read that decides ownership or fencing (is
// this token the highest? does this lock still hold?) must not act on
// it. The leader has every acknowledged write.
//
// It returns what jetstream.KeyValue.Get returns: the entry (Delta is
// 0), jetstream.ErrKeyNotFound for a key never written, deleted or
// purged, jetstream.ErrInvalidKey for a key that is not a valid KV key;
// it is bounded by ctx, or by [DefaultLeaderGetTimeout] when ctx
// has no deadline, and retries while the stream has no leader.
func LeaderGet(ctx context.Context, js jetstream.JetStream, bucket, key string) (jetstream.KeyValueEntry, error) {
	switch {
	case ctx == nil:
		return nil, argerr.Nil("natsengine: LeaderGet", "ctx")
	case js == nil:
		return nil, argerr.Nil("natsengine: LeaderGet", "js")
	}
	if !keyValid(key) {
		return nil, jetstream.ErrInvalidKey // a wildcard would read another key
	}
	if _, has := ctx.Deadline(); !has {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultLeaderGetTimeout)
		defer cancel()
	}
	req, err := json.Marshal(struct {
		LastBySubject string `json:"last_by_subj"`
	}{"$KV." + bucket + "." + key})
	if err != nil {
		return nil, err
	}
	// A stream whose leader was lost answers nothing until a new one is
	// elected: each attempt waits at most LeaderGetAttempt, so the read
	// finds the new leader soon after it is there instead of waiting out
	// the whole of ctx on a request nobody answers.
	var m *nats.Msg
	err = Retry(ctx, LeaderGetAttempt, func(ctx context.Context) error {
		var rerr error
		m, rerr = js.Conn().RequestWithContext(ctx, apiPrefix(js)+"STREAM.MSG.GET.KV_"+bucket, req)
		return rerr
	})
	if err != nil {
		return nil, err
	}
	var resp struct {
		Message *struct {
			Header []byte    `json:"hdrs"`
			Data   []byte    `json:"data"`
			Seq    uint64    `json:"seq"`
			Time   time.Time `json:"time"`
		} `json:"message"`
		Error *jetstream.APIError `json:"error"`
	}
	if err := json.Unmarshal(m.Data, &resp); err != nil {
		return nil, err
	}
	switch {
	case resp.Error != nil && resp.Error.ErrorCode == jetstream.JSErrCodeMessageNotFound:
		return nil, jetstream.ErrKeyNotFound
	case resp.Error != nil:
		return nil, resp.Error
	case resp.Message == nil:
		return nil, jetstream.ErrInvalidJetStreamResponse
	}
	e := &leaderEntry{bucket: bucket, key: key, value: resp.Message.Data,
		revision: resp.Message.Seq, created: resp.Message.Time, op: jetstream.KeyValuePut}
	if len(resp.Message.Header) > 0 {
		h, err := nats.DecodeHeadersMsg(resp.Message.Header)
		if err != nil {
			return nil, err
		}
		switch h.Get("KV-Operation") {
		case "DEL", "PURGE":
			return nil, jetstream.ErrKeyNotFound
		}
	}
	return e, nil
}

// keyValid reports whether key is a valid KV key, as the KV client
// checks it: dot-separated tokens of letters, digits and "-/_=".
func keyValid(key string) bool {
	if key == "" || key[0] == '.' || key[len(key)-1] == '.' || strings.Contains(key, "..") {
		return false
	}
	for i := 0; i < len(key); i++ {
		switch c := key[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.IndexByte("-/_=.", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// apiPrefix is the JetStream API prefix js sends its requests with.
func apiPrefix(js jetstream.JetStream) string {
	o := js.Options()
	switch {
	case o.APIPrefix != "":
		return strings.TrimSuffix(o.APIPrefix, ".") + "."
	case o.Domain != "":
		return "$JS." + o.Domain + ".API."
	}
	return "$JS.API."
}

// leaderEntry is a KV entry read by [LeaderGet].
type leaderEntry struct {
	bucket, key string
	value       []byte
	revision    uint64
	created     time.Time
	op          jetstream.KeyValueOp
}

func (e *leaderEntry) Bucket() string                  { return e.bucket }
func (e *leaderEntry) Key() string                     { return e.key }
func (e *leaderEntry) Value() []byte                   { return e.value }
func (e *leaderEntry) Revision() uint64                { return e.revision }
func (e *leaderEntry) Created() time.Time              { return e.created }
func (e *leaderEntry) Delta() uint64                   { return 0 }
func (e *leaderEntry) Operation() jetstream.KeyValueOp { return e.op }

// GetCounter counts the reads of a KV bucket that cross a connection's
// server: the direct gets (which any replica answers) and the leader
// gets (STREAM.MSG.GET), so that a test checks which kind a read makes.
type GetCounter struct {
	nc   *nats.Conn
	subs [3]*nats.Subscription // direct, direct with a subject, leader
}

// CountGets starts counting the reads of bucket by every client of
// nc's server.
func CountGets(nc *nats.Conn, bucket string) (*GetCounter, error) {
	c := &GetCounter{nc: nc}
	for i, subj := range []string{"$JS.API.DIRECT.GET.KV_" + bucket, "$JS.API.DIRECT.GET.KV_" + bucket + ".>",
		"$JS.API.STREAM.MSG.GET.KV_" + bucket} {
		s, err := nc.SubscribeSync(subj)
		if err != nil {
			c.Stop()
			return nil, err
		}
		c.subs[i] = s
	}
	if err := nc.FlushTimeout(DefaultLeaderGetTimeout); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// Counts returns the direct and leader gets counted so far, every read
// whose answer nc's clients already received included (a flush of nc
// first brings in the requests the server routed before).
func (c *GetCounter) Counts() (direct, leader int) {
	_ = c.nc.FlushTimeout(DefaultLeaderGetTimeout)
	d1, _, _ := c.subs[0].Pending()
	d2, _, _ := c.subs[1].Pending()
	leader, _, _ = c.subs[2].Pending()
	return d1 + d2, leader
}

// Stop stops counting.
func (c *GetCounter) Stop() {
	for _, s := range c.subs {
		if s != nil {
			_ = s.Unsubscribe()
		}
	}
}
