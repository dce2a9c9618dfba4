package main

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestClusterDemo builds the orchard binary, runs `orchard demo --nodes
// 3` (three node processes on loopback, one killed), and checks that it
// exits 0, prints a failover line per moved child and per agent of the
// killed node (woken elsewhere with its state), and leaves no node
// process behind.
func TestClusterDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three node processes")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the binary the demo re-executes")
	}
	bin := filepath.Join(t.TempDir(), "orchard")
	if out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "demo", "--nodes", "3").CombinedOutput()
	text := string(out)
	if err != nil {
		t.Fatalf("orchard demo --nodes 3: %v\n%s", err, text)
	}
	lives := regexp.MustCompile(`(?m)^(w-\d|singleton) lives on (node-\d) `).FindAllStringSubmatch(text, -1)
	victim := regexp.MustCompile(`(?m)^SIGKILL (node-\d) `).FindStringSubmatch(text)
	if len(lives) != 7 || victim == nil || !strings.Contains(text, "failover done: all ") {
		t.Fatalf("unexpected demo output:\n%s", text)
	}
	// One failover line per child that lived on the killed node (the
	// singleton is started there first, so it is one of them), to
	// another node.
	for _, l := range lives {
		re := regexp.MustCompile(`(?m)^failover ` + l[1] + `: ` + l[2] + ` -> (node-\d) in \S+ \(token \d+ -> \d+\)$`)
		m := re.FindStringSubmatch(text)
		switch moved := l[2] == victim[1]; {
		case moved && (m == nil || m[1] == victim[1]):
			t.Errorf("no failover line moving %s off %s", l[1], victim[1])
		case !moved && m != nil:
			t.Errorf("child %s of a live node %s moved: %s", l[1], l[2], m[0])
		}
	}
	checkClusterDemoAgents(t, text, victim[1]) // demo_cluster_agents_test.go
	if t.Failed() {
		t.Fatalf("demo output:\n%s", text)
	}
	for _, m := range regexp.MustCompile(`\(pid (\d+)\)`).FindAllStringSubmatch(text, -1) {
		pid, _ := strconv.Atoi(m[1])
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("node process %d still exists after the demo (kill 0: %v)", pid, err)
		}
	}
}
