package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/google/jsonschema-go/jsonschema"
)

// ActionFunc is the code of an action: it runs in the agent's process,
// one action at a time, with state pointing at the agent's state, which it
// may change. It returns the action's result and the directives the runtime
// carries out after it (nil for none). An error is returned to the caller
// and the agent keeps running; an action should then leave state as it
// found it. A panic crashes the agent (its supervisor restarts it from its
// last snapshot).
//
// ctx is the caller's context (its deadline, cancellation and values, such
// as the progress reporter of WithProgress), or the agent's process context
// for runs that come from signals, schedules and offloaded tasks.
type ActionFunc[S, In, Out any] func(ctx context.Context, state *S, in In) (Out, []Directive, error)

// Action is one typed action of agents of state S, built with NewAction.
// Its input and result JSON Schemas are derived from the Go types In and
// Out with github.com/google/jsonschema-go, the schema library of the
// official MCP Go SDK, so they can be offered as tool schemas unchanged.
type Action[S any] struct {
	name, desc  string
	in          reflect.Type
	inSchema    json.RawMessage
	outSchema   json.RawMessage
	resolved    *jsonschema.Resolved
	err         error
	run         func(ctx context.Context, state *S, in any) (any, []Directive, error)
	decodeInput func(raw json.RawMessage) (any, error)
}

// NewAction builds an action named name. An empty name, a nil fn or an
// input or result type with no JSON Schema (a channel, a func, a map with
// non-string keys) makes an action that NewKind refuses with an
// *ArgumentError naming it: NewAction itself never fails, so actions can
// be written inside a Spec literal.
func NewAction[S, In, Out any](name, description string, fn ActionFunc[S, In, Out]) Action[S] {
	a := Action[S]{name: name, desc: description, in: reflect.TypeFor[In]()}
	switch {
	case name == "":
		a.err = fmt.Errorf("has an empty name")
		return a
	case fn == nil:
		a.err = fmt.Errorf("%q has a nil function", name)
		return a
	}
	inSchema, err := jsonschema.For[In](nil)
	if err != nil {
		a.err = fmt.Errorf("%q: input type: %v", name, err)
		return a
	}
	outSchema, err := jsonschema.For[Out](nil)
	if err != nil {
		a.err = fmt.Errorf("%q: result type: %v", name, err)
		return a
	}
	if a.resolved, err = inSchema.Resolve(nil); err != nil {
		a.err = fmt.Errorf("%q: input schema: %v", name, err)
		return a
	}
	a.inSchema, _ = json.Marshal(inSchema)
	a.outSchema, _ = json.Marshal(outSchema)
	resolved := a.resolved
	a.decodeInput = func(raw json.RawMessage) (any, error) {
		if len(raw) == 0 {
			raw = json.RawMessage("null")
		}
		var generic any
		if err := json.Unmarshal(raw, &generic); err != nil {
			return nil, err
		}
		if err := resolved.Validate(generic); err != nil {
			return nil, err
		}
		var in In
		if err := json.Unmarshal(raw, &in); err != nil {
			return nil, err
		}
		return in, nil
	}
	a.run = func(ctx context.Context, state *S, in any) (any, []Directive, error) {
		v, _ := in.(In)
		return fn(ctx, state, v)
	}
	return a
}

// Name returns the action's name.
func (a Action[S]) Name() string { return a.name }

// ActionInfo describes one action for listings and tool adapters (MCP):
// its name, description and the JSON Schemas of its input and result.
type ActionInfo struct {
	Name         string
	Description  string
	InputSchema  json.RawMessage
	ResultSchema json.RawMessage
}

// action is the state-erased view of an Action the runtime keeps.
type action struct {
	info   ActionInfo
	in     reflect.Type
	decode func(raw json.RawMessage) (any, error)
	run    any // func(ctx, *S, any) (any, []Directive, error)
	idx    int // position in the kind's list
}

// input turns what a caller passed into the action's input value: a value
// of the input type as is; raw JSON (json.RawMessage or []byte) checked
// against the input schema and decoded; anything else through its JSON
// encoding, checked the same way.
func (a *action) input(in any) (any, error) {
	if in != nil && reflect.TypeOf(in) == a.in {
		return in, nil
	}
	var raw json.RawMessage
	switch v := in.(type) {
	case json.RawMessage:
		raw = v
	case []byte:
		raw = v
	default:
		if in == nil && a.in.Kind() != reflect.Interface && a.in.Kind() != reflect.Pointer {
			// a nil input for a value type: validate JSON null against the schema.
			raw = json.RawMessage("null")
			break
		}
		b, err := json.Marshal(in)
		if err != nil {
			return nil, &InvalidInputError{Action: a.info.Name, Err: err}
		}
		raw = b
	}
	v, err := a.decode(raw)
	if err != nil {
		return nil, &InvalidInputError{Action: a.info.Name, Err: err}
	}
	return v, nil
}
