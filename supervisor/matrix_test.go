package supervisor_test

import (
	"context"
	"errors"
	"testing"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// exitCase makes a running worker exit with one reason.
type exitCase struct {
	name  string
	clean bool // normal, shutdown or {shutdown, _}
	do    func(k *kit, pid process.PID)
}

func castExit(reason error) func(*kit, process.PID) {
	return func(_ *kit, pid process.PID) { _ = genserver.Cast(pid, exitWith{reason}) }
}

var exitCases = []exitCase{
	{name: "normal", clean: true, do: castExit(process.Normal)},
	{name: "shutdown", clean: true, do: castExit(process.Shutdown)},
	{name: "shutdown_tuple", clean: true, do: castExit(process.ShutdownWith("x"))},
	{name: "error", do: castExit(errors.New("boom"))},
	{name: "panic", do: func(_ *kit, pid process.PID) { _ = genserver.Cast(pid, panicNow{}) }},
	{name: "kill", do: func(k *kit, pid process.PID) { _ = k.node.Exit(pid, process.Kill) }},
	// The child stops itself with Kill (OTP's {stop, kill}): the
	// supervisor traps it as an ordinary abnormal exit.
	{name: "own_kill", do: castExit(process.Kill)},
}

// TestChildKillReasons: the supervisor sees the reason kill for a child
// that stopped itself with Kill and killed for a child sent Kill, as OTP
// 25's supervisor does; both are abnormal exits that restart the child.
func TestChildKillReasons(t *testing.T) {
	for _, tc := range []struct {
		name string
		kill func(k *kit, pid process.PID)
		want error
	}{
		{"own_kill", castExit(process.Kill), process.Kill},
		{"sent_kill", func(k *kit, pid process.PID) { _ = k.node.Exit(pid, process.Kill) }, process.Killed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := newKit(t)
			reasons := make(chan error, 1)
			opts := []supervisor.Option{quiet, supervisor.WithEventHook(func(e supervisor.Event) {
				if r, ok := e.(supervisor.ChildRestarting); ok {
					reasons <- r.Reason
				}
			})}
			sup, err := supervisor.Start(k.node, supervisor.Spec{Flags: flags(supervisor.OneForOne),
				Children: []supervisor.ChildSpec{k.spec("b", supervisor.Transient)}}, opts...)
			if err != nil {
				t.Fatal(err)
			}
			old := pidOf(t, sup, "b")
			tc.kill(k, old)
			if r := <-reasons; r != tc.want {
				t.Errorf("ChildRestarting.Reason = %v; want %v", r, tc.want)
			}
			if now := pidOf(t, sup, "b"); now == old {
				t.Errorf("transient b not restarted after exiting with %v", tc.want)
			}
		})
	}
}

var restartTypes = []supervisor.Restart{supervisor.Permanent, supervisor.Transient, supervisor.Temporary}

// strategies of the matrix; "dynamic" is a per-spec dynamic supervisor.
var matrixStrategies = []string{"one_for_one", "one_for_all", "rest_for_one", "dynamic"}

// TestRestartMatrix is OTP's supervisor_SUITE restart matrix (FORMAT.md
// 4.1, 4.2): three children a, b, c; b exits. Whether b is restarted
// depends on its restart type and the exit reason; which siblings are
// restarted with it depends on the strategy; a temporary b, and a
// transient b of a dynamic supervisor that exits cleanly, are forgotten;
// a transient b of a static supervisor that exits cleanly keeps its spec.
func TestRestartMatrix(t *testing.T) {
	for _, restart := range restartTypes {
		for _, ec := range exitCases {
			for _, strat := range matrixStrategies {
				t.Run(restart.String()+"/"+ec.name+"/"+strat, func(t *testing.T) {
					t.Parallel()
					k := newKit(t)
					if strat == "dynamic" {
						testMatrixDynamic(t, k, restart, ec)
						return
					}
					testMatrixStatic(t, k, restart, ec, strategyNamed(strat))
				})
			}
		}
	}
}

func strategyNamed(name string) supervisor.Strategy {
	for _, s := range []supervisor.Strategy{supervisor.OneForOne, supervisor.OneForAll, supervisor.RestForOne} {
		if s.String() == name {
			return s
		}
	}
	panic("unknown strategy " + name)
}

