package deadletter

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
)

// Codec turns messages into bytes that can be stored and back into Go
// values after a restart. Implementations must be safe for concurrent use.
type Codec interface {
	// Encode returns the message's type name and encoding, or an error
	// (for example one matching [ErrUnregistered]) when it cannot be
	// encoded; the message is then stored as not replayable.
	Encode(msg any) (typeName string, data []byte, err error)
	// Decode returns the value that Encode encoded as (typeName, data).
	Decode(typeName string, data []byte) (any, error)
}

// JSONCodec is the default [Codec]: encoding/json with a registry of type
// names, so a decoded message has its original Go type rather than
// map[string]any. Messages of unregistered types are not encoded. The
// zero value is not usable; build one with [NewJSONCodec].
type JSONCodec struct {
	mu     sync.RWMutex // protects the fields below
	byName map[string]reflect.Type
	byType map[reflect.Type]string
}

// NewJSONCodec returns a codec with the basic types registered under their
// Go names: string, bool, int, int64, uint64, float64 and []byte.
func NewJSONCodec() *JSONCodec {
	c := &JSONCodec{byName: map[string]reflect.Type{}, byType: map[reflect.Type]string{}}
	for _, v := range []any{"", false, int(0), int64(0), uint64(0), float64(0), []byte(nil)} {
		t := reflect.TypeOf(v)
		c.byName[t.String()] = t
		c.byType[t] = t.String()
	}
	return c
}

// Register names the message type T in c, so that messages of type T are
// stored as replayable and decode back into a T. A name may be registered
// once; registering the same (name, T) again is a no-op, and a name or a
// type already registered otherwise is an error matching
// [ErrInvalidOption]. Safe for concurrent use.
func Register[T any](c *JSONCodec, name string) error {
	t := reflect.TypeFor[T]()
	if c == nil {
		return badArg("Register", "c", "is nil")
	}
	if name == "" {
		return invalid("Register", "name", "is empty (type %v)", t)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.byName[name]; ok && old != t {
		return invalid("Register", "name", "%q already registered for %v", name, old)
	}
	if old, ok := c.byType[t]; ok && old != name {
		return invalid("Register", "T", "%v already registered as %q", t, old)
	}
	c.byName[name] = t
	c.byType[t] = name
	return nil
}

// Encode encodes msg as JSON under its registered name. It fails with an
// error matching [ErrUnregistered] for an unregistered type (including
// nil), and with json's error for a value json cannot encode.
func (c *JSONCodec) Encode(msg any) (string, []byte, error) {
	if c == nil {
		return "", nil, badArg("JSONCodec.Encode", "receiver", "is nil")
	}
	t := reflect.TypeOf(msg)
	c.mu.RLock()
	name, ok := c.byType[t]
	c.mu.RUnlock()
	if !ok {
		return "", nil, fmt.Errorf("%w: %T", ErrUnregistered, msg)
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return "", nil, fmt.Errorf("deadletter: encode %T: %w", msg, err)
	}
	return name, data, nil
}

// Decode decodes data into a new value of the type registered as
// typeName. It fails with an error matching [ErrUnregistered] for an
// unknown name, and with an *[ArgumentError] for an empty one.
func (c *JSONCodec) Decode(typeName string, data []byte) (any, error) {
	switch {
	case c == nil:
		return nil, badArg("JSONCodec.Decode", "receiver", "is nil")
	case typeName == "":
		return nil, badArg("JSONCodec.Decode", "typeName", "is empty")
	}
	c.mu.RLock()
	t, ok := c.byName[typeName]
	c.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnregistered, typeName)
	}
	v := reflect.New(t)
	if err := json.Unmarshal(data, v.Interface()); err != nil {
		return nil, fmt.Errorf("deadletter: decode %q: %w", typeName, err)
	}
	return v.Elem().Interface(), nil
}

// encodeMessage stores msg through codec, or as a non-replayable record.
func encodeMessage(codec Codec, msg any) (Message, bool) {
	m := Message{Printed: fmt.Sprintf("%+v", msg)}
	name, data, err := codec.Encode(msg)
	if err != nil {
		m.Type = fmt.Sprintf("%T", msg)
		m.EncodeError = err.Error()
		return m, false
	}
	m.Type, m.Data = name, data
	return m, true
}
