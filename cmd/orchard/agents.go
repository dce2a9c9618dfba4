package main

import (
	"context"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

const (
	// agentsID is the agents supervisor's child id under the root.
	agentsID = "agents"
	// agentCount is how many agents the agents supervisor runs.
	agentCount = 12
	// pingEvery is how often an agent pings its neighbour, by name.
	pingEvery = 500 * time.Millisecond
	// registerRetry is how long an agent waits before registering again
	// when the name server is not there (it is restarting).
	registerRetry = 20 * time.Millisecond
)

// agentName returns the name of agent i (1-based): agent-01 ... agent-12.
func agentName(i int) string { return fmt.Sprintf("agent-%02d", i) }

// Messages an agent understands.
type (
	// ping is what an agent casts to its neighbour.
	ping struct{ from string }
	// pingTick is an agent's own timer message.
	pingTick struct{}
	// registerAgain is the timer message of a registration retry.
	registerAgain struct{}
)

// agent is one worker of the agents supervisor. In its Init it registers
// its name with the name server, so that whoever looks it up by name
// after a restart finds the new process; it monitors the name server and
// registers again when that restarts. Every pingEvery it pings its
// neighbour, found by name.
type agent struct {
	name, next string
	nameServer process.Ref // monitor of the name server we registered with
	pings      int         // pings received
}

func (a *agent) Init(s *genserver.Self) error {
	a.register(s)
	_, err := s.SendAfter(s.PID(), pingTick{}, pingEvery)
	return err
}

// register tells the name server that a.name is this process. If the
// name server is not running it tries again a little later instead of
// failing: a crash of the name server must not take the agents with it.
func (a *agent) register(s *genserver.Self) {
	ns, err := genserver.Call[process.PID](s.Context(), s.Node().Name(nameServerName),
		registerReq{name: a.name, pid: s.PID()}, genserver.WithTimeout(lookupTimeout))
	if err != nil {
		_, _ = s.SendAfter(s.PID(), registerAgain{}, registerRetry)
		return
	}
	a.nameServer, _ = s.Monitor(ns)
}

func (a *agent) HandleCast(_ *genserver.Self, msg any) error {
	if _, ok := msg.(ping); ok {
		a.pings++
		return nil
	}
	return crashOn(msg)
}

func (a *agent) HandleInfo(s *genserver.Self, msg any) error {
	switch m := msg.(type) {
	case pingTick:
		// A neighbour that is restarting just misses a ping.
		_ = genserver.Cast(byName{node: s.Node(), name: a.next}, ping{from: a.name})
		_, err := s.SendAfter(s.PID(), pingTick{}, pingEvery)
		return err
	case process.Down:
		if m.Ref == a.nameServer {
			a.register(s) // the name server died and forgot us
		}
		return nil
	case registerAgain:
		a.register(s)
		return nil
	}
	return crashOn(msg)
}

// agentsChild is the root's child spec for the agents supervisor: a
// dynamic supervisor (one_for_one) to which the start function adds
// agentCount permanent agents.
func agentsChild(hook func(supervisor.Event), opts []supervisor.Option) supervisor.ChildSpec {
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
				if _, err := supervisor.StartDynamicChild(ctx, sup, agentSpec(i, hook)); err != nil {
					_ = parent.Exit(sup, process.Kill)
					return process.PID{}, fmt.Errorf("starting %s: %w", agentName(i), err)
				}
			}
			return sup, nil
		},
	}
}

// agentSpec is the child spec of agent i.
//
// The start function also reports the start to hook as a
// supervisor.ChildStarted, because a dynamic supervisor publishes no
// ChildStarted when it starts or restarts a child (static supervisors
// do); the function runs in the supervisor's process, so the event is
// ordered with the supervisor's own events exactly as a real one would
// be. The tree tells a restart from a first start by the
// ChildRestarting that precedes it.
func agentSpec(i int, hook func(supervisor.Event)) supervisor.ChildSpec {
	name := agentName(i)
	next := agentName(i%agentCount + 1)
	return supervisor.ChildSpec{
		ID:      name,
		Restart: supervisor.Permanent,
		Start: func(parent *process.Proc) (process.PID, error) {
			pid, err := genserver.StartLink(parent, &agent{name: name, next: next})
			if err == nil {
				hook(supervisor.ChildStarted{Supervisor: parent.PID(), ID: name, PID: pid})
			}
			return pid, err
		},
	}
}
