package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	agentsys "github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/agent/kvstore"
	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/cluster/clusteragent"
)

// The agents of the cluster demo (package cluster/clusteragent): every
// node process runs an agent system whose snapshots live in the
// cluster's replicated KV, and its part of the cluster-wide agent
// registry. The driver spawns demoAgentsPerNode ledger agents on each
// node, runs a job on each from another node (the id resolves to the
// node hosting it), and, after the SIGKILL, sends each agent of the
// killed node a message from a survivor: the agent wakes there from its
// last snapshot, and the driver prints a "failover agent" line with the
// time from the kill and the state it kept.

// demoAgentsPerNode is how many agents the cluster demo spawns on each
// node; demoAgentCommand is the node command that serves them.
const (
	demoAgentsPerNode = 2
	demoAgentCommand  = "AGENT"
)

// demoAgentState is where a cluster demo agent lives and its ledger, as
// a node answers an AGENT command: "AGENT id node token total jobs us"
// (jobs comma-separated, "-" for none; us the microseconds from the
// node reading the command to the answer).
type demoAgentState struct {
	ID, Node string
	Token    uint64
	Total    int
	Jobs     string
	After    time.Duration
}

// parseDemoAgent parses a node's answer to an AGENT command.
func parseDemoAgent(line string) (demoAgentState, error) {
	f := strings.Fields(line)
	if len(f) != 7 || f[0] != demoAgentCommand {
		return demoAgentState{}, fmt.Errorf("agent command answered %q", strings.TrimSpace(line))
	}
	token, err1 := strconv.ParseUint(f[3], 10, 64)
	total, err2 := strconv.Atoi(f[4])
	us, err3 := strconv.ParseInt(f[6], 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil {
		return demoAgentState{}, fmt.Errorf("agent command answered %q: %w", line, err)
	}
	return demoAgentState{ID: f[1], Node: f[2], Token: token, Total: total, Jobs: f[5], After: time.Duration(us) * time.Microsecond}, nil
}

// demoAgents is the driver's view of the cluster demo's agents.
type demoAgents struct {
	nodes map[string]*demoNode
	names []string
	ids   []string
	at    map[string]demoAgentState
}

// startDemoAgents spawns demoAgentsPerNode agents on each node, prints
// where each lives, then runs a job on each from the next node and
// prints where it ran and the agent's total.
func startDemoAgents(nodes map[string]*demoNode, names []string, w io.Writer) (*demoAgents, error) {
	d := &demoAgents{nodes: nodes, names: names, at: map[string]demoAgentState{}}
	for _, name := range names {
		for range demoAgentsPerNode {
			id := "acct-" + strconv.Itoa(len(d.ids)+1)
			a, err := parseDemoAgent(nodes[name].ask(demoAgentCommand + " spawn " + id))
			if err != nil {
				return nil, fmt.Errorf("spawn agent %s on %s: %w", id, name, err)
			}
			d.ids = append(d.ids, id)
			d.at[id] = a
			fmt.Fprintf(w, "agent %s lives on %s (fencing token %d)\n", id, a.Node, a.Token)
		}
	}
	for i, id := range d.ids {
		from := names[(slices.Index(names, d.at[id].Node)+1)%len(names)]
		job, cost := "j-"+strconv.Itoa(i+1), 10*(i+1)
		a, err := parseDemoAgent(nodes[from].ask(fmt.Sprintf("%s work %s %s %d", demoAgentCommand, id, job, cost)))
		if err != nil {
			return nil, fmt.Errorf("run a job on agent %s from %s: %w", id, from, err)
		}
		d.at[id] = a
		fmt.Fprintf(w, "%s -> agent %s: job %s (cost %d) ran on %s, total %d\n", from, id, job, cost, a.Node, a.Total)
	}
	return d, nil
}

// failover sends each agent of victim, just SIGKILLed at killed, a
// message from a survivor (spread over the survivors: one "wake"
// command each, sent now, which the nodes serve while the driver waits
// for the children) and returns the function that reads the answers and
// prints a "failover agent" line for each: its old and new node, the
// time from the kill until it answered (the node times it from reading
// the command), its fencing tokens and the state it kept.
func (d *demoAgents) failover(victim string, killed time.Time) func(io.Writer) error {
	var moved, survivors []string
	for _, id := range d.ids {
		if d.at[id].Node == victim {
			moved = append(moved, id)
		}
	}
	for _, name := range d.names {
		if name != victim {
			survivors = append(survivors, name)
		}
	}
	woken := map[string][]string{}
	sent := map[string]time.Duration{}
	for k, id := range moved {
		woken[survivors[k%len(survivors)]] = append(woken[survivors[k%len(survivors)]], id)
	}
	for _, name := range survivors {
		if len(woken[name]) > 0 {
			_, _ = fmt.Fprintln(d.nodes[name].in, demoAgentCommand+" wake "+strings.Join(woken[name], " "))
			sent[name] = time.Since(killed)
		}
	}
	return func(w io.Writer) error {
		type wake struct {
			from string
			at   demoAgentState
			took time.Duration
		}
		got := map[string]wake{}
		for _, name := range survivors {
			for _, id := range woken[name] {
				line, _ := d.nodes[name].out.ReadString('\n')
				a, err := parseDemoAgent(line)
				if err != nil {
					return fmt.Errorf("agent %s of %s did not wake on %s: %w", id, victim, name, err)
				}
				got[id] = wake{from: name, at: a, took: sent[name] + a.After}
			}
		}
		for _, id := range moved {
			r, old := got[id], d.at[id]
			if r.at.ID != id || r.at.Node == victim || r.at.Total != old.Total || r.at.Jobs != old.Jobs {
				return fmt.Errorf("agent %s of %s: %+v after the failover, %+v before", id, victim, r.at, old)
			}
			fmt.Fprintf(w, "failover agent %s: %s -> %s in %v (token %d -> %d), woken by a message from %s; state kept: total %d, jobs %s\n",
				id, victim, r.at.Node, r.took.Round(time.Millisecond), old.Token, r.at.Token, r.from, r.at.Total, r.at.Jobs)
		}
		return nil
	}
}

// demoNodeAgents is a node process's part of the cluster demo's agents:
// its agent system (snapshots in the cluster's KV, fenced) and its part
// of the cluster-wide registry.
type demoNodeAgents struct {
	kind agentsys.Kind
	sys  *agentsys.System
	cs   *clusteragent.System
}

// demoClusterKind is the kind of the cluster demo's agents: the demo's
// ledger (agentsys.go) with a "show" action that returns it.
func demoClusterKind() (agentsys.Kind, error) {
	show := func(_ context.Context, st *ledger, _ struct{}) (ledger, []agentsys.Directive, error) {
		return ledger{Total: st.Total, Jobs: slices.Clone(st.Jobs)}, nil, nil
	}
	return demoKind(func(s *agentsys.Spec[ledger]) {
		s.Actions = append(s.Actions, agentsys.NewAction("show", "returns the ledger", show))
	})
}

// startNodeAgents starts n's agents, retrying (up to 60 s) while the
// cluster's KV does not answer yet.
func startNodeAgents(ctx context.Context, n *cluster.Node) (*demoNodeAgents, error) {
	kind, err := demoClusterKind()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	poll := time.NewTicker(100 * time.Millisecond)
	defer poll.Stop()
	for {
		a, err := openNodeAgents(ctx, n, kind)
		if err == nil {
			return a, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("the agents did not start: %w", err)
		case <-poll.C:
		}
	}
}

// openNodeAgents makes one attempt of startNodeAgents, within 5 s.
func openNodeAgents(ctx context.Context, n *cluster.Node, kind agentsys.Kind) (*demoNodeAgents, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	st, err := kvstore.OpenNodeStore(ctx, n.Process(), "")
	if err != nil {
		return nil, err
	}
	fs := clusteragent.Fenced(st)
	sys, err := agentsys.Start(n.Process(), agentsys.WithStore(fs), agentsys.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return nil, err
	}
	cs, err := clusteragent.Start(ctx, n, sys, clusteragent.Config{Kinds: []agentsys.Kind{kind}, Fenced: fs})
	if err != nil {
		return nil, errors.Join(err, sys.Stop(ctx))
	}
	return &demoNodeAgents{kind: kind, sys: sys, cs: cs}, nil
}

// command serves an AGENT command: "spawn ID", "work ID JOB COST" (run
// from this node wherever ID lives) or "wake ID..." (a message to each,
// in turn), and answers, one line per agent, with where it lives and its
// ledger (or "ERROR ...").
func (a *demoNodeAgents) command(ctx context.Context, arg string) string {
	start := time.Now()
	verb, rest, _ := strings.Cut(arg, " ")
	f := strings.Fields(rest)
	switch {
	case verb == "spawn" && len(f) == 1:
		return a.answer(ctx, start, f[0], func(ctx context.Context) error {
			_, err := a.cs.Spawn(ctx, agentsys.Config{ID: f[0], Kind: a.kind})
			return err
		})
	case verb == "work" && len(f) == 3:
		cost, _ := strconv.Atoi(f[2])
		return a.answer(ctx, start, f[0], func(ctx context.Context) error {
			_, err := clusteragent.Run[int](ctx, a.cs, f[0], "work", sysJob{ID: f[1], Cost: cost})
			return err
		})
	case verb == "wake" && len(f) > 0:
		lines := make([]string, len(f))
		for i, id := range f {
			lines[i] = a.answer(ctx, start, id, nil)
		}
		return strings.Join(lines, "\n")
	}
	return fmt.Sprintf("ERROR bad agent command %q", arg)
}

// answer runs do (when not nil) then the "show" action on agent id, from
// this node, and returns the answer line: where id lives, its ledger and
// the time since start. Without do (a wake) the show is tried again
// while it fails, for up to 60 s: after a node's loss the agent's first
// starts may time out while JetStream elects new leaders for its
// buckets. With do, all within 30 s.
func (a *demoNodeAgents) answer(ctx context.Context, start time.Time, id string, do func(context.Context) error) string {
	budget := 60 * time.Second
	if do != nil {
		budget = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	var err error
	if do != nil {
		err = do(ctx)
	}
	var st ledger
	if err == nil {
		st, err = a.show(ctx, id, do == nil)
	}
	var in clusteragent.Info
	if err == nil {
		in, err = a.cs.Whereis(ctx, id)
	}
	if err != nil {
		return "ERROR " + strings.ReplaceAll(err.Error(), "\n", " ")
	}
	jobs := strings.Join(st.Jobs, ",")
	if jobs == "" {
		jobs = "-"
	}
	return fmt.Sprintf("%s %s %s %d %d %s %d", demoAgentCommand, id, in.Node, in.Token, st.Total, jobs, time.Since(start).Microseconds())
}

// show runs the "show" action on agent id from this node; with retry,
// it runs it again every 200 ms while it fails, until ctx is done.
func (a *demoNodeAgents) show(ctx context.Context, id string, retry bool) (ledger, error) {
	poll := time.NewTicker(200 * time.Millisecond)
	defer poll.Stop()
	for {
		st, err := clusteragent.Run[ledger](ctx, a.cs, id, "show", struct{}{})
		if err == nil || !retry {
			return st, err
		}
		select {
		case <-ctx.Done():
			return st, err
		case <-poll.C:
		}
	}
}

// stop hands this node's agents over (each snapshots and releases its
// name) and stops its agent system, within ctx.
func (a *demoNodeAgents) stop(ctx context.Context) error {
	return errors.Join(a.cs.Stop(ctx), a.sys.Stop(ctx))
}
