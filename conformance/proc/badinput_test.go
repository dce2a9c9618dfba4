package proc_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/seed-fe72f376/orchard/otptest"

	"github.com/seed-fe72f376/orchard/conformance/proc"
)

// nilCtx is a nil context, passed on purpose: it is bad input.
var nilCtx context.Context

// TestBadInput walks the exported API with nil, empty and invalid inputs:
// each call returns an error matching ErrInvalidArgument (an
// *ArgumentError where one argument is at fault) and never panics
// (docs/ERRORS.md).
func TestBadInput(t *testing.T) {
	bg := context.Background()
	decode := func(s string) func() error {
		return func() error { _, err := proc.Decode(strings.NewReader(s)); return err }
	}
	run := func(ctx context.Context, sc *proc.Scenario) func() error {
		return func() error { _, err := proc.Run(ctx, sc); return err }
	}
	cases := []struct {
		name string
		call func() error
		arg  string // the *ArgumentError's Arg; "" when the error is about the scenario
	}{
		{"Load(\"\")", func() error { _, err := proc.Load(""); return err }, "path"},
		{"Decode(nil)", func() error { _, err := proc.Decode(nil); return err }, "r"},
		{"Decode(empty)", decode(``), ""},
		{"Decode(not JSON)", decode(`{`), ""},
		{"Decode(unknown key)", decode(`{"name":"x","steps":[],"colour":1}`), ""},
		{"Decode(trailing data)", decode(`{"name":"x","steps":[]} {}`), ""},
		{"Decode(unknown action)", decode(`{"name":"x","steps":[{"do":"explode","by":"a"}]}`), ""},
		{"Run(nil ctx)", run(nilCtx, &proc.Scenario{}), "ctx"},
		{"Run(nil scenario)", run(bg, nil), "sc"},
		{"Run(invalid scenario)", run(bg, &proc.Scenario{Steps: []proc.Step{{Do: "explode"}}}), ""},
		{"Run(bad reason)", run(bg, &proc.Scenario{Steps: []proc.Step{{Do: "die", By: "a", Reason: []byte(`[1]`)}}}), ""},
		{"nil Validate", func() error { return (*proc.Scenario)(nil).Validate() }, "receiver"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := otptest.NoPanic(tc.call)
			if !errors.Is(err, proc.ErrInvalidArgument) {
				t.Fatalf("%s = %v; want an error matching ErrInvalidArgument", tc.name, err)
			}
			var ae *proc.ArgumentError
			if got := errors.As(err, &ae); got != (tc.arg != "") || got && ae.Arg != tc.arg {
				t.Errorf("%s = %v; want an *ArgumentError for %q: %v", tc.name, err, tc.arg, got)
			}
		})
	}
	// A file that cannot be read is no bad input: the error of package os.
	if _, err := proc.Load("testdata/no-such-scenario.json"); err == nil || errors.Is(err, proc.ErrInvalidArgument) {
		t.Errorf("Load(missing file) = %v; want the os error, not ErrInvalidArgument", err)
	}
}
