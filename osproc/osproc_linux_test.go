//go:build linux

package osproc_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/osproc"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

func TestOutputAndNormalExit(t *testing.T) {
	needSh(t)
	node := otptest.NewNode(t)
	pr := otptest.NewProbe(t, node)
	pid, err := osproc.Start(node, osproc.Command{
		Path:  "sh",
		Args:  []string{"-c", `echo "$GREETING"; pwd; echo oops >&2; printf tail`},
		Env:   []string{"GREETING=hello world"},
		Dir:   "/",
		Owner: pr.PID(),
	})
	if err != nil {
		t.Fatal(err)
	}
	lines, ex := collect(t, pr)
	var out, errs []string
	for _, l := range lines {
		if strings.HasPrefix(l, "stdout:") {
			out = append(out, l)
		} else {
			errs = append(errs, l)
		}
	}
	if d := otptest.Diff([]string{"stdout:hello world", "stdout:/", "stdout:tail"}, out); d != "" {
		t.Errorf("stdout: %s", d)
	}
	if d := otptest.Diff([]string{"stderr:oops"}, errs); d != "" {
		t.Errorf("stderr: %s", d)
	}
	if ex.PID != pid || ex.Reason != process.Normal {
		t.Errorf("Exited = %+v; want pid %v, reason Normal", ex, pid)
	}
	if !gone(ex.OSPID) {
		t.Errorf("command %d still exists (state %c)", ex.OSPID, procState(ex.OSPID))
	}
}

func TestExitStatusAndSignal(t *testing.T) {
	needSh(t)
	node := otptest.NewNode(t)
	pr := otptest.NewProbe(t, node)
	for _, tc := range []struct {
		script string
		code   int
		sig    syscall.Signal
	}{
		{"exit 3", 3, 0},
		{"kill -USR1 $$", -1, syscall.SIGUSR1},
	} {
		ref := pr.Monitor(mustStart(t, node, osproc.Command{Path: "sh", Args: []string{"-c", tc.script}, Owner: pr.PID()}))
		_, ex := collect(t, pr)
		ee, err := exitErr(ex.Reason)
		if err != nil {
			t.Fatalf("%s: reason %v: %v", tc.script, ex.Reason, err)
		}
		if ee.Code != tc.code || ee.Signal != tc.sig || !errors.Is(ex.Reason, osproc.ErrExited) || errors.Is(ex.Reason, osproc.ErrTimeout) {
			t.Errorf("%s: %+v; want code %d signal %v", tc.script, ee, tc.code, tc.sig)
		}
		// The monitor may come after the end (noproc).
		if d := pr.ExpectDown(t, wait); d.Ref != ref || (d.Reason != ex.Reason && d.Reason != process.NoProc) {
			t.Errorf("%s: Down %+v; want the exit reason %v", tc.script, d, ex.Reason)
		}
	}
}

func mustStart(t *testing.T, node *process.Node, c osproc.Command) process.PID {
	t.Helper()
	pid, err := osproc.Start(node, c)
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

func TestStartError(t *testing.T) {
	node := otptest.NewNode(t)
	_, err := osproc.Start(node, osproc.Command{Path: "osproc-no-such-program"})
	var se *osproc.StartError
	if !errors.As(err, &se) || !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("Start of a missing program: %v; want a *StartError matching exec.ErrNotFound", err)
	}
	_, err = osproc.Start(node, osproc.Command{Path: "/bin/true", Dir: "/osproc/no/such/dir"})
	if !errors.As(err, &se) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Start in a missing dir: %v; want a *StartError matching fs.ErrNotExist", err)
	}
}

