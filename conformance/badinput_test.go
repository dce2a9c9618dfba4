package conformance_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/seed-fe72f376/orchard/otptest"

	"github.com/seed-fe72f376/orchard/conformance"
)

// nilCtx is a nil context, passed on purpose: it is bad input.
var nilCtx context.Context

func TestBadInput(t *testing.T) {
	inv := conformance.ErrInvalidArgument
	bg := context.Background()
	decode := func(s string) func() error {
		return func() error { _, err := conformance.Decode(strings.NewReader(s)); return err }
	}
	var nilTree *conformance.Tree
	var nilChild *conformance.ChildSpec

	cases := []struct {
		name string
		call func() error
		want error
	}{
		{"Load(\"\")", func() error { _, err := conformance.Load(""); return err }, inv},
		{"Decode(nil)", func() error { _, err := conformance.Decode(nil); return err }, inv},
		{"Decode(empty)", decode(``), inv},
		{"Decode(not JSON)", decode(`{`), inv},
		{"Decode(unknown key)", decode(`{"tree":{},"bogus":1}`), inv},
		{"Decode(invalid)", decode(`{"tree":{"strategy":"none"}}`), inv},
		{"Decode(trailing data)", decode(`{"tree":{}} {}`), inv},
		{"Run(nil ctx)", func() error { _, err := conformance.Run(nilCtx, &conformance.Scenario{}, nil); return err }, inv},
		{"Run(nil scenario)", func() error { _, err := conformance.Run(bg, nil, nil); return err }, inv},
		{"Run(invalid scenario)", func() error {
			_, err := conformance.Run(bg, &conformance.Scenario{Tree: conformance.Tree{Strategy: "none"}}, nil)
			return err
		}, inv},
		{"Run(start_child without value)", func() error {
			_, err := conformance.Run(bg, &conformance.Scenario{Steps: []conformance.Step{{Action: conformance.ActionStartChild}}}, nil)
			return err
		}, inv},
		{"nil Validate", func() error { return (*conformance.Scenario)(nil).Validate() }, inv},
		{"WriteTrace(nil)", func() error { return conformance.WriteTrace(nil, []string{"x"}) }, inv},
		{"RealClock.Sleep(nil ctx)", func() error { return conformance.RealClock{}.Sleep(nilCtx, 1) }, inv},
		{"nil Step.UnmarshalJSON", func() error { return (*conformance.Step)(nil).UnmarshalJSON([]byte(`{}`)) }, inv},
		{"nil Shutdown.UnmarshalJSON", func() error { return (*conformance.Shutdown)(nil).UnmarshalJSON([]byte(`1`)) }, inv},
		{"nil InitAttempt.UnmarshalJSON", func() error { return (*conformance.InitAttempt)(nil).UnmarshalJSON([]byte(`"ok"`)) }, inv},
		{"nil Tree accessors", func() error {
			got := []string{nilTree.RootPath(), nilTree.StrategyName(), nilTree.AutoShutdownName(),
				fmt.Sprint(nilTree.IntensityValue(), nilTree.PeriodValue())}
			if want := []string{"root", "one_for_one", "never", "1 5000"}; fmt.Sprint(got) != fmt.Sprint(want) {
				return fmt.Errorf("got %v; want the defaults %v", got, want)
			}
			return nil
		}, nil},
		{"nil ChildSpec accessors", func() error {
			got := fmt.Sprint(nilChild.TypeName(), nilChild.RestartName(), nilChild.ShutdownValue(), nilChild.BehaviorValue())
			if want := fmt.Sprint("worker", "permanent", conformance.Shutdown{MS: 5000}, conformance.Behavior{}); got != want {
				return fmt.Errorf("got %v; want the defaults %v", got, want)
			}
			return nil
		}, nil},
		{"Render(nil inside)", func() error {
			if got := conformance.Render(conformance.Tuple{conformance.Atom("a"), nil}); got != "{a,undefined}" {
				return fmt.Errorf("got %q", got)
			}
			return nil
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := otptest.NoPanic(tc.call)
			switch {
			case tc.want == nil && err != nil:
				t.Fatalf("%s = %v; want nil", tc.name, err)
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Fatalf("%s = %v; want an error matching %v", tc.name, err, tc.want)
			}
		})
	}
}
