package cluster

import (
	"errors"
	"reflect"
	"testing"
)

// TestBasicValuesRoundTrip: every basic type crosses in its binary form
// and comes back equal, with its type.
func TestBasicValuesRoundTrip(t *testing.T) {
	n := &Node{types: newTypes(), codec: JSON}
	pid := pidOf(1<<31|7, 42)
	for _, v := range []any{"", "héllo", 0, -1, 1 << 40, int64(-5), uint64(1 << 63), 2.5, true, false,
		[]byte(nil), []byte{}, []byte{1, 2}, pid, Wire(pid)} {
		w, err := n.prepare(v)
		if err != nil {
			t.Fatalf("%#v: %v", v, err)
		}
		b := appendEnvelope(nil, kindSend, pid, pid, 0, &w)
		e, ok := unmarshalEnvelope(b)
		if !ok {
			t.Fatalf("%#v: envelope unreadable", v)
		}
		got, err := n.decode(e.typ, e.body)
		if err != nil || !reflect.DeepEqual(got, v) {
			t.Errorf("%#v came back as %#v, %v", v, got, err)
		}
	}
}

// TestMalformedBasicValues: malformed bytes of a basic type are an
// *EncodeError, never a panic or a wrong value.
func TestMalformedBasicValues(t *testing.T) {
	n := &Node{types: newTypes(), codec: JSON}
	for name, data := range map[string][]byte{
		nameInt: nil, nameUint64: {0x80}, nameFloat64: {1}, nameBool: {}, nameBytes: {2}, pidName: {1, 2},
	} {
		var ee *EncodeError
		if _, err := n.decode([]byte(name), data); !errors.As(err, &ee) {
			t.Errorf("%s %v: err %v, want an *EncodeError", name, data, err)
		}
	}
}

// TestBatchCarriesOnlyOneWayEnvelopes: a batch that carries a call or
// a truncated envelope is dropped, not acted on.
func TestBatchCarriesOnlyOneWayEnvelopes(t *testing.T) {
	for kind := kindSend; kind <= kindDeliver; kind++ {
		want := kind == kindSend || kind == kindCast || kind >= kindLink && kind <= kindDown
		if oneWay(kind) != want {
			t.Errorf("oneWay(%d) = %v", kind, !want)
		}
	}
	b := appendBatchEnvelope([]byte{kindBatch, 0, 0, 0, 1}, kindSend, pidOf(1, 1), pidOf(1, 2), &wireValue{typ: nameInt, v: 1, basic: true})
	for cut := 6; cut < len(b); cut++ {
		if l, ok := batchLen(b[:cut]); ok {
			t.Errorf("a batch cut at %d reads as %d envelopes", cut, l)
		}
	}
	if l, ok := batchLen(b); !ok || l != 1 {
		t.Errorf("batch reads as %d envelopes, %v", l, ok)
	}
}

// batchLen counts the envelopes of batch b, as onBatch reads them.
func batchLen(b []byte) (int, bool) {
	l := 0
	for b = b[5:]; len(b) > 0; l++ {
		var ok bool
		if _, b, ok = nextEnvelope(b); !ok {
			return l, false
		}
	}
	return l, true
}
