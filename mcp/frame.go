package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"

	sdkjsonrpc "github.com/modelcontextprotocol/go-sdk/jsonrpc"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/seed-fe72f376/orchard/jsonrpc"
	"github.com/seed-fe72f376/orchard/transport"
)

// frameTransport is an SDK transport and connection on a transport.Conn:
// newline-delimited JSON-RPC with the listener's limits. A frame that is
// not a message (malformed, truncated, too large, a batch, over the rate
// limit) is answered with a typed JSON-RPC error and the session goes on.
//
// A client waiting for the replies of its calls is not idle: the
// connection's idle timeout ends the session only when no request of the
// client is unanswered.
type frameTransport struct {
	c       *transport.Conn
	once    sync.Once
	pending atomic.Int64 // the client's requests not answered yet
}

func (t *frameTransport) Connect(context.Context) (sdk.Connection, error) { return t, nil }

func (t *frameTransport) Read(ctx context.Context) (sdkjsonrpc.Message, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		frame, err := t.c.ReadFrame()
		switch {
		case errors.Is(err, transport.ErrFrameTooLarge):
			t.reject(nil, jsonrpc.CodeInvalidRequest, "message too large")
			continue
		case errors.Is(err, transport.ErrRateLimited):
			t.reject(nil, jsonrpc.CodeRateLimited, "rate limited")
			continue
		case errors.Is(err, transport.ErrIdleTimeout) && t.pending.Load() > 0:
			continue
		case err != nil:
			return nil, err
		}
		if frame[0] == '[' {
			t.reject(nil, jsonrpc.CodeInvalidRequest, "invalid request: batches are not supported by MCP")
			continue
		}
		msg, err := sdkjsonrpc.DecodeMessage(frame)
		if err != nil {
			// Let the generic decoder say what is wrong, with the right
			// code and id.
			if _, errs, _ := jsonrpc.Decode(frame); len(errs) > 0 {
				t.reject(errs[0].ID, errs[0].Error.Code, errs[0].Error.Message)
			} else {
				t.reject(nil, jsonrpc.CodeInvalidRequest, "invalid request: "+err.Error())
			}
			continue
		}
		if r, ok := msg.(*sdkjsonrpc.Request); ok && r.IsCall() {
			t.pending.Add(1)
		}
		return msg, nil
	}
}

func (t *frameTransport) reject(id json.RawMessage, code int, msg string) {
	b, err := json.Marshal(&jsonrpc.Response{ID: id, Error: &jsonrpc.Error{Code: code, Message: msg}})
	if err == nil {
		_ = t.c.WriteFrame(b)
	}
}

func (t *frameTransport) Write(_ context.Context, msg sdkjsonrpc.Message) error {
	b, err := sdkjsonrpc.EncodeMessage(msg)
	if err != nil {
		return err
	}
	if _, ok := msg.(*sdkjsonrpc.Response); ok {
		defer t.pending.Add(-1)
	}
	return t.c.WriteFrame(b)
}

func (t *frameTransport) Close() error {
	var err error
	t.once.Do(func() { err = t.c.Close() })
	return err
}

func (t *frameTransport) SessionID() string { return "" }
