package schedule

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
)

// Codec encodes the messages of durable schedules as JSON, under names
// registered with [Register]: a stored message is a (type name, JSON)
// pair, and the name picks the Go type it is decoded into. It is safe for
// concurrent use.
type Codec struct {
	mu     sync.RWMutex // protects the maps
	byName map[string]reflect.Type
	byType map[reflect.Type]string
}

// NewCodec returns a codec that knows no type. The zero Codec is one too;
// a nil *Codec refuses every call with an error matching
// [ErrInvalidArgument].
func NewCodec() *Codec {
	return &Codec{byName: make(map[string]reflect.Type), byType: make(map[reflect.Type]string)}
}

// Register makes c encode messages of type T under name and decode name
// back into a T. Registering a name or a type twice, an empty name, or a
// nil codec fails with an error matching [ErrInvalidOption] and
// [ErrInvalidArgument].
func Register[T any](c *Codec, name string) error {
	const op = "schedule: Register"
	if c == nil {
		return invalidOption(op, "c", "is nil")
	}
	if name == "" {
		return invalidOption(op, "name", "is empty")
	}
	t := reflect.TypeFor[T]()
	if t.Kind() == reflect.Interface {
		return invalidOption(op, "T", fmt.Sprintf("%v is an interface type", t))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.byName[name]; ok {
		return invalidOption(op, "name", fmt.Sprintf("%q already names %v", name, old))
	}
	if old, ok := c.byType[t]; ok {
		return invalidOption(op, "T", fmt.Sprintf("%v already registered as %q", t, old))
	}
	if c.byName == nil { // the zero Codec
		c.byName, c.byType = make(map[string]reflect.Type), make(map[reflect.Type]string)
	}
	c.byName[name], c.byType[t] = t, name
	return nil
}

// Encode returns msg's registered name and its JSON form. An unregistered
// type gives a *[CodecError] matching [ErrUnregisteredType].
func (c *Codec) Encode(msg any) (name string, data []byte, err error) {
	if c == nil {
		return "", nil, invalidOption("schedule: Codec.Encode", "receiver", "is nil")
	}
	t := reflect.TypeOf(msg)
	c.mu.RLock()
	name, ok := c.byType[t]
	c.mu.RUnlock()
	if !ok {
		return "", nil, &CodecError{Type: fmt.Sprint(t), Err: ErrUnregisteredType}
	}
	data, err = json.Marshal(msg)
	if err != nil {
		return "", nil, &CodecError{Type: name, Err: err}
	}
	return name, data, nil
}

// Decode returns the message of type name encoded in data. An unknown
// name gives a *[CodecError] matching [ErrUnregisteredType]; bad JSON a
// *CodecError wrapping the JSON error.
func (c *Codec) Decode(name string, data []byte) (any, error) {
	if c == nil {
		return nil, invalidOption("schedule: Codec.Decode", "receiver", "is nil")
	}
	c.mu.RLock()
	t, ok := c.byName[name]
	c.mu.RUnlock()
	if !ok {
		return nil, &CodecError{Type: name, Err: ErrUnregisteredType}
	}
	v := reflect.New(t)
	if err := json.Unmarshal(data, v.Interface()); err != nil {
		return nil, &CodecError{Type: name, Err: err}
	}
	return v.Elem().Interface(), nil
}
