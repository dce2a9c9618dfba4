package jsonrpc

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Version is the protocol version every message carries.
const Version = "2.0"

// Request is one request or notification. A notification has no ID (nil
// RawMessage) and gets no reply; an ID is a JSON string, number or null.
type Request struct {
	ID     json.RawMessage
	Method string
	Params json.RawMessage
}

// IsNotification reports whether r expects no reply.
func (r *Request) IsNotification() bool { return r.ID == nil }

// Response is one reply: exactly one of Result and Error is set.
type Response struct {
	ID     json.RawMessage
	Result json.RawMessage
	Error  *Error
}

var null = json.RawMessage("null")

type wireRequest struct {
	JSONRPC *string         `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"` // "null" when null, nil when absent
	Method  *string         `json:"method"`
	Params  json.RawMessage `json:"params"`
}

type wireResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *Error          `json:"error,omitempty"`
}

// MarshalJSON encodes r as a JSON-RPC 2.0 response object.
func (r *Response) MarshalJSON() ([]byte, error) {
	w := wireResponse{JSONRPC: Version, ID: r.ID, Result: r.Result, Error: r.Error}
	if w.ID == nil {
		w.ID = null
	}
	if w.Error == nil && w.Result == nil {
		w.Result = null
	}
	return json.Marshal(w)
}

// MarshalJSON encodes r as a JSON-RPC 2.0 request or notification object.
func (r *Request) MarshalJSON() ([]byte, error) {
	w := struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id,omitempty"`
		Method  string          `json:"method"`
		Params  json.RawMessage `json:"params,omitempty"`
	}{Version, r.ID, r.Method, r.Params}
	return json.Marshal(w)
}

// Decode parses one message body: a request object or a batch (array) of
// them. It returns the valid requests, the error responses for the invalid
// parts (a parse error, an empty batch, an element that is not a valid
// request), and whether the body was a batch. It never fails: anything
// wrong becomes an error response. Decode puts no limit on a batch's
// length; a [Server] does (see [Server.SetMaxBatch]).
func Decode(data []byte) (reqs []*Request, errs []*Response, batch bool) {
	return decode(data, 0)
}

// decode is Decode answering a batch of more than maxBatch elements
// (maxBatch > 0) with a single -32600 error, decoding none of them.
func decode(data []byte, maxBatch int) (reqs []*Request, errs []*Response, batch bool) {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var elems []json.RawMessage
		if err := json.Unmarshal(data, &elems); err != nil {
			return nil, []*Response{parseError(err)}, false
		}
		if len(elems) == 0 {
			return nil, []*Response{{Error: &Error{Code: CodeInvalidRequest, Message: "empty batch"}}}, false
		}
		if maxBatch > 0 && len(elems) > maxBatch {
			return nil, []*Response{{Error: &Error{Code: CodeInvalidRequest, Message: fmt.Sprintf("invalid request: batch of %d elements, more than the limit of %d", len(elems), maxBatch)}}}, false
		}
		for _, e := range elems {
			r, bad := decodeOne(e)
			if bad != nil {
				errs = append(errs, bad)
			} else {
				reqs = append(reqs, r)
			}
		}
		return reqs, errs, true
	}
	if !json.Valid(data) {
		return nil, []*Response{parseError(nil)}, false
	}
	r, bad := decodeOne(data)
	if bad != nil {
		return nil, []*Response{bad}, false
	}
	return []*Request{r}, nil, false
}

func parseError(err error) *Response {
	msg := "parse error"
	if err != nil {
		msg += ": " + err.Error()
	}
	return &Response{Error: &Error{Code: CodeParseError, Message: msg}}
}

func invalid(id json.RawMessage, why string) *Response {
	return &Response{ID: id, Error: &Error{Code: CodeInvalidRequest, Message: "invalid request: " + why}}
}

// decodeOne validates one request object.
func decodeOne(data json.RawMessage) (*Request, *Response) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, invalid(nil, "not an object")
	}
	var w wireRequest
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, invalid(nil, err.Error())
	}
	var id json.RawMessage
	if w.ID != nil {
		id = w.ID
		if !validID(id) {
			return nil, invalid(nil, "id must be a string, a number or null")
		}
	}
	switch {
	case w.JSONRPC == nil || *w.JSONRPC != Version:
		return nil, invalid(id, `"jsonrpc" must be "2.0"`)
	case w.Method == nil || *w.Method == "":
		return nil, invalid(id, `"method" must be a non-empty string`)
	}
	if p := bytes.TrimSpace(w.Params); len(p) > 0 && p[0] != '{' && p[0] != '[' && !bytes.Equal(p, null) {
		return nil, invalid(id, `"params" must be an object or an array`)
	}
	params := w.Params
	if bytes.Equal(bytes.TrimSpace(params), null) {
		params = nil
	}
	return &Request{ID: id, Method: *w.Method, Params: params}, nil
}

func validID(id json.RawMessage) bool {
	if len(id) == 0 {
		return false
	}
	switch c := id[0]; {
	case c == '"', c == '-', c >= '0' && c <= '9':
		return true
	}
	return bytes.Equal(id, null)
}

// EncodeResponses encodes replies: one object, or an array for a batch. It
// returns nil when there is nothing to send (only notifications).
func EncodeResponses(resps []*Response, batch bool) ([]byte, error) {
	if len(resps) == 0 {
		return nil, nil
	}
	if !batch && len(resps) == 1 {
		return json.Marshal(resps[0])
	}
	return json.Marshal(resps)
}
