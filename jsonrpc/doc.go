// Package jsonrpc implements JSON-RPC 2.0 servers on Orchard's processes:
// requests, notifications and batches, the standard errors,
// newline-delimited framing on a [transport.Conn] and one message per HTTP
// body, with each request's handler run inline in the connection's process
// or in a supervised task of its own, under the request's deadline.
//
// # OTP mapping
//
//	OTP / erlmcp                              Orchard
//	----------------------------------------  ---------------------------------------
//	erlmcp_json_rpc (encode/decode)           [Decode], [EncodeResponses], [Request], [Response]
//	erlmcp_server handle_call per method      [Server.Handle] with a [Method]
//	request handled in the connection         Method.Inline
//	request handled in a spawned worker       a task.Start task under the server's
//	                                          task.Supervisor (crash reported by it)
//	{error, Code, Msg}                        [*Error], the Code* constants
//	{packet, line} framing                    [Server.ServeConn] on transport.Conn.ReadFrame
//
// # Semantics
//
// A message is an object or a non-empty array of objects. Invalid JSON is a
// -32700 reply with a null id; a message that is not a valid request is
// -32600 (for each invalid element of a batch); member names are matched
// exactly, so "Method" or "ID" is an unknown member (ignored), not
// "method" or "id". An unknown method is -32601; a handler error wrapping [ErrInvalidParams] is -32602; any other
// handler error, and a handler panic, is -32603 for that request only.
// Notifications get no reply; a batch gets one array holding the replies
// of its requests, written when the last one is done; a batch of
// notifications gets nothing. A batch longer than the server's limit
// ([Server.SetMaxBatch], [DefaultMaxBatch]) is refused whole: one -32600
// reply with a null id, and none of its elements runs, so that one message
// cannot start an unbounded number of handlers.
//
// Each request runs with its method's deadline (Method.Timeout,
// [DefaultTimeout]) and is cancelled when its connection's process dies. A
// non-inline handler runs as a task of the server's task supervisor: a
// panic there is answered with -32603 first, then ends the task as a crash
// its supervisor logs with the stack; the connection and its other
// requests go on.
//
// # Differences from OTP
//
// erlmcp decodes with jsx into maps; here params and results stay
// json.RawMessage until a handler decodes them.
//
// # Example
//
//	srv := jsonrpc.NewServer(tasks, nil)
//	srv.Handle("echo", jsonrpc.Method{Inline: true, Handler: func(ctx context.Context, r *jsonrpc.Request) (any, error) {
//		return r.Params, nil
//	}})
//	l, err := transport.Listen(node, transport.Config{Addr: "127.0.0.1:7602", Handler: srv.ServeConn})
package jsonrpc
