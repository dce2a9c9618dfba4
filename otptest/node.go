package otptest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// StopTimeout bounds the Stop that [NewNode]'s cleanup and [CheckStopped]
// run. The node kills what is still alive after half of it.
const StopTimeout = 5 * time.Second

// NewNode creates a node for the test t with opts and registers a
// t.Cleanup that calls [CheckStopped] on it. It fails the test at once
// (t.Fatalf) when the node cannot be created.
func NewNode(t testing.TB, opts ...process.Option) *process.Node {
	t.Helper()
	n, err := process.NewNode(opts...)
	if err != nil {
		t.Fatalf("otptest: process.NewNode: %v", err)
	}
	t.Cleanup(func() { CheckStopped(t, n) })
	return n
}

// CheckStopped stops n, bounded by [StopTimeout], waiting for it, and then
// fails the test (t.Errorf) if Stop returned an error other than
// [process.ErrStopped] (for example a *[process.StopError]), or if any
// process, zombie or timer is left. It may be called on a node the test
// already stopped: that Stop returns ErrStopped and the checks still run.
// It reports whether all checks passed; a nil n fails the test.
func CheckStopped(t testing.TB, n *process.Node) bool {
	t.Helper()
	if n == nil {
		t.Errorf("otptest: CheckStopped: %v", argerr.Nil("otptest: CheckStopped", "n"))
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), StopTimeout)
	defer cancel()
	ok := true
	if err := n.Stop(ctx); err != nil && !errors.Is(err, process.ErrStopped) {
		t.Errorf("otptest: node %d: Stop: %v%s", n.ID(), err, describeStopError(err))
		ok = false
	}
	st := n.Stats()
	if st.Processes > 0 {
		t.Errorf("otptest: node %d: %d processes alive after stop: %v", n.ID(), st.Processes, n.Processes())
		ok = false
	}
	if zs := n.Zombies(); len(zs) > 0 {
		t.Errorf("otptest: node %d: %d zombies after stop:%s", n.ID(), len(zs), describeZombies(zs))
		ok = false
	}
	if st.Timers > 0 {
		t.Errorf("otptest: node %d: %d timers pending after stop", n.ID(), st.Timers)
		ok = false
	}
	return ok
}

func describeStopError(err error) string {
	var se *process.StopError
	if !errors.As(err, &se) || len(se.Zombies) == 0 {
		return ""
	}
	return describeZombies(se.Zombies)
}

// maxStackLines bounds how much of a zombie's stack a failure shows.
const maxStackLines = 12

func describeZombies(zs []process.ZombieInfo) string {
	var b strings.Builder
	for _, z := range zs {
		fmt.Fprintf(&b, "\n\tzombie %v (behaviour %q, reason %s, since %v)",
			z.PID, z.Behaviour, process.FormatReason(z.Reason), z.Since.Format(time.RFC3339Nano))
		lines := strings.Split(strings.TrimSpace(z.Stack), "\n")
		if len(lines) > maxStackLines {
			lines = append(lines[:maxStackLines], "...")
		}
		for _, l := range lines {
			if l != "" {
				b.WriteString("\n\t\t" + l)
			}
		}
	}
	return b.String()
}

// SpawnIdle starts a process on n that does nothing until it is killed or
// the node stops, and fails the test if it cannot: the subject of a
// registration, a link or a monitor in a test. A nil n fails the test.
func SpawnIdle(t testing.TB, n *process.Node) process.PID {
	t.Helper()
	if n == nil {
		t.Fatalf("otptest.SpawnIdle: %v", argerr.Nil("otptest: SpawnIdle", "n"))
		return process.PID{}
	}
	pid, err := n.Spawn(func(p *process.Proc) error {
		<-p.Done()
		return nil
	})
	if err != nil {
		t.Fatalf("otptest.SpawnIdle: Spawn = %v; want nil", err)
	}
	return pid
}