// TestStdinWriterEndsWithTheCommand: a command started with Stdin ends
// with its stdin writer, also when it ends normally (a normal exit does
// not take linked processes with it): no process is left behind.
func TestStdinWriterEndsWithTheCommand(t *testing.T) {
	needSh(t, "true")
	node := otptest.NewNode(t)
	pr := otptest.NewProbe(t, node)
	before := node.Stats().Processes
	mustStart(t, node, osproc.Command{Path: "true", Stdin: true, Owner: pr.PID()})
	if _, ex := collect(t, pr); ex.Reason != process.Normal {
		t.Fatalf("true ended with %v; want Normal", ex.Reason)
	}
	otptest.Eventually(t, wait, func() bool { return node.Stats().Processes == before },
		"the command's process and its helpers are gone once it ended")
}

func TestStdin(t *testing.T) {
	needSh(t, "cat")
	node := otptest.NewNode(t)
	pr := otptest.NewProbe(t, node)
	pid := mustStart(t, node, osproc.Command{Path: "cat", Stdin: true, Owner: pr.PID()})
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := osproc.Write(ctx, pid, []byte("one\ntwo\n")); err != nil {
		t.Fatal(err)
	}
	if got := nextLine(t, pr); got != "one" {
		t.Errorf("first line %q; want one", got)
	}
	if got := nextLine(t, pr); got != "two" {
		t.Errorf("second line %q; want two", got)
	}
	if err := osproc.CloseStdin(ctx, pid); err != nil {
		t.Fatal(err)
	}
	if err := osproc.Write(ctx, pid, []byte("late")); !errors.Is(err, osproc.ErrNoStdin) && !errors.Is(err, osproc.ErrNotRunning) {
		t.Errorf("Write after CloseStdin: %v; want ErrNoStdin or ErrNotRunning", err)
	}
	if _, ex := collect(t, pr); ex.Reason != process.Normal {
		t.Errorf("cat ended with %v; want Normal after end of input", ex.Reason)
	}
	if err := osproc.Write(ctx, pid, []byte("x")); !errors.Is(err, osproc.ErrNotRunning) {
		t.Errorf("Write to an ended command: %v; want ErrNotRunning", err)
	}
	noStdin := mustStart(t, node, osproc.Command{Path: "sleep", Args: []string{"30"}})
	killLeftover(t, ospid(t, noStdin))
	if err := osproc.Write(ctx, noStdin, []byte("x")); !errors.Is(err, osproc.ErrNoStdin) {
		t.Errorf("Write without Stdin: %v; want ErrNoStdin", err)
	}
	_ = node.Exit(noStdin, process.Kill)
}

