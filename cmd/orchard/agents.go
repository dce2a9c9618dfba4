package main

import (
	"context"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
	"github.com/seed-fe72f376/orchard/supervisor"
)

const (
	// agentsID is the agents supervisor's child id under the root.
	agentsID = "agents"
	// agentCount is how many agents the agents supervisor runs.
	agentCount = 12
	// pingEvery is how often an agent pings its neighbour, by name.
	pingEvery = 500 * time.Millisecond
)

// agentName returns the name of agent i (1-based): agent-01 ... agent-12.
func agentName(i int) string { return fmt.Sprintf("agent-%02d", i) }

// Messages an agent understands.
type (
	// ping is what an agent casts to its neighbour.
	ping struct{ from string }
	// pingTick is an agent's own timer message.
	pingTick struct{}
)

// agent is one worker of the agents supervisor. It is started under its
// name in the demo's registry (genserver.WithVia(registry.Via(reg,
// name))), which registers it before its Init and drops the entry when it
// dies, so whoever looks it up by name after a restart finds the new
// process. Every pingEvery it pings its neighbour, found by name in the
// registry.
type agent struct {
	reg        *registry.Registry
	name, next string
	pings      int // pings received
	jobs       int // jobs handled (supervised sends)
}

func (a *agent) Init(s *genserver.Self) error {
	_, err := s.SendAfter(s.PID(), pingTick{}, pingEvery)
	return err
}

func (a *agent) HandleCast(_ *genserver.Self, msg any) error {
	if _, ok := msg.(ping); ok {
		a.pings++
		return nil
	}
	return crashOn(msg)
}

func (a *agent) HandleInfo(s *genserver.Self, msg any) error {
	if _, ok := msg.(job); ok {
		a.jobs++ // a supervised send waits until this returns
		return nil
	}
	if _, ok := msg.(pingTick); ok {
		// A neighbour that is restarting just misses a ping.
		_ = genserver.Cast(registry.Via(a.reg, a.next), ping{from: a.name})
		_, err := s.SendAfter(s.PID(), pingTick{}, pingEvery)
		return err
	}
	return crashOn(msg)
}

// agentsChild is the root's child spec for the agents supervisor: a
// dynamic supervisor (one_for_one) to which the start function adds
// agentCount permanent agents.
func agentsChild(reg *registry.Registry, opts []supervisor.Option) supervisor.ChildSpec {
	return supervisor.ChildSpec{
		ID:   agentsID,
		Type: supervisor.SupervisorChild,
		Start: func(parent *process.Proc) (process.PID, error) {
			spec := supervisor.DynamicSpec{Flags: supervisor.Flags{
				Strategy: supervisor.OneForOne, MaxRestarts: 20, Period: 5 * time.Second}}
			sup, err := supervisor.StartDynamicLink(parent, spec, opts...)
			if err != nil {
				return process.PID{}, err
			}
			ctx, cancel := context.WithTimeout(parent.Context(), 10*time.Second)
			defer cancel()
			for i := 1; i <= agentCount; i++ {
				if _, err := supervisor.StartDynamicChild(ctx, sup, agentSpec(reg, i)); err != nil {
					_ = parent.Exit(sup, process.Kill)
					return process.PID{}, fmt.Errorf("starting %s: %w", agentName(i), err)
				}
			}
			return sup, nil
		},
	}
}

// agentSpec is the child spec of agent i, started under its name in reg:
// a restart registers the new process under the same name before its
// Init, and the old one's entry went when it died.
func agentSpec(reg *registry.Registry, i int) supervisor.ChildSpec {
	name := agentName(i)
	next := agentName(i%agentCount + 1)
	return supervisor.ChildSpec{
		ID:      name,
		Restart: supervisor.Permanent,
		Start: func(parent *process.Proc) (process.PID, error) {
			return genserver.StartLink(parent, &agent{reg: reg, name: name, next: next},
				genserver.WithVia(registry.Via(reg, name)))
		},
	}
}
