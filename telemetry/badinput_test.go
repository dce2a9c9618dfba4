package telemetry_test

import (
	"errors"
	"testing"

	"github.com/seed-fe72f376/orchard/telemetry"
)

// TestBadInput walks the exported API with nil, zero, empty and invalid
// inputs: every call returns an error matching ErrInvalidArgument (and
// its more precise error where one is documented), and nothing panics
// (docs/ERRORS.md).
func TestBadInput(t *testing.T) {
	var nilReg *telemetry.Registry
	fn := func(string, telemetry.Measurements, telemetry.Metadata) {}
	spanFn := func() (telemetry.Metadata, error) { return nil, nil }
	cases := []struct {
		name    string
		call    func() error
		precise error
	}{
		{"Attach/nil receiver", func() error { return nilReg.Attach("a", []string{"e"}, fn) }, nil},
		{"Attach/empty id", func() error { return telemetry.New().Attach("", []string{"e"}, fn) }, telemetry.ErrInvalidHandler},
		{"Attach/no events", func() error { return telemetry.New().Attach("a", nil, fn) }, telemetry.ErrInvalidHandler},
		{"Attach/empty event", func() error { return telemetry.New().Attach("a", []string{"e", ""}, fn) }, telemetry.ErrInvalidHandler},
		{"Attach/nil fn", func() error { return telemetry.New().Attach("a", []string{"e"}, nil) }, telemetry.ErrInvalidHandler},
		{"Attach/package empty id", func() error { return telemetry.Attach("", []string{"e"}, fn) }, telemetry.ErrInvalidHandler},
		{"Detach/nil receiver", func() error { return nilReg.Detach("a") }, nil},
		{"Detach/empty id", func() error { return telemetry.New().Detach("") }, nil},
		{"Detach/package empty id", func() error { return telemetry.Detach("") }, nil},
		{"Span/nil receiver", func() error { return nilReg.Span("p", nil, spanFn) }, nil},
		{"Span/empty prefix", func() error { return telemetry.New().Span("", nil, spanFn) }, nil},
		{"Span/nil fn", func() error { return telemetry.New().Span("p", nil, nil) }, nil},
		{"Span/package nil fn", func() error { return telemetry.Span("p", nil, nil) }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, telemetry.ErrInvalidArgument) {
				t.Fatalf("%s = %v; want an error matching ErrInvalidArgument", tc.name, err)
			}
			if tc.precise != nil && !errors.Is(err, tc.precise) {
				t.Fatalf("%s = %v; want an error matching %v too", tc.name, err, tc.precise)
			}
			var ae *telemetry.ArgumentError
			if !errors.As(err, &ae) {
				t.Fatalf("%s = %v; want an *ArgumentError", tc.name, err)
			}
		})
	}

	// Getters and fire-and-forget calls on a nil registry do nothing.
	nilReg.Execute("e", telemetry.Measurements{"count": 1}, nil)
	if nilReg.Enabled("e") || len(nilReg.Handlers()) != 0 {
		t.Fatal("a nil Registry has handlers")
	}
	// New skips a nil option.
	if r := telemetry.New(nil); r == nil {
		t.Fatal("New(nil option) = nil")
	}
	// A Span refused for bad input runs nothing.
	ran := false
	if err := telemetry.New().Span("", nil, func() (telemetry.Metadata, error) { ran = true; return nil, nil }); err == nil || ran {
		t.Fatalf("Span(\"\") = %v, ran %t; want an error and fn not run", err, ran)
	}
}

// TestZeroRegistry: the zero Registry works as an empty one.
func TestZeroRegistry(t *testing.T) {
	var r telemetry.Registry
	if r.Enabled("e") {
		t.Fatal("zero Registry Enabled = true")
	}
	got := 0
	if err := r.Attach("a", []string{"e"}, func(string, telemetry.Measurements, telemetry.Metadata) { got++ }); err != nil {
		t.Fatalf("zero Registry Attach = %v", err)
	}
	r.Execute("e", nil, nil)
	if got != 1 {
		t.Fatalf("handler ran %d times; want 1", got)
	}
	if err := r.Detach("a"); err != nil {
		t.Fatalf("Detach = %v", err)
	}
}
