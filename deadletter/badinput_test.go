package deadletter_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/send"
)

// TestBadInput walks the exported API with nil, zero, empty and invalid
// inputs: each call returns an *ArgumentError matching
// ErrInvalidArgument (docs/ERRORS.md), and none panics.
func TestBadInput(t *testing.T) {
	node := otptest.NewNode(t)
	mem := deadletter.NewMemoryStore()
	q := newQueue(t, node, mem)
	var nilQ *deadletter.Queue
	var nilMem *deadletter.MemoryStore
	var nilCodec *deadletter.JSONCodec
	var nilCtx context.Context // a nil ctx is bad input, not a panic
	ctx := context.Background()
	letter := send.Letter{Dest: node.Name("x"), Msg: "m"}
	keep := func(deadletter.Entry) bool { return true }

	cases := []struct {
		name string
		call func() error
	}{
		{"New nil node", func() error { _, err := deadletter.New(nil, mem); return err }},
		{"New nil store", func() error { _, err := deadletter.New(node, nil); return err }},
		{"New nil *MemoryStore", func() error { _, err := deadletter.New(node, nilMem); return err }},
		{"New nil option", func() error { _, err := deadletter.New(node, mem, nil); return err }},
		{"WithCodec nil", func() error { _, err := deadletter.New(node, mem, deadletter.WithCodec(nil)); return err }},
		{"WithDeliverer nil", func() error { _, err := deadletter.New(node, mem, deadletter.WithDeliverer(nil)); return err }},
		{"WithResolver nil", func() error { _, err := deadletter.New(node, mem, deadletter.WithResolver(nil)); return err }},
		{"WithTelemetry nil", func() error { _, err := deadletter.New(node, mem, deadletter.WithTelemetry(nil)); return err }},
		{"WithAutoRetry zero interval", func() error { _, err := deadletter.New(node, mem, deadletter.WithAutoRetry(0, 1)); return err }},
		{"WithAutoRetry negative max", func() error {
			_, err := deadletter.New(node, mem, deadletter.WithAutoRetry(time.Second, -1))
			return err
		}},
		{"WithRetryTimeout zero", func() error { _, err := deadletter.New(node, mem, deadletter.WithRetryTimeout(0)); return err }},

		{"Queue.Add nil receiver", func() error { _, err := nilQ.Add(ctx, letter); return err }},
		{"Queue.Add nil ctx", func() error { _, err := q.Add(nilCtx, letter); return err }},
		{"Queue.Add nil dest", func() error { _, err := q.Add(ctx, send.Letter{Msg: "m"}); return err }},
		{"Queue.DeadLetter nil receiver", func() error { return nilQ.DeadLetter(ctx, letter) }},
		{"Queue.DeadLetter nil ctx", func() error { return q.DeadLetter(nilCtx, letter) }},
		{"Queue.Get nil receiver", func() error { _, err := nilQ.Get(ctx, "id"); return err }},
		{"Queue.Get nil ctx", func() error { _, err := q.Get(nilCtx, "id"); return err }},
		{"Queue.Get empty id", func() error { _, err := q.Get(ctx, ""); return err }},
		{"Queue.List nil receiver", func() error { _, err := nilQ.List(ctx, deadletter.Filter{}, 0); return err }},
		{"Queue.List nil ctx", func() error { _, err := q.List(nilCtx, deadletter.Filter{}, 0); return err }},
		{"Queue.List negative limit", func() error { _, err := q.List(ctx, deadletter.Filter{}, -1); return err }},
		{"Queue.Len nil receiver", func() error { _, err := nilQ.Len(ctx); return err }},
		{"Queue.Len nil ctx", func() error { _, err := q.Len(nilCtx); return err }},
		{"Queue.Decode nil receiver", func() error { _, err := nilQ.Decode(deadletter.Entry{Replayable: true}); return err }},
		{"Queue.Purge nil receiver", func() error { _, err := nilQ.Purge(ctx, deadletter.Filter{}); return err }},
		{"Queue.Purge nil ctx", func() error { _, err := q.Purge(nilCtx, deadletter.Filter{}); return err }},
		{"Queue.Rearm nil receiver", func() error { _, err := nilQ.Rearm(ctx, deadletter.Filter{}); return err }},
		{"Queue.Rearm nil ctx", func() error { _, err := q.Rearm(nilCtx, deadletter.Filter{}); return err }},
		{"Queue.Retry nil receiver", func() error { _, err := nilQ.Retry(ctx, deadletter.Filter{}); return err }},
		{"Queue.Retry nil ctx", func() error { _, err := q.Retry(nilCtx, deadletter.Filter{}); return err }},
		{"Queue.StartRetrier nil receiver", func() error { _, err := nilQ.StartRetrier(); return err }},
		{"Queue.StartRetrier without policy", func() error { _, err := q.StartRetrier(); return err }},
		{"Queue.StartRetrierLink nil receiver", func() error { _, err := nilQ.StartRetrierLink(nil); return err }},
		{"Queue.StartRetrierLink nil parent", func() error { _, err := q.StartRetrierLink(nil); return err }},
		{"Queue.Close nil receiver", func() error { return nilQ.Close(ctx) }},
		{"Queue.Close nil ctx", func() error { return q.Close(nilCtx) }},

		{"List nil store", func() error { _, err := deadletter.List(ctx, nil, deadletter.Filter{}, 0); return err }},
		{"List nil ctx", func() error { _, err := deadletter.List(nilCtx, mem, deadletter.Filter{}, 0); return err }},
		{"List negative limit", func() error { _, err := deadletter.List(ctx, mem, deadletter.Filter{}, -3); return err }},
		{"Purge nil store", func() error { _, err := deadletter.Purge(ctx, nil, deadletter.Filter{}, nil); return err }},
		{"Purge nil ctx", func() error { _, err := deadletter.Purge(nilCtx, mem, deadletter.Filter{}, nil); return err }},
		{"Rearm nil store", func() error { _, err := deadletter.Rearm(ctx, nil, deadletter.Filter{}, time.Now()); return err }},
		{"Rearm nil ctx", func() error { _, err := deadletter.Rearm(nilCtx, mem, deadletter.Filter{}, time.Now()); return err }},
		{"Rearm zero now", func() error { _, err := deadletter.Rearm(ctx, mem, deadletter.Filter{}, time.Time{}); return err }},

		{"Register nil codec", func() error { return deadletter.Register[Order](nil, "order") }},
		{"Register empty name", func() error { return deadletter.Register[Order](deadletter.NewJSONCodec(), "") }},
		{"JSONCodec.Encode nil receiver", func() error { _, _, err := nilCodec.Encode("x"); return err }},
		{"JSONCodec.Decode nil receiver", func() error { _, err := nilCodec.Decode("string", []byte(`"x"`)); return err }},
		{"JSONCodec.Decode empty name", func() error { _, err := deadletter.NewJSONCodec().Decode("", nil); return err }},

		{"MemoryStore.Put nil receiver", func() error { return nilMem.Put(ctx, deadletter.Entry{ID: "a"}) }},
		{"MemoryStore.Put nil ctx", func() error { return mem.Put(nilCtx, deadletter.Entry{ID: "a"}) }},
		{"MemoryStore.Put empty id", func() error { return mem.Put(ctx, deadletter.Entry{}) }},
		{"MemoryStore.Get nil receiver", func() error { _, err := nilMem.Get(ctx, "a"); return err }},
		{"MemoryStore.Get empty id", func() error { _, err := mem.Get(ctx, ""); return err }},
		{"MemoryStore.Delete nil ctx", func() error { return mem.Delete(nilCtx, "a") }},
		{"MemoryStore.Delete empty id", func() error { return mem.Delete(ctx, "") }},
		{"MemoryStore.Scan nil fn", func() error { return mem.Scan(ctx, nil) }},
		{"MemoryStore.Scan nil ctx", func() error { return mem.Scan(nilCtx, keep) }},
		{"MemoryStore.Close nil receiver", func() error { return nilMem.Close() }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ae *deadletter.ArgumentError
			if !errors.Is(err, deadletter.ErrInvalidArgument) || !errors.As(err, &ae) {
				t.Fatalf("%s = %v; want an *ArgumentError matching ErrInvalidArgument", tc.name, err)
			}
			if !errors.Is(err, deadletter.ErrInvalidOption) {
				t.Errorf("%s = %v; want it to match ErrInvalidOption as well", tc.name, err)
			}
			if ae.Op == "" || ae.Arg == "" || ae.Reason == "" {
				t.Errorf("%s: ArgumentError %+v has an empty field", tc.name, ae)
			}
		})
	}
	if got := nilQ.Stats(); got != (deadletter.Stats{}) {
		t.Errorf("nil Queue.Stats() = %+v; want zero", got)
	}
}
