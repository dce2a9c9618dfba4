package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestAgentSystemAct plays the agent-system act: jobs spread by the
// balancer, the workers' barrier round and consensus round (package
// coord), the ledger's crash and restart with its state, its wake from
// hibernation on a signal.
func TestAgentSystemAct(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := runAgentSystem(ctx, &out, true); err != nil {
		t.Fatalf("runAgentSystem = %v\n%s", err, out.String())
	}
	all := flat(out.String())
	for _, want := range []string{
		"j1→worker-1 j2→worker-2 j3→worker-3 j4→worker-1",
		"barrier shift-end (coord.Await from each agent's task): all 3 arrived; round 1 released worker-1 worker-2 worker-3 together",
		`consensus "cap job cost at 5" (coord.Propose, majority of 3 agents): accepted, yes from worker-1 worker-2`,
		`schema check: agent: invalid input for action "work"`,
		"ledger killed: crashed → restarting → running; state restored, total now 42 (crashes: 1)",
		"woken by signal order.created: hibernated → starting → running; total 50",
		"agents: 4 registered, 4 running; crashes recorded: 1",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("act lacks %q:\n%s", want, out.String())
		}
	}
}
