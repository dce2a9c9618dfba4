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
// exits 0, prints a failover line per moved child, and leaves no node
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
	lives := strings.Count(text, " lives on node-")
	failovers := regexp.MustCompile(`(?m)^failover worker-\d: node-\d -> node-\d in `).FindAllString(text, -1)
	if lives != 3 || len(failovers) == 0 || !strings.Contains(text, "SIGKILL node-") {
		t.Fatalf("unexpected demo output:\n%s", text)
	}
	for _, m := range regexp.MustCompile(`\(pid (\d+)\)`).FindAllStringSubmatch(text, -1) {
		pid, _ := strconv.Atoi(m[1])
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("node process %d still exists after the demo (kill 0: %v)", pid, err)
		}
	}
}
