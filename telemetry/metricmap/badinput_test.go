package metricmap_test

import (
	"errors"
	"testing"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/bridge"
	"github.com/seed-fe72f376/orchard/telemetry/metricmap"
)

// TestBadInput walks the exported API with nil, zero, empty and invalid
// inputs: calls with an error result return an *ArgumentError matching
// ErrInvalidArgument (docs/ERRORS.md); the others do nothing, as
// documented; none panics.
func TestBadInput(t *testing.T) {
	var nilRouter *metricmap.Router[int]
	ev := []string{"e"}
	cases := []struct {
		name string
		call func() error
	}{
		{"Validate zero Metric", func() error { return metricmap.Metric{}.Validate() }},
		{"Validate empty event", func() error { return metricmap.Metric{Name: "x", Events: []string{""}}.Validate() }},
		{"Validate bad kind", func() error { return metricmap.Metric{Name: "x", Events: ev, Kind: 42}.Validate() }},
		{"Validate bad label", func() error {
			return metricmap.Metric{Name: "x", Events: ev, Labels: []metricmap.Label{{}}}.Validate()
		}},
		{"Validate pid label", func() error {
			return metricmap.Metric{Name: "x", Events: ev, Labels: []metricmap.Label{{Name: "pid"}}}.Validate()
		}},
		{"Router.Attach nil receiver", func() error { return nilRouter.Attach(func(int, float64, []string) {}) }},
		{"Router.Attach nil record", func() error { return metricmap.NewRouter[int](telemetry.New(), "id").Attach(nil) }},
		{"Router.Attach empty id", func() error {
			return metricmap.NewRouter[int](telemetry.New(), "").Attach(func(int, float64, []string) {})
		}},
		{"Router.Detach nil receiver", func() error { return nilRouter.Detach() }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ae *metricmap.ArgumentError
			if !errors.Is(err, metricmap.ErrInvalidArgument) || !errors.As(err, &ae) || ae.Op == "" || ae.Arg == "" {
				t.Fatalf("%s = %v; want an *ArgumentError matching ErrInvalidArgument", tc.name, err)
			}
		})
	}

	// Calls without an error result do nothing on bad input.
	nilRouter.Add(metricmap.Metric{Name: "x", Events: ev}, 1)
	if nilRouter.Events() != nil || nilRouter.Names() != nil {
		t.Error("a nil Router has events or names")
	}
	if total, longest := metricmap.ScanMailboxes(nil, nil); total != 0 || longest != 0 {
		t.Errorf("ScanMailboxes(nil, nil) = %d, %d; want 0, 0", total, longest)
	}
	node := otptest.NewNode(t)
	if _, err := node.Spawn(func(p *process.Proc) error { <-p.Done(); return nil }, process.WithName("held")); err != nil {
		t.Fatal(err)
	}
	metricmap.ScanMailboxes(node, nil) // a nil callback is not called
	var nilNames *metricmap.Names
	nilNames.Observe(bridge.EventProcessExited, telemetry.Metadata{"pid": "not a pid"})
	if got := nilNames.Name(process.PID{}); got != metricmap.UnknownName {
		t.Errorf("Name(zero PID) = %q; want %q", got, metricmap.UnknownName)
	}
	if got := (metricmap.Metric{Labels: []metricmap.Label{{Name: "s"}}}).LabelValues("", nil); len(got) != 1 || got[0] != "" {
		t.Errorf("LabelValues with nil metadata = %q; want one empty value", got)
	}
	if _, ok := (metricmap.Metric{Kind: metricmap.Gauge}).Value(nil); ok {
		t.Error("gauge Value(nil) reports a value; want none")
	}
}
