package osproc

import (
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// Start runs c as a new process of node with no parent, and returns once
// the command runs (or with its *StartError). The process traps exits:
// an exit signal (node.Exit(pid, process.Shutdown), its owner's death)
// stops the command with SIGTERM, then SIGKILL after KillGrace, and the
// process ends with the signal's reason once the command is reaped.
// Killing the process (process.Kill) sends SIGKILL at once.
func Start(node *process.Node, c Command) (process.PID, error) {
	const op = "osproc: Start"
	if node == nil {
		return process.PID{}, argerr.Nil(op, "node")
	}
	if err := c.validate(op); err != nil {
		return process.PID{}, err
	}
	return start(c, false, func(fn process.Func, opts ...process.SpawnOption) (process.PID, error) {
		return node.Spawn(fn, opts...)
	})
}

// StartLink runs c as a process linked to parent, and returns once the
// command runs (or with its *StartError); see [Start]. An exit signal
// from parent stops the command as [Start] says; under a supervisor, use
// [Child] instead, so that the child spec's Shutdown decides when
// SIGKILL follows SIGTERM.
func StartLink(parent *process.Proc, c Command) (process.PID, error) {
	const op = "osproc: StartLink"
	if parent == nil {
		return process.PID{}, argerr.Nil(op, "parent")
	}
	if err := c.validate(op); err != nil {
		return process.PID{}, err
	}
	return startLink(parent, c, false)
}

func startLink(parent *process.Proc, c Command, supervised bool) (process.PID, error) {
	return start(c, supervised, func(fn process.Func, opts ...process.SpawnOption) (process.PID, error) {
		return parent.Spawn(fn, append(opts, process.Linked())...)
	})
}

func start(c Command, supervised bool, spawn func(process.Func, ...process.SpawnOption) (process.PID, error)) (process.PID, error) {
	r := &runner{c: c.withDefaults(), supervised: supervised}
	ready := make(chan error, 1)
	pid, err := spawn(func(p *process.Proc) error {
		return r.run(p, ready)
	}, process.TrapExits(), asOSProcCommand)
	if err != nil {
		return process.PID{}, err
	}
	var done <-chan struct{}
	t, err := rt.Lookup(pid)
	if err == nil {
		done = t.Done()
	} else {
		closed := make(chan struct{})
		close(closed)
		done = closed
	}
	select {
	case err := <-ready:
		return startResult(pid, err)
	case <-done:
		// The process is dead; it may have reported first (a command
		// that failed to start, or one that already ran to its end).
		select {
		case err := <-ready:
			return startResult(pid, err)
		default:
			return process.PID{}, &StartError{Path: c.Path, Op: "start", Err: t.Reason()}
		}
	}
}

func startResult(pid process.PID, err error) (process.PID, error) {
	if err != nil {
		return process.PID{}, err
	}
	return pid, nil
}

// Child returns the child spec of a permanent worker id that runs c
// under a supervisor: a command that exits abnormally is restarted as a
// process would be (Transient: restarted unless status 0; Temporary:
// never). The supervisor's shutdown follows the spec's Shutdown: SIGTERM
// to the command's process group at once, SIGKILL when the Shutdown time
// passes (BrutalKill: SIGKILL at once; Infinity: SIGTERM only). Invalid
// c makes every start fail with an error matching ErrInvalidArgument.
func Child(id string, c Command) supervisor.ChildSpec {
	return supervisor.ChildSpec{
		ID: id,
		Start: func(parent *process.Proc) (process.PID, error) {
			const op = "osproc: Child"
			if parent == nil {
				return process.PID{}, argerr.Nil(op, "parent")
			}
			if err := c.validate(op); err != nil {
				return process.PID{}, err
			}
			return startLink(parent, c, true)
		},
	}
}

// SupervisorSpec is the dedicated supervisor of a group of commands.
type SupervisorSpec struct {
	// Flags are the commands supervisor's own flags (strategy,
	// intensity); the zero value is OTP's default, one_for_one with at
	// most 1 restart in 5 s.
	supervisor.Flags
	// Children are the commands, usually made with [Child].
	Children []supervisor.ChildSpec
	// Escalate makes the commands supervisor an ordinary permanent child
	// of its parent: when it reaches its intensity and dies, the parent
	// restarts it and counts that restart in its own intensity. By
	// default it is a temporary child, so its failure stops at it.
	Escalate bool
}

// Supervisor returns the child spec of a dedicated supervisor id for
// commands, to put in an application's tree next to the agents. It is
// isolated from its siblings: commands that crash too often exhaust only
// its intensity, and when it gives up it is not restarted, so neither its
// parent's intensity nor the agents are affected (unless Escalate). Its
// Shutdown is Infinity, so its commands stop in their own order, each by
// its own Shutdown.
func Supervisor(id string, spec SupervisorSpec) supervisor.ChildSpec {
	cs := supervisor.Subtree(id, supervisor.Spec{Flags: spec.Flags, Children: spec.Children})
	if !spec.Escalate {
		cs.Restart = supervisor.Temporary
	}
	return cs
}

// The behaviour labels of the processes spawned here, made once: an
// option made at every spawn would allocate its label every time.
var (
	asOSProcCommand = rt.Behaviour("osproc.command")
)
