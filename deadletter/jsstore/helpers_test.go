package jsstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/telemetry"
)

func TestMain(m *testing.M) {
	if runHelperProcess() {
		return
	}
	otptest.VerifyTestMain(m)
}

// Order is a registered message type of the tests.
type Order struct {
	ID    int    `json:"id"`
	Item  string `json:"item"`
	Price int    `json:"price"`
}

// OrderPlaced is an application message type of the examples.
type OrderPlaced struct {
	ID   int
	Item string
}

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func newCodec(t testing.TB) *deadletter.JSONCodec {
	t.Helper()
	c := deadletter.NewJSONCodec()
	if err := deadletter.Register[Order](c, "test.order"); err != nil {
		t.Fatalf("Register[Order] = %v", err)
	}
	return c
}

func newQueue(t testing.TB, node *process.Node, store deadletter.Store, opts ...deadletter.Option) *deadletter.Queue {
	t.Helper()
	opts = append([]deadletter.Option{deadletter.WithCodec(newCodec(t)), deadletter.WithTelemetry(telemetry.New())}, opts...)
	q, err := deadletter.New(node, store, opts...)
	if err != nil {
		t.Fatalf("deadletter.New = %v", err)
	}
	t.Cleanup(func() { _ = q.Close(context.Background()) })
	return q
}

func add(t testing.TB, q *deadletter.Queue, l send.Letter) deadletter.Entry {
	t.Helper()
	e, err := q.Add(context.Background(), l)
	if err != nil {
		t.Fatalf("Add(%+v) = %v", l, err)
	}
	return e
}

func ids(es []deadletter.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func exampleQueue(node *process.Node, store deadletter.Store, opts ...deadletter.Option) *deadletter.Queue {
	codec := deadletter.NewJSONCodec()
	_ = deadletter.Register[OrderPlaced](codec, "orders.placed")
	opts = append([]deadletter.Option{deadletter.WithCodec(codec), deadletter.WithTelemetry(telemetry.New())}, opts...)
	q, err := deadletter.New(node, store, opts...)
	if err != nil {
		panic(err)
	}
	return q
}