// TestRestartOneForOne: a command that crashes is restarted by its
// supervisor as a process is, its sibling untouched.
func TestRestartOneForOne(t *testing.T) {
	needSh(t)
	node := otptest.NewNode(t)
	pr := otptest.NewProbe(t, node)
	counter := t.TempDir() + "/runs"
	// Crashes on its first two runs, then stays up.
	script := `n=$(cat "$1" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$1"; echo run $n; [ $n -ge 3 ] && exec sleep 300; exit 7`
	restarts := make(chan supervisor.ChildRestarting, 8)
	sup, err := supervisor.Start(node, supervisor.Spec{
		Flags: supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 5, Period: time.Minute},
		Children: []supervisor.ChildSpec{
			osproc.Child("sibling", osproc.Command{Path: "sleep", Args: []string{"300"}}),
			osproc.Child("crasher", osproc.Command{Path: "sh", Args: []string{"-c", script, "sh", counter}, Owner: pr.PID()}),
		},
	}, supervisor.WithEventHook(func(e supervisor.Event) {
		if r, ok := e.(supervisor.ChildRestarting); ok {
			select {
			case restarts <- r:
			default:
			}
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	before := children(ctx, t, sup)
	var runs []string
	for len(runs) < 3 {
		if o, ok := pr.Expect(t, wait).(osproc.Output); ok {
			runs = append(runs, string(o.Data))
		}
	}
	if d := otptest.Diff([]string{"run 1", "run 2", "run 3"}, runs); d != "" {
		t.Errorf("runs: %s", d)
	}
	for range 2 {
		select {
		case r := <-restarts:
			if r.ID != "crasher" || !errors.Is(r.Reason, osproc.ErrExited) {
				t.Errorf("restart %+v; want crasher after an ExitError", r)
			}
		case <-time.After(wait):
			t.Fatal("no restart event")
		}
	}
	after := children(ctx, t, sup)
	if before["sibling"] != after["sibling"] {
		t.Errorf("sibling restarted under one_for_one: %v -> %v", before["sibling"], after["sibling"])
	}
	if before["crasher"] == after["crasher"] {
		t.Errorf("crasher not restarted: %v", after["crasher"])
	}
	pids := []int{ospid(t, after["sibling"]), ospid(t, after["crasher"])}
	if err := supervisor.Stop(sup, process.Shutdown, wait); err != nil {
		t.Fatal(err)
	}
	for _, p := range pids {
		otptest.Eventually(t, wait, func() bool { return gone(p) }, "command %d left after the supervisor stopped", p)
	}
}

func children(ctx context.Context, t *testing.T, sup process.PID) map[string]process.PID {
	t.Helper()
	cs, err := supervisor.WhichChildren(ctx, sup)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]process.PID{}
	for _, c := range cs {
		m[c.ID] = c.PID
	}
	return m
}

// TestShutdownEscalation: a command that ignores SIGTERM gets SIGKILL
// when the child spec's Shutdown passes, not before.
func TestShutdownEscalation(t *testing.T) {
	needSh(t)
	node := otptest.NewNode(t)
	pr := otptest.NewProbe(t, node)
	const shutdown = 700 * time.Millisecond
	// The shell handles TERM by saying so and going on. It waits with the
	// wait builtin, which a trapped signal interrupts at once (a
	// foreground sleep would delay the trap until it ends).
	script := `trap 'echo term' TERM; echo ready; while :; do sleep 1 & wait; done`
	spec := osproc.Child("stubborn", osproc.Command{Path: "sh", Args: []string{"-c", script}, Owner: pr.PID()}).
		WithShutdown(supervisor.Shutdown(shutdown))
	sup, err := supervisor.Start(node, supervisor.Spec{Children: []supervisor.ChildSpec{spec}})
	if err != nil {
		t.Fatal(err)
	}
	if got := nextLine(t, pr); got != "ready" {
		t.Fatalf("first line %q; want ready", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	child := children(ctx, t, sup)["stubborn"]
	osPID := ospid(t, child)
	killLeftover(t, osPID)
	begin := time.Now()
	if err := supervisor.TerminateChild(ctx, sup, "stubborn"); err != nil {
		t.Fatal(err)
	}
	took := time.Since(begin)
	// The shell may also report its sleep killed by the SIGTERM sent to
	// the whole group ("Terminated").
	var after []string
	// Once the child is gone, its readers are too: what it said has
	// arrived.
	pr.Sync()
	for range pr.Len() {
		if o, ok := pr.Expect(t, wait).(osproc.Output); ok {
			after = append(after, string(o.Data))
		}
	}
	if !slices.Contains(after, "term") {
		t.Errorf("lines after shutdown %q; want term (SIGTERM first)", after)
	}
	if took < shutdown {
		t.Errorf("the command was stopped after %v, before the shutdown timeout %v", took, shutdown)
	}
	otptest.Eventually(t, wait, func() bool { return gone(osPID) }, "command %d survived its shutdown", osPID)
	if took > shutdown+wait/2 {
		t.Errorf("stop took %v; want about %v", took, shutdown)
	}
}

// TestRunTimeout: the run timeout stops the command with SIGTERM and the
// exit reason says so.
func TestRunTimeout(t *testing.T) {
	node := otptest.NewNode(t)
	pr := otptest.NewProbe(t, node)
	mustStart(t, node, osproc.Command{Path: "sleep", Args: []string{"300"}, Timeout: 50 * time.Millisecond, Owner: pr.PID()})
	_, ex := collect(t, pr)
	ee, err := exitErr(ex.Reason)
	if err != nil || !errors.Is(ex.Reason, osproc.ErrTimeout) || ee.Signal != syscall.SIGTERM {
		t.Errorf("reason %v; want an ExitError matching ErrTimeout, killed by SIGTERM", ex.Reason)
	}
}

// TestNoOrphanAfterStop: stopping a command's process stops its whole
// process group (here a shell and its background child) and reaps it.
func TestNoOrphanAfterStop(t *testing.T) {
	needSh(t)
	subreaper(t)
	node := otptest.NewNode(t)
	pr := otptest.NewProbe(t, node)
	pid := mustStart(t, node, osproc.Command{Path: "sh", Args: []string{"-c", `sleep 300 & echo $!; wait`}, Owner: pr.PID()})
	leader := ospid(t, pid)
	grandchild, err := strconv.Atoi(nextLine(t, pr))
	if err != nil {
		t.Fatal(err)
	}
	killLeftover(t, grandchild)
	killLeftover(t, leader)
	ref := pr.Monitor(pid)
	if err := node.Exit(pid, process.Shutdown); err != nil {
		t.Fatal(err)
	}
	_, ex := collect(t, pr)
	if ex.Reason != process.Shutdown {
		t.Errorf("reason %v; want the exit signal's reason, shutdown", ex.Reason)
	}
	if d := pr.ExpectDown(t, wait); d.Ref != ref {
		t.Errorf("Down %+v", d)
	}
	for _, p := range []int{leader, grandchild} {
		otptest.Eventually(t, wait, func() bool { return gone(p) }, "OS process %d left after stop", p)
	}
}

// TestNoOrphanAfterOwnerPanic: the command is linked to its owner; when
// the owner panics, the command is stopped and reaped.
func TestNoOrphanAfterOwnerPanic(t *testing.T) {
	node := otptest.NewNode(t)
	pr := otptest.NewProbe(t, node)
	got := make(chan process.PID, 1)
	owner, err := node.Spawn(func(p *process.Proc) error {
		pid, err := osproc.StartLink(p, osproc.Command{Path: "sleep", Args: []string{"300"}, Owner: p.PID()})
		if err != nil {
			return err
		}
		got <- pid
		if _, err := p.Receive(p.Context()); err != nil {
			return err
		}
		panic("owner fails")
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := <-got
	osPID := ospid(t, cmd)
	killLeftover(t, osPID)
	pr.Monitor(cmd)
	if err := pr.Send(owner, "crash"); err != nil {
		t.Fatal(err)
	}
	d := pr.ExpectDown(t, wait)
	var pe *process.PanicError
	if !errors.As(d.Reason, &pe) {
		t.Errorf("command ended with %v; want its owner's panic", d.Reason)
	}
	otptest.Eventually(t, wait, func() bool { return gone(osPID) }, "command %d survived its owner", osPID)
}

// TestNoOrphanAfterKill9 re-executes the test binary as a child that
// starts a command; killing that child with SIGKILL must take the command
// with it (parent-death signal).
func TestNoOrphanAfterKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("osproc: re-executes the test binary")
	}
	subreaper(t)
	self, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	helper := exec.Command(self, "-test.run=^$")
	helper.Env = append(os.Environ(), helperEnv+"=1")
	stdin, err := helper.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	out, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = helper.Process.Kill()
		_ = helper.Wait()
		t.Fatalf("helper: %v", err)
	}
	cmd, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		_ = helper.Process.Kill()
		_ = helper.Wait()
		t.Fatalf("helper said %q", line)
	}
	killLeftover(t, cmd)
	if st := procState(cmd); st == 0 || st == 'Z' {
		t.Fatalf("command %d not running before the kill (state %c)", cmd, st)
	}
	if err := helper.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = helper.Wait()
	otptest.Eventually(t, wait, func() bool { return gone(cmd) }, "command %d outlived the kill -9 of its Go program", cmd)
}

// TestOutputFloodBounded: a command far faster than its owner fills the
// owner's mailbox up to MaxPending and no further (Drop), or waits for it
// (Block).
func TestOutputFloodBounded(t *testing.T) {
	needSh(t, "seq")
	const lines, bound = 20000, 100
	for _, policy := range []osproc.Overflow{osproc.Drop, osproc.Block} {
		node := otptest.NewNode(t)
		release := make(chan struct{})
		type tally struct {
			outputs, dropped int
			last             string
			ex               osproc.Exited
		}
		res := make(chan tally, 1)
		owner, err := node.Spawn(func(p *process.Proc) error {
			select {
			case <-release:
			case <-p.Context().Done():
				return nil
			}
			var tl tally
			for {
				m, err := p.Receive(p.Context())
				if err != nil {
					return nil
				}
				switch m := m.(type) {
				case osproc.Output:
					tl.outputs++
					tl.dropped += int(m.Dropped)
					tl.last = string(m.Data)
				case osproc.Exited:
					tl.ex = m
					res <- tl
					return nil
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		cmd := mustStart(t, node, osproc.Command{
			Path: "seq", Args: []string{strconv.Itoa(lines)},
			Owner: owner, MaxPending: bound, Overflow: policy,
		})
		mailbox := func() int {
			info, err := node.Info(owner)
			if err != nil {
				return -1
			}
			return info.MailboxLen
		}
		if policy == osproc.Drop {
			otptest.Eventually(t, wait, func() bool { return !node.IsAlive(cmd) }, "seq still running")
		} else {
			otptest.Eventually(t, wait, func() bool { return mailbox() >= bound })
			if !node.IsAlive(cmd) {
				t.Fatal("Block: the command ended while its owner read nothing")
			}
		}
		if n := mailbox(); n > bound+1 {
			t.Errorf("%v: owner mailbox held %d messages; bound %d", policy, n, bound)
		}
		close(release)
		var tl tally
		select {
		case tl = <-res:
		case <-time.After(wait):
			t.Fatal("no Exited")
		}
		if tl.ex.Reason != process.Normal {
			t.Errorf("%v: seq ended with %v", policy, tl.ex.Reason)
		}
		switch policy {
		case osproc.Drop:
			if tl.outputs > bound || tl.ex.DroppedStdout == 0 || tl.outputs+int(tl.ex.DroppedStdout) != lines {
				t.Errorf("Drop: %d delivered + %d dropped; want at most %d delivered, %d in all", tl.outputs, tl.ex.DroppedStdout, bound, lines)
			}
		case osproc.Block:
			if tl.outputs != lines || tl.ex.DroppedStdout != 0 || tl.last != strconv.Itoa(lines) {
				t.Errorf("Block: %d delivered (last %q), %d dropped; want all %d", tl.outputs, tl.last, tl.ex.DroppedStdout, lines)
			}
		}
		otptest.CheckStopped(t, node)
	}
}

// TestLimits: the limits are in place when the command starts, and the
// CPU limit kills a busy loop.
func TestLimits(t *testing.T) {
	needSh(t)
	node := otptest.NewNode(t)
	pr := otptest.NewProbe(t, node)
	_, err := osproc.Start(node, osproc.Command{
		Path:   "sh",
		Args:   []string{"-c", "ulimit -n; ulimit -v"},
		Owner:  pr.PID(),
		Limits: osproc.Limits{Files: 17, Memory: 512 << 20},
	})
	if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) {
		t.Skipf("osproc: limits need ptrace, which this system forbids: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	lines, ex := collect(t, pr)
	if d := otptest.Diff([]string{"stdout:17", "stdout:524288"}, lines); d != "" || ex.Reason != process.Normal {
		t.Errorf("limits seen by the command (%v): %s", ex.Reason, d)
	}
	// RLIMIT_NOFILE enforced: with 3 descriptors (0, 1, 2 taken) cat can
	// open nothing (its loader or its own open fails with EMFILE); with
	// no limit the same command succeeds.
	for _, files := range []uint64{0, 3} {
		mustStart(t, node, osproc.Command{Path: "cat", Args: []string{"/dev/null"}, Owner: pr.PID(), Limits: osproc.Limits{Files: files}})
		_, ex = collect(t, pr)
		if (files == 0) != (ex.Reason == process.Normal) {
			t.Errorf("cat /dev/null with RLIMIT_NOFILE %d: %v", files, ex.Reason)
		}
	}
	if testing.Short() {
		return
	}
	mustStart(t, node, osproc.Command{
		Path:   "sh",
		Args:   []string{"-c", "while :; do :; done"},
		Owner:  pr.PID(),
		Limits: osproc.Limits{CPU: time.Second},
	})
	_, ex = collect(t, pr)
	ee, err := exitErr(ex.Reason)
	if err != nil || (ee.Signal != syscall.SIGXCPU && ee.Signal != syscall.SIGKILL) {
		t.Errorf("busy loop under RLIMIT_CPU 1s ended with %v; want SIGXCPU or SIGKILL", ex.Reason)
	}
}

// TestDedicatedSupervisor: commands that crash too often exhaust their
// own supervisor, which is not restarted; the agents' tree is untouched.
func TestDedicatedSupervisor(t *testing.T) {
	needSh(t)
	node := otptest.NewNode(t)
	agent := supervisor.ChildSpec{ID: "agent", Start: func(parent *process.Proc) (process.PID, error) {
		return parent.Spawn(func(p *process.Proc) error {
			<-p.Context().Done()
			return nil
		}, process.Linked())
	}}
	gaveUp := make(chan supervisor.IntensityReached, 4)
	ended := make(chan string, 4)
	root, err := supervisor.Start(node, supervisor.Spec{
		Flags: supervisor.Flags{MaxRestarts: supervisor.NoRestarts},
		Children: []supervisor.ChildSpec{
			agent,
			osproc.Supervisor("commands", osproc.SupervisorSpec{
				Flags:    supervisor.Flags{MaxRestarts: 2, Period: time.Minute},
				Children: []supervisor.ChildSpec{osproc.Child("bad", osproc.Command{Path: "sh", Args: []string{"-c", "exit 1"}})},
			}),
		},
	}, supervisor.WithEventHook(func(e supervisor.Event) {
		switch e := e.(type) {
		case supervisor.IntensityReached:
			gaveUp <- e
		case supervisor.ChildRestarting:
			// The root handles the exit of a temporary child: it
			// reports it and does not restart it.
			ended <- e.ID
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	agentPID := children(ctx, t, root)["agent"]
	otptest.Eventually(t, wait, func() bool {
		_, ok := children(ctx, t, root)["commands"]
		return !ok
	}, "the commands supervisor is still in the tree")
	if !node.IsAlive(root) || !node.IsAlive(agentPID) || children(ctx, t, root)["agent"] != agentPID {
		t.Errorf("the commands' failure reached the agents' tree")
	}
	select {
	case id := <-ended:
		if id != "commands" {
			t.Errorf("root saw %s end; want the commands supervisor", id)
		}
	case <-time.After(wait):
		t.Error("the root never saw the commands supervisor end")
	}
	select {
	case r := <-gaveUp:
		t.Errorf("root reached its intensity: %+v", r)
	default:
	}
}

// TestLongLinesAndChunks: a line longer than MaxLine arrives in Partial
// pieces of MaxLine bytes; Chunks mode delivers reads of at most MaxLine.
func TestLongLinesAndChunks(t *testing.T) {
	needSh(t)
	node := otptest.NewNode(t)
	pr := otptest.NewProbe(t, node)
	mustStart(t, node, osproc.Command{
		Path: "sh", Args: []string{"-c", `printf 'abcdefghij\nabcd\n\nxy'`},
		Owner: pr.PID(), MaxLine: 4,
	})
	var got []string
	for {
		m := pr.Expect(t, wait)
		if o, ok := m.(osproc.Output); ok {
			got = append(got, fmt.Sprintf("%s/%v", o.Data, o.Partial))
			continue
		}
		break
	}
	want := []string{"abcd/true", "efgh/true", "ij/false", "abcd/false", "/false", "xy/true"}
	if d := otptest.Diff(want, got); d != "" {
		t.Errorf("lines: %s", d)
	}
	mustStart(t, node, osproc.Command{
		Path: "sh", Args: []string{"-c", `printf 'abcdefghij'`},
		Owner: pr.PID(), MaxLine: 4, Mode: osproc.Chunks,
	})
	var all []byte
	for {
		m := pr.Expect(t, wait)
		o, ok := m.(osproc.Output)
		if !ok {
			break
		}
		if len(o.Data) > 4 || o.Partial {
			t.Errorf("chunk %q (partial %v); want at most 4 bytes, not partial", o.Data, o.Partial)
		}
		all = append(all, o.Data...)
	}
	if string(all) != "abcdefghij" {
		t.Errorf("chunks joined: %q", all)
	}
}

// TestLimitFailureRunsNothing: a limit the kernel refuses (more open
// files than fs.nr_open allows) fails the start with a *StartError, and
// the command, killed while still stopped at its exec, runs nothing.
func TestLimitFailureRunsNothing(t *testing.T) {
	needSh(t)
	node := otptest.NewNode(t)
	marker := filepath.Join(t.TempDir(), "ran")
	_, err := osproc.Start(node, osproc.Command{
		Path:   "sh",
		Args:   []string{"-c", ": > " + marker},
		Limits: osproc.Limits{Files: 1 << 40},
	})
	var se *osproc.StartError
	if !errors.As(err, &se) || se.Op != "start" || !strings.Contains(err.Error(), "prlimit") {
		if errors.Is(err, syscall.EPERM) && !strings.Contains(fmt.Sprint(err), "prlimit") {
			t.Skipf("osproc: limits need ptrace, which this system forbids: %v", err)
		}
		t.Fatalf("Start with an impossible limit = %v; want a *StartError from prlimit", err)
	}
	if _, err := os.Stat(marker); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the command ran although its limits failed (%v)", err)
	}
	otptest.CheckStopped(t, node)
}

// TestWriteCutWhenCallerGivesUp: a Write whose ctx is cancelled (no
// deadline) while the command does not read returns, and its data is
// not written later behind the caller's back.
func TestWriteCutWhenCallerGivesUp(t *testing.T) {
	needSh(t, "wc")
	node := otptest.NewNode(t)
	pr := otptest.NewProbe(t, node)
	fifo := filepath.Join(t.TempDir(), "go")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("osproc: mkfifo: %v", err)
	}
	// The command reads nothing until the test opens the FIFO, then
	// counts what its standard input holds.
	pid := mustStart(t, node, osproc.Command{Path: "sh", Args: []string{"-c", "read x < " + fifo + "; wc -c"}, Stdin: true, Owner: pr.PID()})
	const size = 4 << 20 // far more than a pipe holds

	ctx, cancel := context.WithCancel(context.Background()) // no deadline
	res := make(chan error, 1)
	go func() { res <- osproc.Write(ctx, pid, bytes.Repeat([]byte("x"), size)) }()
	// Whether the write has filled the pipe yet or not, the caller gives
	// up: the rest of its data must never reach the command.
	cancel()
	select {
	case err := <-res:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Write = %v; want context.Canceled", err)
		}
	case <-time.After(wait):
		t.Fatal("Write did not return after its ctx was cancelled")
	}
	wctx, wcancel := context.WithTimeout(context.Background(), wait)
	defer wcancel()
	if err := osproc.CloseStdin(wctx, pid); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString("go\n")
	_ = f.Close()
	lines, ex := collect(t, pr)
	if len(lines) != 1 || ex.Reason != process.Normal {
		t.Fatalf("wc: %v, %v", lines, ex.Reason)
	}
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(lines[0], "stdout:")))
	if err != nil || n >= size {
		t.Errorf("the command read %q bytes; want the write cut short of %d", lines[0], size)
	}
}
