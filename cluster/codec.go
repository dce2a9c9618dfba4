package cluster

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"sync"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// Codec turns message values of registered types into bytes and back.
// [JSON] is the default; a binary codec (protobuf, msgpack, ...) plugs
// in through [Config.Codec]. Both ends of a cluster must use the same
// codec. The basic types and PIDs do not go through it: they cross in a
// fixed binary form of their own.
type Codec interface {
	// Marshal encodes v.
	Marshal(v any) ([]byte, error)
	// Unmarshal decodes data into ptr, a pointer to a value of the
	// registered type.
	Unmarshal(data []byte, ptr any) error
}

// JSON is the default codec: encoding/json.
var JSON Codec = jsonCodec{}

type jsonCodec struct{}

func (jsonCodec) Marshal(v any) ([]byte, error)        { return json.Marshal(v) }
func (jsonCodec) Unmarshal(data []byte, ptr any) error { return json.Unmarshal(data, ptr) }

// WirePID is a PID inside a message that crosses nodes: process.PID's
// fields are unexported, so a codec cannot see them. A message field
// of type WirePID carries a PID; [Wire] makes one and [WirePID.PID]
// gives the PID back. A PID sent as the whole message needs nothing.
type WirePID struct {
	Node uint32 `json:"n"`
	ID   uint64 `json:"i"`
}

// Wire returns pid in its wire form.
func Wire(pid process.PID) WirePID { return WirePID{Node: pid.Node(), ID: pid.ID()} }

// PID returns the PID w carries.
func (w WirePID) PID() process.PID { return pidOf(w.Node, w.ID) }

// types is a node's type registry: the wire name of each Go type that
// may cross nodes.
type types struct {
	mu     sync.RWMutex
	byType map[reflect.Type]string
	byName map[string]reflect.Type
}

func newTypes() *types {
	t := &types{byType: map[reflect.Type]string{}, byName: map[string]reflect.Type{}}
	for name, v := range map[string]any{
		"string": "", "int": 0, "int64": int64(0), "uint64": uint64(0), "float64": 0.0, "bool": false,
		"bytes": []byte(nil), "orchard.WirePID": WirePID{},
	} {
		t.add(name, reflect.TypeOf(v))
	}
	return t
}

func (t *types) add(name string, rt reflect.Type) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if old, ok := t.byName[name]; ok && old != rt {
		return argerr.New("cluster: Register", "name", "is registered for "+old.String())
	}
	if old, ok := t.byType[rt]; ok && old != name {
		return argerr.New("cluster: Register", "T", "is registered as "+old)
	}
	t.byType[rt], t.byName[name] = name, rt
	return nil
}

func (t *types) name(v any) (string, bool) {
	t.mu.RLock()
	n, ok := t.byType[reflect.TypeOf(v)]
	t.mu.RUnlock()
	return n, ok
}

func (t *types) typeOf(name []byte) (reflect.Type, bool) {
	t.mu.RLock()
	rt, ok := t.byName[string(name)]
	t.mu.RUnlock()
	return rt, ok
}

// Register makes messages of type T able to cross nodes from and to n,
// under the wire name name, which must be the same on every node. The
// basic types (string, int, int64, uint64, float64, bool, []byte),
// process.PID and [WirePID] are registered already (and cross in a
// binary form of their own, not through the codec). Registering a name
// or a type twice the same way does nothing; otherwise it is an error
// matching [ErrInvalidArgument].
func Register[T any](n *Node, name string) error {
	if n == nil {
		return argerr.Nil("cluster: Register", "n")
	}
	if name == "" {
		return argerr.Empty("cluster: Register", "name")
	}
	t := reflect.TypeFor[T]()
	if t.Kind() == reflect.Interface {
		return argerr.New("cluster: Register", "T", "is an interface type; register concrete types")
	}
	return n.types.add(name, t)
}

// pidName is the wire name of a whole-message process.PID.
const pidName = "orchard.PID"

// The basic types and PIDs cross nodes in a fixed binary form of their
// own, whatever the codec: they are most messages, and the codec's
// generality (reflection, text) costs more than the value.
const (
	nameString  = "string"
	nameInt     = "int"
	nameInt64   = "int64"
	nameUint64  = "uint64"
	nameFloat64 = "float64"
	nameBool    = "bool"
	nameBytes   = "bytes"
	nameWirePID = "orchard.WirePID"
)

// wireValue is a message ready to be appended to an envelope: a basic
// value (basic, appended by appendTo) or the codec's bytes (body).
type wireValue struct {
	typ   string
	body  []byte
	v     any
	basic bool
}

// size is the encoded length of w (a bound for basic values).
func (w *wireValue) size() int {
	if !w.basic {
		return len(w.body)
	}
	switch v := w.v.(type) {
	case string:
		return len(v)
	case []byte:
		return 1 + len(v)
	}
	return binary.MaxVarintLen64 + 4
}

