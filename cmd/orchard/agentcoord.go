package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	agentsys "github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/coord"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// The coordination part of the agent act (package coord): a coordinator
// under a supervisor of its own on the act's node; the workers reach a
// barrier from supervised tasks (so each stays responsive while it
// waits) and hear back when the round trips, then vote on a proposal as
// the agents they are (the vote request reaches each agent's process and
// runs its "vote" action through Spec.Messages).

// coordName is the coordinator's registered name on the act's node.
const coordName = "demo.coordinator"

// coordAct is the coordination part's state: the system, the
// coordinator, and where the "passed" action reports barrier rounds.
type coordAct struct {
	sys    *agentsys.System
	top    process.PID // the coordinator's supervisor
	co     *coord.Coordinator
	passed chan passage
}

// checkIn is the input of the "checkpoint" action: reach the barrier
// named Barrier of N participants as agent Agent.
type checkIn struct {
	Barrier string `json:"barrier" jsonschema:"the barrier's name"`
	N       int    `json:"n" jsonschema:"how many participants the barrier waits for"`
	Agent   string `json:"agent" jsonschema:"the arriving agent's id"`
}

// passage is what an agent's barrier task reports back.
type passage struct {
	Agent string `json:"agent"`
	Round uint64 `json:"round"`
}

// ballot is the input of the "vote" action: a vote request's value and
// how to cast the vote (not part of the schema: it only comes from a
// coord.VoteRequest, through Spec.Messages).
type ballot struct {
	Value string `json:"value"`
	cast  func(accept bool) error
}

// startCoordAct starts the coordinator under a supervisor of its own.
func startCoordAct(node *process.Node, sys *agentsys.System) (*coordAct, error) {
	top, err := supervisor.Start(node, supervisor.Spec{
		Flags:    supervisor.DefaultFlags(),
		Children: []supervisor.ChildSpec{{ID: "coordinator", Start: coord.StartFunc(coord.WithName(coordName))}},
	})
	if err != nil {
		return nil, err
	}
	return &coordAct{sys: sys, top: top, co: coord.For(node.Name(coordName)), passed: make(chan passage, 8)}, nil
}

// stop stops the coordinator and its supervisor.
func (c *coordAct) stop() error {
	return supervisor.Stop(c.top, process.Shutdown, stopBudget)
}

// extend gives the act's kind the coordination actions and routes vote
// requests to "vote".
func (c *coordAct) extend(s *agentsys.Spec[ledger]) {
	checkpoint := func(_ context.Context, st *ledger, in checkIn) (int, []agentsys.Directive, error) {
		pid, err := c.sys.Whereis(in.Agent)
		if err != nil {
			return 0, nil, err
		}
		wait := agentsys.Offload(func(ctx context.Context) (passage, error) {
			r, err := c.co.Await(ctx, in.Barrier, in.N, coord.WithHolder(pid), coord.WithTimeout(5*time.Second))
			return passage{Agent: in.Agent, Round: r.Round}, err
		}, "passed")
		return st.Total, []agentsys.Directive{wait}, nil
	}
	passed := func(_ context.Context, st *ledger, in agentsys.TaskResult[passage]) (int, []agentsys.Directive, error) {
		if in.Err != "" {
			return 0, nil, fmt.Errorf("barrier: %s", in.Err)
		}
		select {
		case c.passed <- in.Value:
		default: // nobody is listening any more
		}
		return st.Total, nil, nil
	}
	// a worker accepts unless it has already done 8 units or more
	vote := func(_ context.Context, st *ledger, in ballot) (bool, []agentsys.Directive, error) {
		accept := st.Total < 8
		return accept, nil, in.cast(accept)
	}
	s.Actions = append(s.Actions,
		agentsys.NewAction("checkpoint", "reaches a barrier from a supervised task", checkpoint),
		agentsys.NewAction("passed", "hears that its barrier round tripped", passed),
		agentsys.NewAction("vote", "votes on a consensus proposal", vote))
	s.Messages = func(msg any) (string, any, bool) {
		if r, ok := msg.(coord.VoteRequest); ok {
			return "vote", ballot{Value: fmt.Sprint(r.Value), cast: r.Vote}, true
		}
		return "", nil, false // the decision's broadcast, for instance
	}
}

// play runs the barrier round and the consensus round among ids.
func (c *coordAct) play(ctx context.Context, ids []string, say func(string, ...any)) error {
	for _, id := range ids {
		if _, err := agentsys.Run[int](ctx, c.sys, id, "checkpoint", checkIn{Barrier: "shift-end", N: len(ids), Agent: id}); err != nil {
			return err
		}
	}
	back := map[string]uint64{}
	for len(back) < len(ids) {
		select {
		case p := <-c.passed:
			back[p.Agent] = p.Round
		case <-ctx.Done():
			return fmt.Errorf("barrier shift-end: %w (%d of %d back)", ctx.Err(), len(back), len(ids))
		}
	}
	rounds := map[uint64]bool{}
	for _, r := range back {
		rounds[r] = true
	}
	if len(rounds) != 1 {
		return fmt.Errorf("barrier shift-end: the agents came back from different rounds %v", back)
	}
	say("  barrier shift-end (coord.Await from each agent's task): all %d arrived; round %d released %s together",
		len(ids), back[ids[0]], strings.Join(ids, " "))

	names := map[process.PID]string{}
	voters := make([]process.Dest, 0, len(ids))
	for _, id := range ids {
		pid, err := c.sys.Whereis(id)
		if err != nil {
			return err
		}
		names[pid] = id
		voters = append(voters, pid)
	}
	dec, err := c.co.Propose(ctx, coord.Proposal{Name: "cap-cost", Value: "cap job cost at 5", Voters: voters, Rule: coord.Majority})
	if err != nil {
		return err
	}
	who := func(pids []process.PID) string {
		var s []string
		for _, p := range pids {
			s = append(s, names[p])
		}
		slices.Sort(s)
		return strings.Join(s, " ")
	}
	outcome := "rejected"
	if dec.Accepted {
		outcome = "accepted"
	}
	// the round ends as soon as its outcome is certain, so a vote that
	// could not change it may still be on its way: only the yes votes
	// that carried it are certain.
	say("  consensus %q (coord.Propose, majority of %d agents): %s, yes from %s",
		dec.Value, len(ids), outcome, who(dec.Yes))
	return nil
}
