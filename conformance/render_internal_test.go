package conformance

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

var update = flag.Bool("update", false, "rewrite testdata/render.golden")

// TestRenderGolden renders reasons and API results the way the trace
// shows them and compares with testdata/render.golden (one "case: value"
// per line). Run with -update to rewrite the golden file on purpose.
func TestRenderGolden(t *testing.T) {
	pid := process.PID{}
	node, err := process.NewNode()
	if err != nil {
		t.Fatal(err)
	}
	defer node.Stop(t.Context())
	live, err := node.Spawn(func(p *process.Proc) error { <-p.Context().Done(); return nil })
	if err != nil {
		t.Fatal(err)
	}
	boom := ExitReason(Atom("boom"))
	failed := &supervisor.StartChildError{ID: "b", Reason: errInitError}
	nested := process.ShutdownWith(&supervisor.StartChildError{ID: "sub", Reason: process.ShutdownWith(failed)})
	noproc := &genserver.CallError{Reason: process.NoProc}
	cases := []struct {
		name string
		term Term
	}{
		{"reason nil", ReasonTerm(nil)},
		{"reason boom", ReasonTerm(boom)},
		{"reason normal", ReasonTerm(ExitReason(Atom("normal")))},
		{"reason shutdown", ReasonTerm(ExitReason(Atom("shutdown")))},
		{"reason shutdown tuple", ReasonTerm(ExitReason(Tuple{Atom("shutdown"), Atom("x")}))},
		{"reason killed", ReasonTerm(process.Killed)},
		{"reason init_error", ReasonTerm(&genserver.InitError{Reason: errInitError})},
		{"reason list", ReasonTerm(ExitReason(List{Atom("a"), Int(42)}))},
		{"reason boot failure", ReasonTerm(process.ShutdownWith(failed))},
		{"start_link ok", startLinkResult(live, nil)},
		{"start_link failed", startLinkResult(pid, process.ShutdownWith(failed))},
		{"start_link nested", startLinkResult(pid, nested)},
		{"start_child ok", startChildResult(true, live, nil)},
		{"start_child ignore", startChildResult(true, pid, nil)},
		{"start_child already_started", startChildResult(true, pid, &supervisor.AlreadyStartedError{ID: "n", PID: live})},
		{"start_child already_present", startChildResult(true, pid, supervisor.ErrAlreadyPresent)},
		{"start_child static failed", startChildResult(true, pid, &supervisor.StartChildError{ID: "bad", Reason: errInitError})},
		{"start_child dynamic failed", startChildResult(false, pid, &supervisor.StartChildError{ID: "w3", Reason: errInitError})},
		{"start_child dynamic bare", startChildResult(false, pid, errInitCrash)},
		{"start_child max_children", startChildResult(false, pid, supervisor.ErrMaxChildren)},
		{"restart_child failed", restartChildResult(pid, &supervisor.StartChildError{ID: "a", Reason: errInitError})},
		{"restart_child running", restartChildResult(pid, supervisor.ErrRunning)},
		{"restart_child restarting", restartChildResult(pid, supervisor.ErrRestarting)},
		{"restart_child sofo", restartChildResult(pid, supervisor.ErrSimpleOneForOne)},
		{"terminate_child ok", okResult(nil)},
		{"terminate_child not_found", okResult(supervisor.ErrNotFound)},
		{"which_children static", whichChildrenStatic([]supervisor.Child{
			{ID: "c", PID: live, Status: supervisor.Running, Type: supervisor.Worker},
			{ID: "s", Status: supervisor.Stopped, Type: supervisor.SupervisorChild},
			{ID: "a", Status: supervisor.Restarting, Type: supervisor.Worker},
		})},
		{"which_children static empty", whichChildrenStatic(nil)},
		{"which_children dynamic", whichChildrenDynamic([]supervisor.Child{
			{PID: live, Status: supervisor.Running, Type: supervisor.Worker},
			{Status: supervisor.Restarting, Type: supervisor.Worker},
		}, func(process.PID) string { return "w2" })},
		{"count_children", countChildren(supervisor.Counts{Specs: 1, Active: 2, Workers: 2})},
	}
	var b strings.Builder
	for _, c := range cases {
		fmt.Fprintf(&b, "%s: %s\n", c.name, Render(c.term))
	}
	fmt.Fprintf(&b, "call noproc: %v\n", isNoProc(noproc))
	fmt.Fprintf(&b, "call wrapped noproc: %v\n", isNoProc(fmt.Errorf("x: %w", noproc)))
	fmt.Fprintf(&b, "call timeout noproc: %v\n", isNoProc(&genserver.CallError{Reason: genserver.ErrTimeout}))
	got := b.String()
	golden := filepath.Join("testdata", "render.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestRenderGolden -update to create it)", err)
	}
	if d := Compare(strings.Split(string(want), "\n"), strings.Split(got, "\n")); d != "" {
		t.Errorf("rendering differs from %s:\n%s", golden, d)
	}
}

func TestExitReasonRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		json string
		want error
	}{
		{`"normal"`, process.Normal},
		{`"shutdown"`, process.Shutdown},
		{`"kill"`, process.Kill},
		{`"boom"`, &TermError{Atom("boom")}},
	} {
		term, err := decodeTerm([]byte(tc.json))
		if err != nil {
			t.Fatal(err)
		}
		if got := ExitReason(term); !errors.Is(got, tc.want) {
			t.Errorf("ExitReason(%s) = %v; want %v", tc.json, got, tc.want)
		}
		if got := string(termJSON(term)); got != tc.json {
			t.Errorf("termJSON(decodeTerm(%s)) = %s", tc.json, got)
		}
	}
	if _, err := decodeTerm([]byte(`{"a":1,"b":2}`)); err == nil {
		t.Error("decodeTerm of a two-key object = nil error; want an error")
	}
}
