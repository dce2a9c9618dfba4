package agent

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// DefaultBuffer is how many messages (signals, scheduled runs, task
// results) an agent's buffer holds while it is hibernated or restarting
// when Spec.Buffer is zero.
const DefaultBuffer = 64

// Spec describes a kind of agent with state S: its actions, its signal
// routes, how its state starts, is versioned and persisted, and when it
// hibernates. Build a Kind from it with NewKind; many agents (Config) can
// share one kind.
type Spec[S any] struct {
	// Name names the kind (for listings and telemetry). Required.
	Name string
	// Init returns the state of an agent that has no snapshot; nil means
	// the zero S.
	Init func() S
	// Actions are the agent's actions; names must be unique.
	Actions []Action[S]
	// Routes send matching signals to actions.
	Routes []Route
	// Version is the state schema version written with every snapshot;
	// zero means 1.
	Version int
	// Migrate turns a snapshot of an older version into a state; nil
	// refuses older snapshots with a *VersionError. Newer snapshots are
	// always refused.
	Migrate func(from int, data json.RawMessage) (S, error)
	// Persist is when the state is snapshotted (besides hibernation and
	// graceful stops).
	Persist Policy
	// IdleTimeout hibernates an agent idle that long (no action) in a
	// system with a store (WithStore); zero never hibernates on its own
	// (System.Hibernate still does).
	IdleTimeout time.Duration
	// Buffer bounds the messages kept for an agent while it is hibernated
	// or restarting; zero means DefaultBuffer. Overflow goes to the
	// system's dead letters.
	Buffer int
	// Messages turns a plain message sent to a running agent's process
	// by another library (a coord.VoteRequest, for instance) into a run
	// of one of its actions, with in as input (an action whose input type
	// is in's own gets in as it is); ok false drops the message. nil
	// drops every plain message. It runs in the agent's process and must
	// be quick. Signals, Run and scheduled runs never go through it.
	Messages func(msg any) (action string, in any, ok bool)
}

// Kind is a kind of agent built by NewKind from a Spec.
type Kind interface {
	// Name returns the kind's name.
	Name() string
	// Actions lists the kind's actions, sorted by name.
	Actions() []ActionInfo
	base() *kindBase
}

// KindConfig is the configuration of an agent's kind as the registry
// reports it.
type KindConfig struct {
	Kind        string
	Version     int
	Persist     Policy
	IdleTimeout time.Duration
	Buffer      int
	Routes      []Route
}

// kindBase is what the runtime keeps of a kind, whatever its state type.
type kindBase struct {
	cfg       KindConfig
	actions   map[string]*action
	list      []ActionInfo
	newServer func(sys *System, e *entry) genserver.Server
}

func (k *kindBase) Name() string          { return k.cfg.Kind }
func (k *kindBase) Actions() []ActionInfo { return slices.Clone(k.list) }
func (k *kindBase) base() *kindBase       { return k }

// NewKind checks spec and builds its kind. An empty name, an action that
// NewAction could not build, two actions of one name, or a route with a
// malformed pattern or an unknown action is an *ArgumentError.
func NewKind[S any](spec Spec[S]) (Kind, error) {
	const op = "agent: NewKind"
	if spec.Name == "" {
		return nil, argerr.Empty(op, "spec.Name")
	}
	if spec.Version < 0 || spec.Buffer < 0 || spec.IdleTimeout < 0 || spec.Persist.EveryN < 0 || spec.Persist.Interval < 0 {
		return nil, argerr.New(op, "spec", "has a negative version, buffer, idle timeout or policy")
	}
	k := &kindBase{actions: map[string]*action{}}
	k.cfg = KindConfig{Kind: spec.Name, Version: max(spec.Version, 1), Persist: spec.Persist,
		IdleTimeout: spec.IdleTimeout, Buffer: spec.Buffer, Routes: slices.Clone(spec.Routes)}
	if k.cfg.Buffer == 0 {
		k.cfg.Buffer = DefaultBuffer
	}
	for _, a := range spec.Actions {
		if a.err != nil || a.run == nil {
			reason := "was not built with NewAction"
			if a.err != nil {
				reason = a.err.Error()
			}
			return nil, argerr.New(op, "spec.Actions", "action "+reason)
		}
		if _, dup := k.actions[a.name]; dup {
			return nil, argerr.New(op, "spec.Actions", "has two actions named "+a.name)
		}
		info := ActionInfo{Name: a.name, Description: a.desc, InputSchema: a.inSchema, ResultSchema: a.outSchema}
		k.actions[a.name] = &action{info: info, in: a.in, decode: a.decodeInput, run: a.run}
		k.list = append(k.list, info)
	}
	slices.SortFunc(k.list, func(a, b ActionInfo) int { return cmp.Compare(a.Name, b.Name) })
	for i, info := range k.list {
		k.actions[info.Name].idx = i
	}
	for _, r := range spec.Routes {
		if !validPattern(r.Pattern) {
			return nil, argerr.New(op, "spec.Routes", "has a malformed pattern "+r.Pattern)
		}
		if _, ok := k.actions[r.Action]; !ok {
			return nil, argerr.New(op, "spec.Routes", "routes to an unknown action "+r.Action)
		}
	}
	sp := spec
	k.newServer = func(sys *System, e *entry) genserver.Server {
		return &server[S]{sys: sys, e: e, k: k, spec: &sp}
	}
	return k, nil
}

// runFunc is the state-typed function an action erases.
type runFunc[S any] = func(ctx context.Context, state *S, in any) (any, []Directive, error)
