package supinfo_test

import (
	"context"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/supinfo"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

type worker struct{}

func (*worker) Init(*genserver.Self) error { return nil }

// Supervisors enter the table when they start, count their children's
// restarts there, and leave it when they exit.
func TestSupervisorsInTheTable(t *testing.T) {
	n := otptest.NewNode(t)
	root, err := supervisor.Start(n, supervisor.Spec{
		Flags: supervisor.Flags{Strategy: supervisor.RestForOne, MaxRestarts: 10, Period: time.Second},
		Children: []supervisor.ChildSpec{
			supervisor.GenServer("w", worker{}),
			supervisor.DynamicSubtree("pool", supervisor.DynamicSpec{}),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	sups := supinfo.List(n)
	if len(sups) != 2 || sups[0].PID != root || sups[0].Strategy != "rest_for_one" || sups[0].Dynamic ||
		sups[0].MaxRestarts != 10 || sups[0].Period != time.Second || !sups[1].Dynamic {
		t.Fatalf("List = %+v", sups)
	}
	kids, err := supervisor.WhichChildren(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	var w process.PID
	for _, k := range kids {
		if k.ID == "w" {
			w = k.PID
		}
	}
	if err := n.Exit(w, process.Kill); err != nil {
		t.Fatal(err)
	}
	otptest.Eventually(t, 5*time.Second, func() bool {
		s, ok := supinfo.Get(n, root)
		return ok && s.Restarts == 1 && s.Children["w"].Count == 1 && !s.LastRestart.IsZero()
	}, "the restart is counted")
	if err := supervisor.Stop(root, process.Shutdown, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	otptest.Eventually(t, 5*time.Second, func() bool { return len(supinfo.List(n)) == 0 }, "stopped supervisors leave the table")
	if _, ok := supinfo.Get(n, root); ok {
		t.Fatal("Get finds a stopped supervisor")
	}
}

func TestNilNode(t *testing.T) {
	r := supinfo.Add(nil, process.PID{}, "one_for_one", false, 1, time.Second)
	if r != nil {
		t.Fatalf("Add(nil) = %v, want no record", r)
	}
	r.Restarted("x", time.Now()) // a nil record counts nothing, without panicking
	if l := supinfo.List(nil); l != nil {
		t.Fatalf("List(nil) = %v", l)
	}
	if _, ok := supinfo.Get(nil, process.PID{}); ok {
		t.Fatal("Get(nil) found something")
	}
}
