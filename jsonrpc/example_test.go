package jsonrpc_test

import (
	"context"
	"fmt"

	"github.com/seed-fe72f376/orchard/jsonrpc"
)

// ExampleServer_HandleMessage serves one message body, as an HTTP handler
// would: a batch with a request, a notification and an unknown method.
func ExampleServer_HandleMessage() {
	srv := jsonrpc.NewServer(nil, nil) // no task supervisor: every handler inline
	_ = srv.Handle("echo", jsonrpc.Method{Handler: func(_ context.Context, r *jsonrpc.Request) (any, error) {
		return r.Params, nil
	}})
	out := srv.HandleMessage(context.Background(), []byte(`[
		{"jsonrpc":"2.0","id":1,"method":"echo","params":["hi"]},
		{"jsonrpc":"2.0","method":"echo"},
		{"jsonrpc":"2.0","id":2,"method":"nope"}]`))
	fmt.Println(string(out))
	// Output: [{"jsonrpc":"2.0","id":1,"result":["hi"]},{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"method not found: nope"}}]
}
