package jsonrpc_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/jsonrpc"
)

// batchOf returns a batch of n echo requests.
func batchOf(n int) []byte {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = `{"jsonrpc":"2.0","id":1,"method":"count"}`
	}
	return []byte("[" + strings.Join(parts, ",") + "]")
}

// TestMaxBatch checks that a batch longer than the server's limit is
// answered with one -32600 error (id null) and runs none of its elements,
// while a batch at the limit runs whole.
func TestMaxBatch(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit int // 0: the default
		n     int
		ok    bool
	}{
		{"default at limit", 0, jsonrpc.DefaultMaxBatch, true},
		{"default over limit", 0, jsonrpc.DefaultMaxBatch + 1, false},
		{"set at limit", 3, 3, true},
		{"set over limit", 3, 4, false},
		{"no limit", -1, jsonrpc.DefaultMaxBatch * 3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int64
			srv := jsonrpc.NewServer(nil, nil)
			if err := srv.Handle("count", jsonrpc.Method{Inline: true, Handler: func(context.Context, *jsonrpc.Request) (any, error) {
				calls.Add(1)
				return true, nil
			}}); err != nil {
				t.Fatal(err)
			}
			if tc.limit != 0 {
				if err := srv.SetMaxBatch(tc.limit); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			out := srv.HandleMessage(ctx, batchOf(tc.n))
			if tc.ok {
				var resps []json.RawMessage
				if err := json.Unmarshal(out, &resps); err != nil || len(resps) != tc.n || calls.Load() != int64(tc.n) {
					t.Fatalf("batch of %d: %d calls, reply %.200s (%v)", tc.n, calls.Load(), out, err)
				}
				return
			}
			var r struct {
				JSONRPC string          `json:"jsonrpc"`
				ID      json.RawMessage `json:"id"`
				Error   *jsonrpc.Error  `json:"error"`
			}
			if err := json.Unmarshal(out, &r); err != nil || r.Error == nil || r.Error.Code != jsonrpc.CodeInvalidRequest || string(r.ID) != "null" {
				t.Fatalf("batch of %d over the limit: reply %s (%v); want one -32600 error with id null", tc.n, out, err)
			}
			if n := calls.Load(); n != 0 {
				t.Fatalf("batch over the limit ran %d handlers; want none", n)
			}
		})
	}
}
