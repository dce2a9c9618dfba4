package cluster

import (
	"encoding/json"
	"reflect"
	"sync"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// Codec turns message values into bytes and back. [JSON] is the default;
// a binary codec (protobuf, msgpack, ...) plugs in through
// [Config.Codec]. Both ends of a cluster must use the same codec.
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

func (t *types) typeOf(name string) (reflect.Type, bool) {
	t.mu.RLock()
	rt, ok := t.byName[name]
	t.mu.RUnlock()
	return rt, ok
}

// Register makes messages of type T able to cross nodes from and to n,
// under the wire name name, which must be the same on every node. The
// basic types (string, int, int64, uint64, float64, bool, []byte),
// process.PID and [WirePID] are registered already. Registering a name
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

// encode returns the wire name and bytes of msg, or a typed error.
func (n *Node) encode(msg any) (string, []byte, error) {
	if pid, ok := msg.(process.PID); ok {
		b, err := n.codec.Marshal(Wire(pid))
		if err != nil {
			return "", nil, &EncodeError{Type: "process.PID", Err: err}
		}
		return pidName, b, nil
	}
	name, ok := n.types.name(msg)
	if !ok {
		return "", nil, &UnregisteredError{Type: typeName(msg)}
	}
	b, err := n.codec.Marshal(msg)
	if err != nil {
		return "", nil, &EncodeError{Type: name, Err: err}
	}
	return name, b, nil
}

// decode returns the value of wire name name encoded in data.
func (n *Node) decode(name string, data []byte) (any, error) {
	if name == pidName {
		var w WirePID
		if err := n.codec.Unmarshal(data, &w); err != nil {
			return nil, &EncodeError{Type: name, Err: err}
		}
		return w.PID(), nil
	}
	if name == "" && len(data) == 0 {
		return nil, nil
	}
	t, ok := n.types.typeOf(name)
	if !ok {
		return nil, &UnregisteredError{Type: name}
	}
	ptr := reflect.New(t)
	if err := n.codec.Unmarshal(data, ptr.Interface()); err != nil {
		return nil, &EncodeError{Type: name, Err: err}
	}
	return ptr.Elem().Interface(), nil
}

func typeName(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
}
