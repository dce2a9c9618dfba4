package jsonrpc_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/seed-fe72f376/orchard/jsonrpc"
)

// FuzzDecode checks Decode's invariants on any input: it never panics;
// every element of a message is accounted for once (a valid request or an
// error reply); every error reply carries a standard code; a valid request
// re-encodes to a message that decodes to the same request; a single
// object decodes as exact-name decoding into a map says.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]}`,
		`{"jsonrpc":"2.0","method":"n"}`,
		`[{"jsonrpc":"2.0","id":"a","method":"m","params":{}},{"x":1},3]`,
		`[]`, `{`, `null`, `{"jsonrpc":"2.0","id":null,"method":"m"}`,
		`{"jsonrpc":"2.0","id":{},"method":"m"}`, ` [ ] `, `"x"`,
		`{"jsonrpc":"2.0","id":1,"Method":"m"}`, `{"\u006aSONRPC":"2.0","method":"m","method":"n"}`,
		`{"jsonrpc":"2.0","x":{"method":"[}\""},"method":"m","params":[{"a":"]"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		reqs, errs, batch := jsonrpc.Decode(data)
		if len(reqs)+len(errs) == 0 {
			t.Fatalf("Decode(%q): nothing", data)
		}
		if !batch && len(reqs)+len(errs) != 1 {
			t.Fatalf("Decode(%q): %d results for one message", data, len(reqs)+len(errs))
		}
		if batch {
			var elems []json.RawMessage
			if err := json.Unmarshal(data, &elems); err != nil || len(elems) != len(reqs)+len(errs) {
				t.Fatalf("Decode(%q): %d results for %d elements", data, len(reqs)+len(errs), len(elems))
			}
		}
		for _, e := range errs {
			if e.Error == nil || (e.Error.Code != jsonrpc.CodeParseError && e.Error.Code != jsonrpc.CodeInvalidRequest) {
				t.Fatalf("Decode(%q): error reply %+v", data, e)
			}
			if _, err := json.Marshal(e); err != nil {
				t.Fatalf("error reply does not encode: %v", err)
			}
		}
		if !batch {
			checkExactNames(t, data, reqs)
		}
		for _, r := range reqs {
			enc, err := json.Marshal(r)
			if err != nil {
				t.Fatalf("re-encode %+v: %v", r, err)
			}
			again, errs2, _ := jsonrpc.Decode(enc)
			if len(errs2) != 0 || len(again) != 1 {
				t.Fatalf("round trip of %q: %s gave %v %v", data, enc, again, errs2)
			}
			a := again[0]
			if a.Method != r.Method || !bytes.Equal(compact(a.ID), compact(r.ID)) || !bytes.Equal(compact(a.Params), compact(r.Params)) {
				t.Fatalf("round trip of %q: %+v != %+v", data, a, r)
			}
		}
	})
}

func compact(b []byte) []byte {
	if b == nil {
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return b
	}
	return buf.Bytes()
}

// checkExactNames compares Decode's result for one object with a reference
// decoding into a map, whose keys are matched exactly.
func checkExactNames(t *testing.T, data []byte, reqs []*jsonrpc.Request) {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil || m == nil {
		return
	}
	var version, method string
	vok := json.Unmarshal(m["jsonrpc"], &version) == nil && m["jsonrpc"][0] == '"'
	mok := json.Unmarshal(m["method"], &method) == nil && m["method"][0] == '"'
	_, hasID := m["id"]
	_, hasParams := m["params"]
	simple := vok && version == "2.0" && mok && method != "" && !hasID && !hasParams
	if len(reqs) == 0 {
		if simple {
			t.Fatalf("Decode(%q): invalid, but the map says it is a notification of %q", data, method)
		}
		return
	}
	r := reqs[0]
	if !vok || version != "2.0" || !mok || r.Method != method || hasID != (r.ID != nil) {
		t.Fatalf("Decode(%q) = %+v; the map says jsonrpc %q method %q (id present: %v)", data, r, version, method, hasID)
	}
	if hasID && !bytes.Equal(compact(m["id"]), compact(r.ID)) {
		t.Fatalf("Decode(%q): id %s; the map says %s", data, r.ID, m["id"])
	}
}
