//go:build linux

package osproc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/osproc"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// wait bounds every expectation of these tests.
const wait = 10 * time.Second

const helperEnv = "OSPROC_TEST_HELPER"

// needSh skips a test on a machine without /bin/sh.
func needSh(t *testing.T, progs ...string) {
	t.Helper()
	for _, p := range append([]string{"sh"}, progs...) {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("osproc: %s not found: %v", p, err)
		}
	}
}

// procState returns the state letter of OS process pid from /proc (R, S,
// Z, ...), or 0 when there is no such process.
func procState(pid int) byte {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return 0
	}
	return b[i+2]
}

// gone reports whether OS process pid no longer exists: neither running
// (an orphan) nor a zombie. It first reaps pid if it became this test
// process's zombie child (see subreaper).
func gone(pid int) bool {
	var ws syscall.WaitStatus
	_, _ = syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
	return procState(pid) == 0
}

// subreaper makes this test process the reaper of orphans for the test's
// duration: PID 1 of a container may not reap them, so an orphan killed
// as it should be would otherwise remain a zombie, and one that survived
// would be hidden. gone reaps the ones that come to us.
func subreaper(t *testing.T) {
	t.Helper()
	if err := setSubreaper(1); err != nil {
		t.Skipf("osproc: PR_SET_CHILD_SUBREAPER: %v", err)
	}
	t.Cleanup(func() { _ = setSubreaper(0) })
}

func setSubreaper(on uintptr) error {
	const prSetChildSubreaper = 36
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, on, 0); e != 0 {
		return e
	}
	return nil
}

// killLeftover kills pid if a failed test left it running.
func killLeftover(t *testing.T, pid int) {
	t.Cleanup(func() {
		if procState(pid) != 0 {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			otptest.Eventually(t, wait, func() bool { return gone(pid) })
		}
	})
}

// collect reads what a command sends its owner probe until Exited.
func collect(t *testing.T, pr *otptest.Probe) (lines []string, ex osproc.Exited) {
	t.Helper()
	for {
		switch m := pr.Expect(t, wait).(type) {
		case osproc.Output:
			lines = append(lines, m.Stream.String()+":"+string(m.Data))
		case osproc.Exited:
			return lines, m
		default:
			t.Fatalf("unexpected message %T %+v", m, m)
		}
	}
}

// nextLine waits for the next Output of the probe and returns its text.
func nextLine(t *testing.T, pr *otptest.Probe) string {
	t.Helper()
	m := pr.Expect(t, wait)
	o, ok := m.(osproc.Output)
	if !ok {
		t.Fatalf("got %T %+v; want osproc.Output", m, m)
	}
	return string(o.Data)
}

func ospid(t *testing.T, pid process.PID) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	n, err := osproc.OSPID(ctx, pid)
	if err != nil {
		t.Fatalf("OSPID: %v", err)
	}
	return n
}

// runHelper is the body of the re-executed test binary: it starts a
// long command on a node, prints the command's OS pid, and blocks until
// it is killed (or until its standard input, a pipe from the test,
// closes).
func runHelper() int {
	node, err := process.NewNode()
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	pid, err := osproc.Start(node, osproc.Command{Path: "sleep", Args: []string{"300"}})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	n, err := osproc.OSPID(ctx, pid)
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	fmt.Println(n)
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 2
}

var errNotExit = errors.New("not an ExitError")

func exitErr(reason error) (*osproc.ExitError, error) {
	var ee *osproc.ExitError
	if !errors.As(reason, &ee) {
		return nil, errNotExit
	}
	return ee, nil
}