// appendTo appends w's encoded value to b.
func (w *wireValue) appendTo(b []byte) []byte {
	if !w.basic {
		return append(b, w.body...)
	}
	switch v := w.v.(type) {
	case string:
		return append(b, v...)
	case int:
		return binary.AppendVarint(b, int64(v))
	case int64:
		return binary.AppendVarint(b, v)
	case uint64:
		return binary.AppendUvarint(b, v)
	case float64:
		return binary.BigEndian.AppendUint64(b, math.Float64bits(v))
	case bool:
		if v {
			return append(b, 1)
		}
		return append(b, 0)
	case []byte:
		if v == nil {
			return append(b, 0)
		}
		return append(append(b, 1), v...)
	case process.PID:
		return appendPID(b, v)
	case WirePID:
		return appendPID(b, v.PID())
	}
	return b
}

func appendPID(b []byte, pid process.PID) []byte {
	b = binary.BigEndian.AppendUint32(b, pid.Node())
	return binary.BigEndian.AppendUint64(b, pid.ID())
}

// prepare returns msg ready to cross nodes, or a typed error: a basic
// value as it is, any other through the type registry and the codec.
func (n *Node) prepare(msg any) (wireValue, error) {
	switch msg.(type) {
	case string:
		return wireValue{typ: nameString, v: msg, basic: true}, nil
	case int:
		return wireValue{typ: nameInt, v: msg, basic: true}, nil
	case int64:
		return wireValue{typ: nameInt64, v: msg, basic: true}, nil
	case uint64:
		return wireValue{typ: nameUint64, v: msg, basic: true}, nil
	case float64:
		return wireValue{typ: nameFloat64, v: msg, basic: true}, nil
	case bool:
		return wireValue{typ: nameBool, v: msg, basic: true}, nil
	case []byte:
		return wireValue{typ: nameBytes, v: msg, basic: true}, nil
	case process.PID:
		return wireValue{typ: pidName, v: msg, basic: true}, nil
	case WirePID:
		return wireValue{typ: nameWirePID, v: msg, basic: true}, nil
	}
	name, ok := n.types.name(msg)
	if !ok {
		return wireValue{}, &UnregisteredError{Type: typeName(msg)}
	}
	b, err := n.codec.Marshal(msg)
	if err != nil {
		return wireValue{}, &EncodeError{Type: name, Err: err}
	}
	return wireValue{typ: name, body: b}, nil
}

// encode returns the wire name and bytes of msg, or a typed error.
func (n *Node) encode(msg any) (string, []byte, error) {
	w, err := n.prepare(msg)
	if err != nil {
		return "", nil, err
	}
	if w.basic {
		return w.typ, w.appendTo(nil), nil
	}
	return w.typ, w.body, nil
}

// errBasic is the error of a basic value whose bytes are malformed.
var errBasic = errors.New("malformed value")

// decodeBasic decodes a value of a basic type; ok is false when name is
// not one.
func decodeBasic(name, data []byte) (v any, ok bool, err error) {
	if len(name) == 0 || len(name) > len(nameWirePID) {
		return nil, false, nil
	}
	bad := func(name string) (any, bool, error) { return nil, true, &EncodeError{Type: name, Err: errBasic} }
	switch string(name) {
	case nameString:
		return string(data), true, nil
	case nameInt, nameInt64:
		x, k := binary.Varint(data)
		if k != len(data) || k <= 0 {
			return bad(string(name))
		}
		if string(name) == nameInt {
			return int(x), true, nil
		}
		return x, true, nil
	case nameUint64:
		x, k := binary.Uvarint(data)
		if k != len(data) || k <= 0 {
			return bad(nameUint64)
		}
		return x, true, nil
	case nameFloat64:
		if len(data) != 8 {
			return bad(nameFloat64)
		}
		return math.Float64frombits(binary.BigEndian.Uint64(data)), true, nil
	case nameBool:
		if len(data) != 1 {
			return bad(nameBool)
		}
		return data[0] != 0, true, nil
	case nameBytes:
		switch {
		case len(data) == 1 && data[0] == 0:
			return []byte(nil), true, nil
		case len(data) >= 1 && data[0] == 1:
			return bytes.Clone(data[1:len(data):len(data)]), true, nil
		}
		return bad(nameBytes)
	case pidName, nameWirePID:
		if len(data) != 12 {
			return bad(string(name))
		}
		pid := pidOf(binary.BigEndian.Uint32(data), binary.BigEndian.Uint64(data[4:]))
		if string(name) == pidName {
			return pid, true, nil
		}
		return Wire(pid), true, nil
	}
	return nil, false, nil
}

// decode returns the value of wire name name encoded in data.
func (n *Node) decode(name, data []byte) (any, error) {
	if v, ok, err := decodeBasic(name, data); ok {
		return v, err
	}
	if len(name) == 0 && len(data) == 0 {
		return nil, nil
	}
	t, ok := n.types.typeOf(name)
	if !ok {
		return nil, &UnregisteredError{Type: string(name)}
	}
	ptr := reflect.New(t)
	if err := n.codec.Unmarshal(data, ptr.Interface()); err != nil {
		return nil, &EncodeError{Type: string(name), Err: err}
	}
	return ptr.Elem().Interface(), nil
}

func typeName(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
}
