package jsonrpc

import (
	"errors"
	"fmt"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md).
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

// The standard JSON-RPC 2.0 error codes, and the server-error codes this
// package uses for transport limits.
const (
	CodeParseError     = -32700
	CodeInvalidRequest = -32600
	CodeMethodNotFound = -32601
	CodeInvalidParams  = -32602
	CodeInternalError  = -32603
	// CodeRateLimited is a server error (-32000 to -32099): the message was
	// over the connection's rate limit and was dropped.
	CodeRateLimited = -32029
	// CodeTimeout is a server error: the request's deadline passed.
	CodeTimeout = -32001
	// CodeCancelled is a server error: the request was cancelled.
	CodeCancelled = -32800
)

// ErrInvalidParams is what a handler returns (or wraps) for params it
// cannot use; the reply is a -32602 error with the handler's message.
var ErrInvalidParams = errors.New("jsonrpc: invalid params")

// Error is a JSON-RPC error object. Handlers may return one to choose the
// code; it is sent as is.
type Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

func (e *Error) Error() string { return fmt.Sprintf("jsonrpc: error %d: %s", e.Code, e.Message) }

// NewError returns an *Error with code and message.
func NewError(code int, message string) *Error { return &Error{Code: code, Message: message} }

// Is matches another *Error with the same code, so errors.Is(err,
// jsonrpc.NewError(jsonrpc.CodeMethodNotFound, "")) tests for a code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}
