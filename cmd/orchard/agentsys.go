package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	agentsys "github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/process"
)

// The agent-system act of the demo (package agent), played after the
// supervision demo on a node of its own: workers with a capability take
// jobs through the load balancer, a ledger agent is killed and comes back
// (crashed → restarting → running) with its state restored from the
// store, a hibernated agent wakes on a signal, and the workers meet at a
// barrier and vote in a consensus round (agentcoord.go).

// ledger is the state of the demo's agents: a total and the jobs seen.
type ledger struct {
	Total int      `json:"total"`
	Jobs  []string `json:"jobs,omitempty"`
}

// sysJob is the input of the "work" action.
type sysJob struct {
	ID   string `json:"id" jsonschema:"the job's id"`
	Cost int    `json:"cost" jsonschema:"units of work"`
}

// demoKind is the kind of every agent of the act: "work" adds a sysJob's
// cost; the route "order.*" books orders; extend, when not nil, adds to
// the spec (the coordination actions).
func demoKind(extend func(*agentsys.Spec[ledger])) (agentsys.Kind, error) {
	work := func(_ context.Context, st *ledger, in sysJob) (int, []agentsys.Directive, error) {
		st.Total += in.Cost
		st.Jobs = append(st.Jobs, in.ID)
		return st.Total, nil, nil
	}
	spec := agentsys.Spec[ledger]{
		Name:    "ledger",
		Persist: agentsys.Policy{EveryAction: true},
		Actions: []agentsys.Action[ledger]{
			agentsys.NewAction("work", "does a sysJob and returns the running total", work),
			agentsys.NewAction("book", "books an order", work),
		},
		Routes: []agentsys.Route{{Pattern: "order.*", Action: "book"}},
	}
	if extend != nil {
		extend(&spec)
	}
	return agentsys.NewKind(spec)
}

// runAgentSystem plays the act and writes its lines to w; without crash
// (the demo's --no-crash) the ledger is not killed.
func runAgentSystem(ctx context.Context, w io.Writer, crash bool) (err error) {
	var b strings.Builder
	defer func() {
		_, werr := io.WriteString(w, b.String())
		err = errors.Join(err, werr)
	}()
	say := func(format string, args ...any) {
		b.WriteString(wrap(fmt.Sprintf(format, args...), width, "    ") + "\n")
	}
	node, err := process.NewNode(process.Config{Logger: discard})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, stopNode(node)) }()
	changes := make(chan agentsys.StatusChange, 64)
	sys, err := agentsys.Start(node, agentsys.WithStore(agentsys.NewMemoryStore()), agentsys.WithLogger(discard),
		agentsys.WithStatusListener(func(c agentsys.StatusChange) {
			select {
			case changes <- c:
			default: // the act reads what it needs; never block a supervisor
			}
		}))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	defer func() { err = errors.Join(err, sys.Stop(ctx)) }()
	co, err := startCoordAct(node, sys)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, co.stop()) }()
	k, err := demoKind(co.extend)
	if err != nil {
		return err
	}
	b.WriteString("\n")
	say("agent system (package agent): typed actions, registry, balancer, store")
	for _, id := range []string{"worker-1", "worker-2", "worker-3"} {
		if _, err := sys.Spawn(ctx, agentsys.Config{ID: id, Kind: k, Capabilities: []string{"resize"}}); err != nil {
			return err
		}
	}
	if _, err := sys.Spawn(ctx, agentsys.Config{ID: "ledger", Kind: k, Capabilities: []string{"books"}}); err != nil {
		return err
	}
	drain(changes)
	acts, _ := sys.Actions("worker-1")
	say("  4 agents running; actions of worker-1: %s %s", acts[0].Name, acts[0].InputSchema)

	bal, err := sys.Balancer("resize", agentsys.BalancerOptions{Strategy: agentsys.RoundRobin})
	if err != nil {
		return err
	}
	var line []string
	for i := 1; i <= 6; i++ {
		_, id, err := agentsys.Dispatch[int](ctx, bal, "", "work", sysJob{ID: fmt.Sprint("j", i), Cost: i})
		if err != nil {
			return err
		}
		line = append(line, fmt.Sprintf("j%d→%s", i, id))
	}
	say("  jobs through the balancer (round robin on 'resize'): %s", strings.Join(line, " "))
	if err := co.play(ctx, []string{"worker-1", "worker-2", "worker-3"}, say); err != nil {
		return err
	}
	if _, err := agentsys.Run[int](ctx, sys, "ledger", "work", sysJob{ID: "rent", Cost: 40}); err != nil {
		return err
	}
	if _, err := sys.RunJSON(ctx, "ledger", "work", []byte(`{"id":"x","cost":"two"}`)); err != nil {
		say("  schema check: %v", err)
	}

	// A crash: the ledger is killed; its supervisor restarts it from its
	// last snapshot.
	if crash {
		if err := killLedger(ctx, sys, node, changes, say); err != nil {
			return err
		}
	}

	// Hibernation: the ledger's state goes to the store and its process
	// away; an order signal wakes it.
	if err := sys.Hibernate(ctx, "ledger"); err != nil {
		return err
	}
	drain(changes)
	sig, _ := agentsys.NewSignal("shop", "order.created", sysJob{ID: "order-7", Cost: 8})
	if _, err := sys.Publish(ctx, sig); err != nil {
		return err
	}
	seq, err := waitFor(ctx, changes, "ledger", agentsys.Running)
	if err != nil {
		return err
	}
	total, err := agentsys.Run[int](ctx, sys, "ledger", "work", sysJob{ID: "tip", Cost: 0})
	if err != nil {
		return err
	}
	say("  ledger hibernated, woken by signal order.created: hibernated → %s; total %d", seq, total)
	reg, run := sys.Count()
	say("  agents: %d registered, %d running; crashes recorded: %d", reg, run, len(sys.Errors(agentsys.CrashFilter{})))
	return nil
}

// killLedger kills the ledger agent and tells how it came back.
func killLedger(ctx context.Context, sys *agentsys.System, node *process.Node, changes chan agentsys.StatusChange, say func(string, ...any)) error {
	pid, _ := sys.Whereis("ledger")
	if err := node.Exit(pid, process.Kill); err != nil {
		return err
	}
	seq, err := waitFor(ctx, changes, "ledger", agentsys.Running)
	if err != nil {
		return err
	}
	total, err := agentsys.Run[int](ctx, sys, "ledger", "work", sysJob{ID: "fee", Cost: 2})
	if err != nil {
		return err
	}
	st, _ := sys.Status("ledger")
	say("  ledger killed: %s; state restored, total now %d (crashes: %d)", seq, total, st.Crashes)
	return nil
}

// drain empties ch.
func drain(ch <-chan agentsys.StatusChange) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// waitFor reads status changes of id until it reaches to, and returns
// the transitions seen ("crashed → restarting → running").
func waitFor(ctx context.Context, ch <-chan agentsys.StatusChange, id string, to agentsys.Status) (string, error) {
	var seq []string
	for {
		select {
		case c := <-ch:
			if c.ID != id {
				continue
			}
			seq = append(seq, c.To.String())
			if c.To == to {
				return strings.Join(seq, " → "), nil
			}
		case <-ctx.Done():
			return strings.Join(seq, " → "), fmt.Errorf("agent %s: %w waiting for %s", id, ctx.Err(), to)
		}
	}
}
