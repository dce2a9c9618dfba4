package process

import (
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/seed-fe72f376/orchard/internal/nodeenv/envkey"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/timeouts"
)

// Option configures a [Node]: a [Config] is one; the module's own
// packages make others (a cluster's node number, lifecycle event hooks).
// An option that does not apply is rejected by [NewNode].
type Option interface {
	applyNode(*nodeConfig) error
}

type nodeConfig struct {
	deadLetter       func(DeadLetter)
	events           *eventHooks // see events.go
	zombieGrace      time.Duration
	stopGrace        time.Duration
	maxIdleWorkers   int
	panicPassThrough bool
	processLabels    bool
	env              envkey.Values // see env.go
	id               uint32        // a number chosen by the cluster (rt.NodeID); 0: the next in sequence
}

type nodeOption func(*nodeConfig) error

func (f nodeOption) applyNode(c *nodeConfig) error { return f(c) }

// Config configures a [Node]; pass it to [NewNode]:
//
//	node, err := process.NewNode(process.Config{Logger: l, Timeouts: t})
//
// A zero field leaves its setting as it was: the default, or the value an
// earlier Config given to the same NewNode set. So several Configs
// compose, the later ones winning field by field: a package that sets up
// part of a node (its telemetry registry, say) passes a Config of its own
// next to the user's. A negative duration or count is an error matching
// [ErrInvalidArgument]; no node is made.
type Config struct {
	// Timeouts is the node's timeout configuration: genserver calls to
	// the node's servers without a deadline (the callee's node) and
	// supervised sends (the calling process's node, else the
	// destination's) resolve their default timeouts in it. Default:
	// timeouts.Default().
	Timeouts *timeouts.Config
	// Logger is the node's logger: supervisor reports, applications and
	// services on the node log through it unless given a logger of their
	// own. Default: slog.Default().
	Logger *slog.Logger
	// Telemetry is the node's telemetry registry: the events of the
	// behaviours and services on the node (genserver call timeouts,
	// supervisor reports through the telemetry bridge, send outcomes, dead
	// letters, schedules, health and monitor events) are published on it
	// unless a service is given a registry of its own. Default:
	// telemetry.Default().
	Telemetry *telemetry.Registry
	// OnDeadLetter receives the messages a bounded mailbox dropped under
	// the [DeadLetterWhenFull] policy. It runs on the sender's goroutine
	// and must not block. Default: none (the sender's *[MailboxFullError],
	// with Dropped set, is then all that reports them).
	OnDeadLetter func(DeadLetter)
	// ZombieGrace is how long a killed process's goroutine may keep
	// running before it is reported as a zombie. Default: 1 s.
	ZombieGrace time.Duration
	// StopGrace is how long [Node.Stop] waits, when its context has no
	// deadline, between asking processes to shut down and killing them.
	// Default: 5 s.
	StopGrace time.Duration
	// MaxIdleWorkers is how many idle worker goroutines the node keeps
	// for reuse. Idle processes never hold a goroutine; this bounds only
	// the pool of warm goroutines. Default: 8 × GOMAXPROCS, at least 64.
	MaxIdleWorkers int
	// PanicPassThrough makes panics in process code crash the program
	// instead of becoming exit reasons. It is a debugging aid (the panic
	// keeps its original stack in the crash dump); never use it in
	// production. Default: off.
	PanicPassThrough bool
	// ProcessLabels makes every process run with the pprof labels
	// orchard.pid and orchard.behaviour (besides orchard.node and
	// orchard.worker, which every worker carries: its node and its own
	// number), so a CPU profile can be broken down per process (go tool
	// pprof -tagfocus / -tagshow). It costs a few small allocations (the
	// PID's text and a label context) each time a process is scheduled,
	// so it is off by default: turn it on while profiling.
	ProcessLabels bool
}

// applyNode sets the non-zero fields of c, after checking them all: a
// refused Config changes nothing.
func (c Config) applyNode(cfg *nodeConfig) error {
	const op = "process: NewNode"
	switch {
	case c.ZombieGrace < 0:
		return invalidOption(op, "Config.ZombieGrace", fmt.Sprintf("%v is negative", c.ZombieGrace))
	case c.StopGrace < 0:
		return invalidOption(op, "Config.StopGrace", fmt.Sprintf("%v is negative", c.StopGrace))
	case c.MaxIdleWorkers < 0:
		return invalidOption(op, "Config.MaxIdleWorkers", fmt.Sprintf("%d is negative", c.MaxIdleWorkers))
	}
	if c.Timeouts != nil {
		cfg.env.Timeouts = c.Timeouts
	}
	if c.Logger != nil {
		cfg.env.Logger = c.Logger
	}
	if c.Telemetry != nil {
		cfg.env.Telemetry = c.Telemetry
	}
	if c.OnDeadLetter != nil {
		cfg.deadLetter = c.OnDeadLetter
	}
	if c.ZombieGrace > 0 {
		cfg.zombieGrace = c.ZombieGrace
	}
	if c.StopGrace > 0 {
		cfg.stopGrace = c.StopGrace
	}
	if c.MaxIdleWorkers > 0 {
		cfg.maxIdleWorkers = c.MaxIdleWorkers
	}
	if c.PanicPassThrough {
		cfg.panicPassThrough = true
	}
	if c.ProcessLabels {
		cfg.processLabels = true
	}
	return nil
}

