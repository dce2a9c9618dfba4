// Package agent implements supervised agents: identified processes with
// typed state and typed actions, an agent registry that tracks their
// status from supervisor events, a signal bus, sensors, snapshots to a
// store, hibernation with buffered messages, and a crash store.
//
// A Kind (NewKind from a Spec[S]) gives the actions of agents whose state
// is an S. An Action (NewAction) has a name, a description and a typed
// input and result whose JSON Schemas come from
// github.com/google/jsonschema-go (the MCP Go SDK's schema library), so an
// adapter can offer actions as tools with Actions and RunJSON. Actions run
// one at a time in the agent's process, a genserver, against its state,
// and return directives the runtime carries out under supervision: Emit a
// signal, Spawn a child agent under the agent's own dynamic supervisor,
// Schedule an action through package schedule, Stop, or Offload work to a
// supervised task whose result comes back as an action.
//
// # OTP mapping
//
//	MABEAM / Jido / OTP                     Orchard
//	--------------------------------------  -----------------------------------------
//	DynamicSupervisor of agents             System (Start): its agents' supervisor
//	MABEAM.AgentRegistry start/stop_agent   System.StartAgent, System.StopAgent
//	get_agent_status, find_by_capability    System.Status (Info), FindByCapability
//	Jido.Action (schema, run)               Action (NewAction), ActionFunc
//	Jido.Agent cmd / run                    Run[Out], System.RunJSON
//	Jido directives (emit, spawn, ...)      Directive: Emit, Spawn, Schedule, Stop, Offload
//	Jido.Signal (CloudEvents) and bus       Signal, System.Publish, Route patterns
//	Jido.Sensor                             System.StartTimerSensor (ticks by the scheduler), StartSensor (SensorFunc)
//	gen_server handle_info/2                Spec.Messages (plain messages run actions)
//	gen_server state persisted by the app   Store (MemoryStore, agent/kvstore), Policy
//	erlang:hibernate/3                      System.Hibernate, Spec.IdleTimeout
//	coordination manager's message buffer   per-agent bounded buffer, overflow to dead letters
//	error store                             ErrorStore (MemoryErrorStore, kvstore.ErrorStore), System.Errors
//	MABEAM load balancer                    Balancer (LeastInFlight, RoundRobin, ConsistentHash), Dispatch
//	MABEAM performance monitor              ActionStats, AgentStats, EventActionStop (telemetry)
//	supervisor restart of a child           status Crashed -> Restarting -> Running
//
// # Semantics
//
// Every agent runs under the system's dynamic supervisor as a Transient
// child: a crash restarts it from its last snapshot, a normal stop does
// not. The registry's status of an agent changes only on supervisor
// events (started, exited, terminated), never by polling: Registered,
// Starting, Running, Crashed (with count and reason, recorded in the error
// store), Restarting, Hibernated, Stopped.
//
// Run waits for a starting or restarting agent, wakes a hibernated one,
// and returns typed errors: *UnknownAgentError, *UnknownActionError,
// *InvalidInputError (JSON Schema validation of JSON input; a Go value of
// the input type is taken as is), *NotRunningError and *CrashedError. The
// caller's context is the action's context: its cancellation and values
// (WithProgress for ReportProgress) reach the action.
//
// Messages for an agent that is hibernated, hibernating, starting or
// restarting (signals, scheduled runs, task results) wait in its buffer,
// bounded by Spec.Buffer, and run in order once it is back; overflow goes
// to the dead letters (WithDeadLetters). Those already on their way when
// it decides to hibernate run before it stops.
//
// Snapshots hold the state as JSON with the kind's state schema Version;
// an older snapshot goes through Spec.Migrate or is refused with a
// *VersionError, as is a newer one.
//
// # Differences from OTP
//
//   - Hibernation stops the process and keeps the state in the store
//     (BEAM's hibernate keeps the process and compacts its heap): a node can
//     hold far more registered agents than live processes.
//   - Children spawned by an agent are Transient under the agent's own
//     dynamic supervisor (3 restarts in 5 s); when it gives up, the agent
//     lives on (it traps exits) and starts a new one on its next Spawn.
//
// # Example
//
//	k, _ := agent.NewKind(agent.Spec[int]{Name: "counter", Actions: []agent.Action[int]{
//		agent.NewAction("add", "adds", func(_ context.Context, n *int, by int) (int, []agent.Directive, error) {
//			*n += by
//			return *n, nil, nil
//		}),
//	}})
//	sys, _ := agent.Start(node)
//	_, _ = sys.Spawn(ctx, agent.Config{ID: "c1", Kind: k})
//	n, _ := agent.Run[int](ctx, sys, "c1", "add", 2) // 2
package agent
