package schedule_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/schedule"
)

// FuzzKindText: a Kind's text either fails to decode with an error
// matching ErrInvalidArgument, or decodes to a kind that encodes back to
// the same text.
func FuzzKindText(f *testing.F) {
	for _, s := range []string{"after", "every", "cron", "", "After", "weekly", "cron\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var k schedule.Kind
		if err := k.UnmarshalText(b); err != nil {
			if !errors.Is(err, schedule.ErrInvalidArgument) {
				t.Fatalf("UnmarshalText(%q) = %v; want an error matching ErrInvalidArgument", b, err)
			}
			return
		}
		out, err := k.MarshalText()
		if err != nil || !bytes.Equal(out, b) {
			t.Fatalf("UnmarshalText(%q) = %v, MarshalText = %q, %v; want the same text", b, k, out, err)
		}
	})
}

type fuzzMsg struct {
	A int               `json:"a"`
	B string            `json:"b"`
	C []float64         `json:"c"`
	D map[string]string `json:"d"`
}

// FuzzCodecDecode: stored message data either fails to decode with a
// *CodecError (matching ErrInvalidArgument), or decodes to a message that
// encodes under the same name into data that decodes to an equal
// message and encodes to the same bytes again (a round trip).
func FuzzCodecDecode(f *testing.F) {
	c := schedule.NewCodec()
	for _, err := range []error{
		schedule.Register[string](c, "string"),
		schedule.Register[int64](c, "int"),
		schedule.Register[fuzzMsg](c, "msg"),
		schedule.Register[[]int](c, "ints"),
	} {
		if err != nil {
			f.Fatal(err)
		}
	}
	for _, s := range [][2]string{
		{"string", `"hi"`}, {"int", `42`}, {"msg", `{"a":1,"b":"x","c":[1.5],"d":{"k":"v"}}`}, {"ints", `[1,2,3]`},
		{"msg", `{`}, {"nope", `1`}, {"int", `1e400`}, {"string", `"\ud800"`}, {"msg", `null`}, {"", ``},
	} {
		f.Add(s[0], []byte(s[1]))
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		msg, err := c.Decode(name, data)
		if err != nil {
			var ce *schedule.CodecError
			if !errors.As(err, &ce) || !errors.Is(err, schedule.ErrInvalidArgument) {
				t.Fatalf("Decode(%q, %q) = %v; want a *CodecError matching ErrInvalidArgument", name, data, err)
			}
			return
		}
		gotName, enc, err := c.Encode(msg)
		if err != nil || gotName != name {
			t.Fatalf("Encode(Decode(%q, %q)) = %q, %v; want name %q", name, data, gotName, err, name)
		}
		again, err := c.Decode(name, enc)
		if err != nil || !reflect.DeepEqual(again, msg) {
			t.Fatalf("Decode(Encode(m)) = %#v, %v; want %#v", again, err, msg)
		}
		_, enc2, err := c.Encode(again)
		if err != nil || !bytes.Equal(enc2, enc) {
			t.Fatalf("Encode is not stable: %q then %q (%v)", enc, enc2, err)
		}
	})
}

// FuzzRecordJSON: a stored record (as KVStore keeps it) either fails to
// decode, or decodes to a record that encodes and decodes back to itself.
func FuzzRecordJSON(f *testing.F) {
	good, err := json.Marshal(schedule.Record{
		ID: "a", Kind: schedule.Cron, Spec: "@hourly", Dest: schedule.DestRecord{Kind: "name", Name: "x"},
		MsgType: "string", Msg: json.RawMessage(`"hi"`), Next: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), Jitter: time.Second,
	})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{string(good), `{}`, `{"kind":"weekly"}`, `{"kind":1}`, `{"msg":}`, `{"next":"yesterday"}`, `[]`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r schedule.Record
		if err := json.Unmarshal(data, &r); err != nil {
			return // the store reports it as a BadRecord
		}
		enc, err := json.Marshal(r)
		if err != nil {
			if r.Kind == 0 || r.Kind > schedule.Cron || r.Next.Year() > 9999 || r.Next.Year() < 0 {
				return // a record with no kind or an unencodable time cannot be stored either
			}
			t.Fatalf("Marshal(%+v) = %v", r, err)
		}
		var back schedule.Record
		if err := json.Unmarshal(enc, &back); err != nil {
			t.Fatalf("Unmarshal(Marshal(r)) = %v for %s", err, enc)
		}
		if !back.Next.Equal(r.Next) {
			t.Fatalf("Next %v came back as %v", r.Next, back.Next)
		}
		back.Next, r.Next = time.Time{}, time.Time{}
		if !bytes.Equal(compact(t, back.Msg), compact(t, r.Msg)) {
			t.Fatalf("Msg %s came back as %s", r.Msg, back.Msg)
		}
		back.Msg, r.Msg = nil, nil
		if !reflect.DeepEqual(back, r) {
			t.Fatalf("record %+v came back as %+v", r, back)
		}
	})
}

// compact returns m without insignificant space; an absent message and
// JSON null are the same (nil), as encoding/json makes them.
func compact(t *testing.T, m json.RawMessage) []byte {
	t.Helper()
	if len(m) == 0 {
		return nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, m); err != nil {
		t.Fatalf("Compact(%s) = %v", m, err)
	}
	if b.String() == "null" {
		return nil
	}
	return b.Bytes()
}
