package main

import (
	"regexp"
	"testing"
	"time"
)

// checkClusterDemoAgents checks the agent lines of the cluster demo's
// output text, whose killed node is victim: every agent is listed on a
// node (demoAgentsPerNode on each of the three), a job run on it from
// another node ran where it lives, and each agent of victim, and only
// those, has a failover line moving it to the survivor its message came
// from, with the ledger it had before the SIGKILL.
func checkClusterDemoAgents(t *testing.T, text, victim string) {
	t.Helper()
	lives := regexp.MustCompile(`(?m)^agent (acct-\d+) lives on (node-\d) \(fencing token \d+\)$`).FindAllStringSubmatch(text, -1)
	if len(lives) != 3*demoAgentsPerNode {
		t.Errorf("%d agents listed; want %d", len(lives), 3*demoAgentsPerNode)
	}
	perNode := map[string]int{}
	for _, l := range lives {
		id, node := l[1], l[2]
		perNode[node]++
		ran := regexp.MustCompile(`(?m)^(node-\d) -> agent ` + id + `: job (j-\d+) \(cost \d+\) ran on (node-\d), total (\d+)$`).FindStringSubmatch(text)
		if ran == nil || ran[1] == node || ran[3] != node {
			t.Errorf("agent %s of %s: no job run on it there from another node (%q)", id, node, ran)
			continue
		}
		moved := regexp.MustCompile(`(?m)^failover agent ` + id + `: ` + node + ` -> (node-\d) in \S+ \(token \d+ -> \d+\), woken by a message from (node-\d); state kept: total (\d+), jobs (\S+)$`).FindStringSubmatch(text)
		switch {
		case node != victim && moved != nil:
			t.Errorf("agent %s of a live node %s moved: %s", id, node, moved[0])
		case node != victim:
		case moved == nil:
			t.Errorf("no failover line moving agent %s off %s", id, victim)
		case moved[1] == victim || moved[1] != moved[2]:
			t.Errorf("agent %s woke on %s, not on the survivor its message came from: %s", id, moved[1], moved[0])
		case moved[3] != ran[4] || moved[4] != ran[2]:
			t.Errorf("agent %s lost its state: total %s, jobs %s before the SIGKILL; %s", id, ran[4], ran[2], moved[0])
		}
	}
	for node, n := range perNode {
		if n != demoAgentsPerNode {
			t.Errorf("%s has %d agents; want %d", node, n, demoAgentsPerNode)
		}
	}
}

// TestParseDemoAgent checks the driver's reading of a node's answer to
// an AGENT command, and that an error or a malformed answer is refused.
func TestParseDemoAgent(t *testing.T) {
	a, err := parseDemoAgent("AGENT acct-2 node-3 41 30 j-2,j-5 1500\n")
	if err != nil || a != (demoAgentState{ID: "acct-2", Node: "node-3", Token: 41, Total: 30, Jobs: "j-2,j-5", After: 1500 * time.Microsecond}) {
		t.Errorf("parseDemoAgent = %+v, %v", a, err)
	}
	for _, line := range []string{"", "ERROR clusteragent: no such agent", "AGENT acct-2 node-3 x 30 - 1", "AGENT acct-2 node-3 41 30 -"} {
		if _, err := parseDemoAgent(line); err == nil {
			t.Errorf("parseDemoAgent(%q) accepted it", line)
		}
	}
}
