package mcp

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// DemoTools is a small built-in [ToolSource] for the demo, the commands
// and the tests, until agents are offered as tools:
//
//	echo   {"text": string}            returns {"text": text}
//	add    {"a": number, "b": number}  returns {"sum": a+b}
//	slow   {"steps": int, "ms": int}   reports progress as each step starts, then {"steps": steps}
//	panics {}                          panics (an error result for that call only)
//	sleepy {}                          ignores its context and sleeps past any deadline
//
// Sleepy's sleep is SleepyFor (default one hour).
type DemoTools struct {
	SleepyFor time.Duration
}

var demoTools = []Tool{
	{Name: "echo", Description: "Echo the text back.", InputSchema: json.RawMessage(`{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}`)},
	{Name: "add", Description: "Add two numbers.", InputSchema: json.RawMessage(`{"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},"required":["a","b"]}`)},
	{Name: "slow", Description: "Work in steps, reporting progress after each.", InputSchema: json.RawMessage(`{"type":"object","properties":{"steps":{"type":"integer"},"ms":{"type":"integer"}}}`)},
	{Name: "panics", Description: "Panic (the call fails; nothing else does).", InputSchema: json.RawMessage(`{"type":"object"}`)},
	{Name: "sleepy", Description: "Ignore cancellation and sleep past the deadline (the call is timed out and its task killed).", InputSchema: json.RawMessage(`{"type":"object"}`)},
}

// Tools lists the demo tools.
func (DemoTools) Tools(context.Context) ([]Tool, error) { return demoTools, nil }

// CallTool runs one demo tool.
func (d DemoTools) CallTool(ctx context.Context, name string, args json.RawMessage, progress Progress) (json.RawMessage, error) {
	switch name {
	case "echo":
		var in struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(args, &in); err != nil {
			return nil, err
		}
		return json.Marshal(in)
	case "add":
		var in struct{ A, B float64 }
		if err := json.Unmarshal(args, &in); err != nil {
			return nil, err
		}
		return json.Marshal(map[string]float64{"sum": in.A + in.B})
	case "slow":
		in := struct {
			Steps int `json:"steps"`
			MS    int `json:"ms"`
		}{Steps: 5, MS: 100}
		if err := json.Unmarshal(args, &in); err != nil {
			return nil, err
		}
		// Progress is reported as each step starts, so that the last
		// notification does not travel with the result (some clients,
		// the TypeScript SDK's among them, drop notifications that
		// arrive in the same read as the result).
		for i := 1; i <= in.Steps; i++ {
			progress(float64(i-1), float64(in.Steps), fmt.Sprintf("step %d of %d", i, in.Steps))
			t := time.NewTimer(time.Duration(in.MS) * time.Millisecond)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-t.C:
			}
		}
		return json.Marshal(map[string]int{"steps": in.Steps})
	case "panics":
		panic("demo tool panicked on purpose")
	case "sleepy":
		d := d.SleepyFor
		if d <= 0 {
			d = time.Hour
		}
		time.Sleep(d) // on purpose: a tool that ignores its context
		return json.RawMessage(`{"slept":true}`), nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownTool, name)
}
