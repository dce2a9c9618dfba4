package supervisor

import (
	"math/rand/v2"
	"testing"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// TestRunningIndex drives a runningIndex the way the static executor's
// transitions do (start, restart under a new PID, stop) with up to 4×
// scanMax children, so that it crosses from the scanned slice to the map,
// and checks every lookup against a plain map: each running child is found
// by its PID, a replaced or stopped PID by nobody.
func TestRunningIndex(t *testing.T) {
	const children = 4 * scanMax
	rng := rand.New(rand.NewPCG(1, 2))
	var x runningIndex
	want := map[process.PID]*child{}
	var dead []process.PID // PIDs no child runs under any more
	kids := make([]*child, children)
	for i := range kids {
		kids[i] = &child{}
	}
	next := uint64(0)
	newPID := func() process.PID { next++; return rt.PIDOf(1, next) }
	sawMap := false
	check := func(step int) {
		t.Helper()
		for pid, c := range want {
			if got := x.find(pid); got != c {
				t.Fatalf("step %d: find(%v) = %p; want %p", step, pid, got, c)
			}
		}
		for _, pid := range dead {
			if got := x.find(pid); got != nil {
				t.Fatalf("step %d: find(%v) = %p for a PID no child runs under", step, pid, got)
			}
		}
		if x.byPID == nil && len(x.few) > scanMax {
			t.Fatalf("step %d: the slice holds %d children; want at most %d", step, len(x.few), scanMax)
		}
		sawMap = sawMap || x.byPID != nil
	}
	for step := range 4000 {
		c := kids[rng.IntN(len(kids))]
		pid := newPID()
		switch running := c.state == stateRunning; {
		case !running: // started (setRunning of a stopped child)
			x.add(c, pid)
		case rng.IntN(3) > 0: // restarted (setRunning of a running child)
			dead = append(dead, c.pid)
			delete(want, c.pid)
			x.repid(c, pid)
		default: // stopped, restarting or removed
			dead = append(dead, c.pid)
			delete(want, c.pid)
			x.remove(c)
			c.pid, c.state = process.PID{}, stateStopped
			check(step)
			continue
		}
		c.pid, c.state = pid, stateRunning
		want[pid] = c
		check(step)
	}
	if !sawMap {
		t.Fatalf("the index never switched to its map with %d children", children)
	}
}
