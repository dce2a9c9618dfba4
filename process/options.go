package process

import (
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/internal/nodeenv/envkey"
)

// Option configures a [Node]. Options are built by the With… functions of
// this package; an option that does not apply is rejected by [NewNode].
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

// WithDeadLetterHook sets the function that receives messages a bounded
// mailbox dropped under the [DeadLetterWhenFull] policy. The hook runs on
// the sender's goroutine and must not block.
func WithDeadLetterHook(hook func(DeadLetter)) Option {
	return nodeOption(func(c *nodeConfig) error {
		if hook == nil {
			return invalidOption("process: WithDeadLetterHook", "hook", "is nil")
		}
		c.deadLetter = hook
		return nil
	})
}

// WithProcessLabels makes every process run with the pprof labels
// orchard.pid and orchard.behaviour (besides orchard.node and
// orchard.worker, which every worker carries: its node and its own
// number), so a CPU profile can be broken down per process
// (go tool pprof -tagfocus / -tagshow). It costs a few small allocations
// (the PID's text and a label context) each time a process is scheduled,
// so it is off by default: turn it on while profiling.
func WithProcessLabels() Option {
	return nodeOption(func(c *nodeConfig) error {
		c.processLabels = true
		return nil
	})
}

// WithZombieGrace sets how long a killed process's goroutine may keep
// running before it is reported as a zombie (default 1 s).
func WithZombieGrace(d time.Duration) Option {
	return nodeOption(func(c *nodeConfig) error {
		if d <= 0 {
			return invalidOption("process: WithZombieGrace", "d", fmt.Sprintf("%v is not positive", d))
		}
		c.zombieGrace = d
		return nil
	})
}

// WithStopGrace sets how long [Node.Stop] waits, when its context has no
// deadline, between asking processes to shut down and killing them
// (default 5 s).
func WithStopGrace(d time.Duration) Option {
	return nodeOption(func(c *nodeConfig) error {
		if d <= 0 {
			return invalidOption("process: WithStopGrace", "d", fmt.Sprintf("%v is not positive", d))
		}
		c.stopGrace = d
		return nil
	})
}

// WithMaxIdleWorkers sets how many idle worker goroutines the node keeps
// for reuse (default 8 × GOMAXPROCS, at least 64). Idle processes never
// hold a goroutine; this bounds only the pool of warm goroutines.
func WithMaxIdleWorkers(n int) Option {
	return nodeOption(func(c *nodeConfig) error {
		if n < 0 {
			return invalidOption("process: WithMaxIdleWorkers", "n", fmt.Sprintf("%d is negative", n))
		}
		c.maxIdleWorkers = n
		return nil
	})
}

// WithPanicPassThrough makes panics in process code crash the program
// instead of becoming exit reasons. It is a debugging aid (the panic keeps
// its original stack in the crash dump); never use it in production.
func WithPanicPassThrough() Option {
	return nodeOption(func(c *nodeConfig) error {
		c.panicPassThrough = true
		return nil
	})
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
	behaviour string
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
		c.behaviour = o.str
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

// WithBehaviour labels the process with the behaviour it runs (for
// example "genserver"); Info and zombie reports show it. An empty name
// labels nothing: the spawn using it fails with an *[ArgumentError].
func WithBehaviour(name string) SpawnOption {
	if name == "" {
		return SpawnOption{err: invalidOption("process: WithBehaviour", "name", "is empty")}
	}
	return SpawnOption{kind: optBehaviour, str: name}
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
