package supervisor

import (
	"errors"
	"slices"
	"testing"

	"github.com/seed-fe72f376/orchard/process"
)

func TestOnExitMatchesOTPDoRestart(t *testing.T) {
	crash := errors.New("crash")
	reasons := []struct {
		name   string
		reason error
		clean  bool
	}{
		{"normal", process.Normal, true},
		{"shutdown", process.Shutdown, true},
		{"shutdown-with", process.ShutdownWith(crash), true},
		{"error", crash, false},
		{"panic", &process.PanicError{Value: "boom"}, false},
		{"killed", process.Killed, false},
	}
	for _, r := range reasons {
		for _, c := range []struct {
			restart    Restart
			clean, bad exitAction
		}{
			{Permanent, restartChild, restartChild},
			{Transient, forget, restartChild},
			{Temporary, forget, reportAndForget},
		} {
			want := c.bad
			if r.clean {
				want = c.clean
			}
			if got := onExit(c.restart, r.reason); got != want {
				t.Errorf("onExit(%v, %s) = %d, want %d", c.restart, r.name, got, want)
			}
		}
	}
}

func TestRestartGroup(t *testing.T) {
	ids := []string{"a", "b", "c", "d"}
	cases := []struct {
		strategy Strategy
		id       string
		want     []string
	}{
		{OneForOne, "b", []string{"b"}},
		{OneForAll, "b", []string{"a", "b", "c", "d"}},
		{OneForAll, "d", []string{"a", "b", "c", "d"}},
		{RestForOne, "a", []string{"a", "b", "c", "d"}},
		{RestForOne, "c", []string{"c", "d"}},
		{RestForOne, "d", []string{"d"}},
		{RestForOne, "zz", nil},
	}
	for _, c := range cases {
		got := restartGroup(c.strategy, ids, c.id)
		if !slices.Equal(got, c.want) {
			t.Errorf("restartGroup(%v, %s) = %v, want %v", c.strategy, c.id, got, c.want)
		}
		if len(got) > 0 {
			got[0] = "changed"
			if ids[0] != "a" || ids[2] != "c" {
				t.Fatalf("restartGroup's result shares the ids array")
			}
			got[0] = c.want[0]
		}
	}
}