func testMatrixStatic(t *testing.T, k *kit, restart supervisor.Restart, ec exitCase, strat supervisor.Strategy) {
	sup := k.start(supervisor.Spec{Flags: flags(strat), Children: []supervisor.ChildSpec{
		k.spec("a", supervisor.Permanent), k.spec("b", restart), k.spec("c", supervisor.Permanent),
	}})
	before := children(t, sup)
	ec.do(k, before["b"].PID)
	k.waitEvent("exit b", 1)
	after := children(t, sup)

	restarted := restart == supervisor.Permanent || restart == supervisor.Transient && !ec.clean
	wantNew := map[string]bool{
		"a": restarted && strat == supervisor.OneForAll,
		"b": restarted,
		"c": restarted && strat != supervisor.OneForOne,
	}
	for _, id := range []string{"a", "b", "c"} {
		old, now := before[id], after[id]
		switch _, present := after[id]; {
		case id == "b" && !restarted && restart == supervisor.Temporary:
			if present {
				t.Errorf("temporary b still listed after exit: %+v; want its spec removed", now)
			}
		case id == "b" && !restarted:
			if !present || now.Status != supervisor.Stopped || !now.PID.IsZero() {
				t.Errorf("b = %+v (present %v); want its spec kept, stopped, no pid", now, present)
			}
		case wantNew[id]:
			if !present || now.Status != supervisor.Running || now.PID == old.PID || now.PID.IsZero() {
				t.Errorf("%s = %+v, was %v; want restarted with a new pid", id, now, old.PID)
			}
			if k.node.IsAlive(old.PID) {
				t.Errorf("old %s %v still alive after restart", id, old.PID)
			}
		default:
			if now.PID != old.PID || now.Status != supervisor.Running {
				t.Errorf("%s = %+v, was %v; want it untouched", id, now, old.PID)
			}
		}
	}
	wantSpecs, wantActive := 3, 3
	if !restarted {
		wantActive = 2
		if restart == supervisor.Temporary {
			wantSpecs = 2
		}
	}
	want := supervisor.Counts{Specs: wantSpecs, Active: wantActive, Workers: wantSpecs}
	if got := counts(t, sup); got != want {
		t.Errorf("CountChildren = %+v; want %+v", got, want)
	}
}

func testMatrixDynamic(t *testing.T, k *kit, restart supervisor.Restart, ec exitCase) {
	sup, err := supervisor.StartDynamic(k.node, supervisor.DynamicSpec{Flags: flags(supervisor.OneForOne)}, k.opts()...)
	if err != nil {
		t.Fatalf("StartDynamic = %v", err)
	}
	ctx := context.Background()
	pids := map[string]process.PID{}
	for _, id := range []string{"a", "b", "c"} {
		r := supervisor.Permanent
		if id == "b" {
			r = restart
		}
		pid, err := supervisor.StartDynamicChild(ctx, sup, k.spec(id, r))
		if err != nil {
			t.Fatalf("StartDynamicChild(%s) = %v", id, err)
		}
		pids[id] = pid
	}
	ec.do(k, pids["b"])
	k.waitEvent("exit b", 1)

	restarted := restart == supervisor.Permanent || restart == supervisor.Transient && !ec.clean
	kids, err := supervisor.WhichChildren(ctx, sup)
	if err != nil {
		t.Fatalf("WhichChildren = %v", err)
	}
	listed := map[process.PID]bool{}
	var fresh []process.PID
	for _, c := range kids {
		if c.Status != supervisor.Running || c.ID != "" {
			t.Errorf("dynamic child %+v; want running, no id", c)
		}
		listed[c.PID] = true
		if c.PID != pids["a"] && c.PID != pids["b"] && c.PID != pids["c"] {
			fresh = append(fresh, c.PID)
		}
	}
	if !listed[pids["a"]] || !listed[pids["c"]] {
		t.Errorf("WhichChildren = %+v; want a %v and c %v untouched", kids, pids["a"], pids["c"])
	}
	if listed[pids["b"]] {
		t.Errorf("WhichChildren lists the dead b %v", pids["b"])
	}
	wantFresh, wantN := 0, 2
	if restarted {
		wantFresh, wantN = 1, 3
	}
	if len(fresh) != wantFresh || len(kids) != wantN {
		t.Errorf("WhichChildren = %+v; want %d children, %d of them new", kids, wantN, wantFresh)
	}
	want := supervisor.Counts{Specs: wantN, Active: wantN, Workers: wantN}
	if got := counts(t, sup); got != want {
		t.Errorf("CountChildren = %+v; want %+v", got, want)
	}
}
