package jsonrpc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
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
	data = trimSpace(data)
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

// decodeOne validates one request object. Member names are matched
// exactly, as JSON-RPC 2.0 requires ("Method" is not "method"; an unknown
// member is ignored), which encoding/json's case-insensitive struct
// decoding would not do.
func decodeOne(data json.RawMessage) (*Request, *Response) {
	data = trimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, invalid(nil, "not an object")
	}
	w, ok := members(data)
	if !ok {
		return nil, invalid(nil, "malformed object")
	}
	var id json.RawMessage
	if w.id != nil {
		id = bytes.Clone(w.id)
		if !validID(id) {
			return nil, invalid(nil, "id must be a string, a number or null")
		}
	}
	version, vok := jsonString(w.jsonrpc)
	method, mok := jsonString(w.method)
	switch {
	case !vok || version != Version:
		return nil, invalid(id, `"jsonrpc" must be "2.0"`)
	case !mok || method == "":
		return nil, invalid(id, `"method" must be a non-empty string`)
	}
	var params json.RawMessage
	if p := w.params; p != nil && !bytes.Equal(p, null) {
		if p[0] != '{' && p[0] != '[' {
			return nil, invalid(id, `"params" must be an object or an array`)
		}
		params = bytes.Clone(p)
	}
	return &Request{ID: id, Method: method, Params: params}, nil
}

// wireMembers holds the raw values (nil when absent) of a request
// object's members, sharing the object's bytes.
type wireMembers struct{ jsonrpc, id, method, params []byte }

// set records one member, matching its name exactly; the last of
// duplicate members wins, as with encoding/json.
func (w *wireMembers) set(key, val []byte) {
	name := key[1 : len(key)-1]
	if bytes.IndexByte(name, '\\') >= 0 {
		var s string
		if json.Unmarshal(key, &s) != nil {
			return
		}
		name = []byte(s)
	}
	switch string(name) {
	case "jsonrpc":
		w.jsonrpc = val
	case "id":
		w.id = val
	case "method":
		w.method = val
	case "params":
		w.params = val
	}
}

// members scans the top-level members of data, a JSON object already
// known to be valid, without decoding their values. It reports false if
// data is not an object after all.
func members(data []byte) (w wireMembers, ok bool) {
	i := skipSpace(data, 1)
	if i < len(data) && data[i] == '}' {
		return w, true
	}
	for i < len(data) && data[i] == '"' {
		kstart, kend := i, valueEnd(data, i)
		if kend < 0 {
			return w, false
		}
		i = skipSpace(data, kend)
		if i >= len(data) || data[i] != ':' {
			return w, false
		}
		i = skipSpace(data, i+1)
		vend := valueEnd(data, i)
		if vend < 0 {
			return w, false
		}
		w.set(data[kstart:kend], data[i:vend])
		i = skipSpace(data, vend)
		if i < len(data) && data[i] == '}' {
			return w, true
		}
		if i >= len(data) || data[i] != ',' {
			return w, false
		}
		i = skipSpace(data, i+1)
	}
	return w, false
}

// trimSpace drops JSON whitespace (not Unicode's: "\v[0]" is not JSON)
// around data.
func trimSpace(data []byte) []byte {
	return bytes.TrimRight(data[skipSpace(data, 0):], " \t\r\n")
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// valueEnd returns the index just past the JSON value starting at i, or
// -1 if it does not end.
func valueEnd(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		for j := i + 1; j < len(data); j++ {
			switch data[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return -1
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end := valueEnd(data, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(data) {
		switch data[j] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return j
		}
		j++
	}
	return j
}

// jsonString decodes a raw JSON string value; ok is false for anything
// else (absent, null, a number...).
func jsonString(raw []byte) (s string, ok bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	if in := raw[1 : len(raw)-1]; bytes.IndexByte(in, '\\') < 0 && utf8.Valid(in) {
		return string(in), true
	}
	return s, json.Unmarshal(raw, &s) == nil
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
