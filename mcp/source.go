package mcp

import (
	"context"
	"encoding/json"
)

// Tool describes one tool a [ToolSource] offers: its name, what it does, and
// the JSON Schema of its arguments (an object schema; nil means any object).
type Tool struct {
	Name        string
	Description string
	InputSchema json.RawMessage
}

// Progress reports how far a call is: done out of total (total 0 when
// unknown), with an optional message. It is safe to call from any
// goroutine and never blocks for long; it does nothing when the client did
// not ask for progress.
type Progress func(done, total float64, msg string)

// ToolSource is where the server's tools come from (the agents of a node,
// or the demo's built-in tools). CallTool runs one call: ctx carries the
// call's deadline and is cancelled when the client cancels it or goes
// away; args is the JSON object of arguments; the result is JSON (an
// object becomes the call's structured content, anything else its text).
type ToolSource interface {
	Tools(ctx context.Context) ([]Tool, error)
	CallTool(ctx context.Context, name string, args json.RawMessage, progress Progress) (json.RawMessage, error)
}

// Resource is one readable resource the server lists, such as a status
// page. Read returns its current text.
type Resource struct {
	URI         string
	Name        string
	Description string
	MIMEType    string
	Read        func(ctx context.Context) (string, error)
}

// ResourceTemplate is a family of readable resources named by a URI
// template (RFC 6570), such as orchard://agents/{id}. Read gets the URI
// the client asked for; an error matching [ErrUnknownResource] is answered
// as the protocol's resource-not-found error.
type ResourceTemplate struct {
	URITemplate string
	Name        string
	Description string
	MIMEType    string
	Read        func(ctx context.Context, uri string) (string, error)
}
