package live_test

import (
	"errors"
	"testing"

	"github.com/seed-fe72f376/orchard/internal/live"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

func TestTarget(t *testing.T) {
	node := otptest.NewNode(t)
	pid, err := node.Spawn(func(p *process.Proc) error { <-p.Context().Done(); return nil }, process.WithName("alive"))
	if err != nil {
		t.Fatal(err)
	}
	dead, err := node.Spawn(func(*process.Proc) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	mon, err := rt.Lookup(dead)
	if err == nil {
		<-mon.Done()
	}
	for _, tc := range []struct {
		name string
		dest process.Dest
		want process.PID
	}{
		{"pid", pid, pid},
		{"name", node.Name("alive"), pid},
		{"dead pid", dead, process.PID{}},
		{"unregistered name", node.Name("nobody"), process.PID{}},
	} {
		tg, err := live.Target(tc.dest)
		if tc.want.IsZero() {
			if !errors.Is(err, process.NoProc) {
				t.Errorf("%s: Target = %v, %v; want an error matching NoProc", tc.name, tg.PID(), err)
			}
			continue
		}
		if err != nil || tg.PID() != tc.want {
			t.Errorf("%s: Target = %v, %v; want %v", tc.name, tg.PID(), err, tc.want)
		}
	}
}