// applyOption applies the i-th option given to NewNode; a nil option, a
// nil *Config included, is an error.
func applyOption(cfg *nodeConfig, i int, o Option) error {
	if c, ok := o.(*Config); o == nil || (ok && c == nil) {
		return invalidOption("process: NewNode", "opts["+strconv.Itoa(i)+"]", "is nil")
	}
	return o.applyNode(cfg)
}

// SpawnOption configures one spawned process. Options are plain values
// (no allocation per spawn); build them with the functions below. An
// invalid option, or the zero SpawnOption (the "nil option" of this value
// type), is reported by the spawn that uses it as an *[ArgumentError],
// which matches [ErrInvalidArgument] and [ErrInvalidOption].
type SpawnOption struct {
	kind     spawnOptionKind
	str      string
	limit    int
	policy   OverflowPolicy
	err      error
	announce func(*Proc)
	label    *string // rt.Behaviour's name, shared by the processes it labels
}

type spawnOptionKind uint8

const (
	optNone spawnOptionKind = iota
	optLink
	optTrap
	optName
	optBehaviour
	optMailbox
	optInline
	optAnnounce
)

type spawnConfig struct {
	link      bool
	trapExit  bool
	name      string
	behaviour *string
	limit     int
	overflow  OverflowPolicy
	inline    bool
	announce  func(*Proc)
}

func (o SpawnOption) apply(c *spawnConfig) error {
	if o.err != nil {
		return o.err
	}
	switch o.kind {
	case optLink:
		c.link = true
	case optTrap:
		c.trapExit = true
	case optName:
		c.name = o.str
	case optBehaviour:
		c.behaviour = o.label
	case optMailbox:
		c.limit, c.overflow = o.limit, o.policy
	case optInline:
		c.inline = true
	case optAnnounce:
		c.announce = o.announce
	default:
		return invalidOption("process: spawn", "option", "is the zero SpawnOption")
	}
	return nil
}

// Linked links the new process to the spawning process before it runs, as
// spawn_link does. It needs a parent: it is invalid in [Node.Spawn].
func Linked() SpawnOption { return SpawnOption{kind: optLink} }

// TrapExits makes the new process trap exits from its first instruction.
func TrapExits() SpawnOption { return SpawnOption{kind: optTrap} }

// WithName registers the new process under a local name before it runs.
// The spawn fails with [ErrNameTaken] if the name is in use.
func WithName(name string) SpawnOption {
	if name == "" {
		return SpawnOption{err: invalidOption("process: WithName", "name", "is empty")}
	}
	return SpawnOption{kind: optName, str: name}
}

// WithMailbox bounds the process's mailbox to limit messages, with the
// given overflow policy. Exit and Down messages are never refused.
func WithMailbox(limit int, policy OverflowPolicy) SpawnOption {
	if limit <= 0 {
		return SpawnOption{err: invalidOption("process: WithMailbox", "limit", fmt.Sprintf("%d is not positive", limit))}
	}
	if policy.kind == overflowBlock && policy.wait <= 0 {
		return SpawnOption{err: invalidOption("process: WithMailbox", "policy", "BlockWhenFull needs a positive wait")}
	}
	return SpawnOption{kind: optMailbox, limit: limit, policy: policy}
}

type overflowKind uint8

const (
	overflowReject overflowKind = iota
	overflowDeadLetter
	overflowBlock
)

// OverflowPolicy says what a bounded mailbox does with a message that does
// not fit. Build one with [RejectWhenFull], [DeadLetterWhenFull] or
// [BlockWhenFull].
type OverflowPolicy struct {
	kind overflowKind
	wait time.Duration
}

// RejectWhenFull refuses the message: Send returns a *[MailboxFullError].
func RejectWhenFull() OverflowPolicy { return OverflowPolicy{kind: overflowReject} }

// DeadLetterWhenFull hands the message to the node's dead-letter hook and
// returns a *[MailboxFullError] with Dropped set.
func DeadLetterWhenFull() OverflowPolicy { return OverflowPolicy{kind: overflowDeadLetter} }

// BlockWhenFull makes Send wait up to max for room, then fail with a
// *[MailboxFullError].
func BlockWhenFull(max time.Duration) OverflowPolicy {
	return OverflowPolicy{kind: overflowBlock, wait: max}
}

// String names the policy.
func (o OverflowPolicy) String() string {
	switch o.kind {
	case overflowDeadLetter:
		return "dead-letter"
	case overflowBlock:
		return "block(" + o.wait.String() + ")"
	}
	return "reject"
}

// DeadLetter is a message a bounded mailbox could not take.
type DeadLetter struct {
	To     PID
	From   PID
	Msg    Msg
	Reason error
}
