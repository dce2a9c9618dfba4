package supervisor

import (
	"errors"
	"log/slog"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/internal/supinfo"
	"github.com/seed-fe72f376/orchard/process"
)

// How the supervisor is built (internal notes).
//
// A supervisor is one genserver process whose state is a sup: the part
// every supervisor shares (its Self, flags, restart window, options and
// logger, the reports and events it emits, the start and the shutdown of
// one child) plus an executor, which keeps the children and carries out
// what the shared part decides. There are two executors:
//
//   - static: the children of a Spec and of StartChild, kept as OTP's
//     {Ids, Db}: ids in start order plus a map by id (and an index by PID for
//     the exits). It restarts by strategy and stops its children one at a
//     time in reverse start order.
//   - dynamic: the children of a DynamicSpec, kept by PID in a dynTable.
//     It is one_for_one, stops its children all at once, and owns the
//     queue of children that TemporaryStarters spawned behind its back:
//     each of its entry points reads the table through dynamic.table,
//     which files them first, so it knows them before it sees their exits
//     or answers a request about them.
//
// The gen_server callbacks below dispatch once to the executor. The files:
//
//	server.go         start functions, sup, the executor interface, gen_server callbacks
//	restart.go        from a child's exit to its replacement, top to bottom (both executors)
//	strategy.go       the pure decisions: restart type x reason, the group a strategy restarts
//	window.go         the restart intensity window
//	child.go          the child record and the start of one child
//	terminate.go      the shutdown of one child, and the wait for many at once
//	report.go         events, OTP-style reports and progress logs
//	static.go         the static executor: its {Ids, Db} table, boot and terminate
//	static_admin.go   the static executor's admin calls
//	dynamic.go        the dynamic executor: its table and adoption queue, terminate
//	dynamic_admin.go  the dynamic executor's admin calls
//	dyntable.go       the dynamic children's table, by PID
//	temporary.go      TemporaryStarter and the adoption queue it fills
//	api.go, dynamic_api.go, spec.go, childspecs.go, events.go, errors.go: the exported API

// infiniteInit bounds a supervisor's boot: OTP waits forever; we wait an
// hour, which no sane tree reaches, so Start never blocks unboundedly.
const infiniteInit = time.Hour

// sup is the supervisor's state, owned by its process (no locks).
type sup struct {
	self     *genserver.Self
	flags    Flags
	restarts restartWindow
	info     *supinfo.Rec // this supervisor's entry in the node's table (observer)
	opts     options
	logger   *slog.Logger
	exec     executor // the static or dynamic children; set once by the constructor
	// Delayed restarts (backoff.go): the timers pending, by the gen of
	// their delayedRestart, and the last gen given.
	pending  map[uint64]process.TimerRef
	delaySeq uint64
}

// executor keeps a supervisor's children and carries out the decisions
// of the shared part. The gen_server callbacks call the first three; the
// restart path (restart.go) and the start of a child (child.go) the
// others.
type executor interface {
	// initChildren starts the children a supervisor boots with (Init).
	initChildren() error
	// handleCall serves one admin request.
	handleCall(req any) (any, error)
	// terminateAll stops every child as the supervisor terminates.
	terminateAll()

	// findRunning returns the running child pid, or nil.
	findRunning(pid process.PID) *child
	// findRetried returns the child a tryAgain is for, or nil.
	findRetried(m tryAgain) *child
	// restartByStrategy restarts c, and the children its exit takes
	// along, once the restart was counted; it returns the retry to queue
	// if a start failed.
	restartByStrategy(c *child) *tryAgain
	// delChild forgets the dead child c (OTP's del_child).
	delChild(c *child)
	// setRestarting marks the dead child c restarting, its restart
	// delayed (backoff.go).
	setRestarting(c *child)
	// anySignificantRunning reports whether a significant child lives.
	anySignificantRunning() bool
	// runStart runs c's start function.
	runStart(c *child) (process.PID, error)
}

// tryAgain is the message a supervisor sends itself to retry a failed
// restart after serving the requests already queued.
type tryAgain struct {
	id  string
	pid process.PID // dynamic children
}

func newSup(flags Flags, opts options) *sup {
	s := &sup{flags: flags, opts: opts}
	s.logger = s.opts.logger // nil: the node's logger, set by start
	s.restarts.init(flags.intensity(), flags.period())
	return s
}

// Start starts a static supervisor with no parent and returns once every
// child has started. A spec error is returned before anything starts; a
// child that fails to start aborts the boot: the children already started
// are stopped in reverse order and the error is
// process.ShutdownWith(*StartChildError) (see [BootError]). A nil node or
// option, or an invalid spec, is bad input ([ErrInvalidArgument]).
func Start(node *process.Node, spec Spec, opts ...Option) (process.PID, error) {
	if node == nil {
		return process.PID{}, argerr.Nil("supervisor: Start", "node")
	}
	return startStatic("supervisor: Start", node, nil, spec, opts)
}

// StartLink starts a static supervisor linked to parent (supervisor:
// start_link). See [Start].
func StartLink(parent *process.Proc, spec Spec, opts ...Option) (process.PID, error) {
	if parent == nil {
		return process.PID{}, argerr.Nil("supervisor: StartLink", "parent")
	}
	return startStatic("supervisor: StartLink", parent.Node(), parent, spec, opts)
}

func startStatic(op string, node *process.Node, parent *process.Proc, spec Spec, opts []Option) (process.PID, error) {
	o, err := applyOptions(op, opts)
	if err != nil {
		return process.PID{}, err
	}
	if err := spec.validate(); err != nil {
		return process.PID{}, err
	}
	s := newSup(spec.Flags, o)
	s.exec = newStatic(s, spec.Children)
	return s.start(node, parent)
}

func startDynamic(op string, node *process.Node, parent *process.Proc, spec DynamicSpec, opts []Option) (process.PID, error) {
	o, err := applyOptions(op, opts)
	if err != nil {
		return process.PID{}, err
	}
	if err := spec.validate(); err != nil {
		return process.PID{}, err
	}
	s := newSup(spec.Flags, o)
	s.exec = newDynamic(s, spec, node.ID())
	return s.start(node, parent)
}

func (s *sup) start(node *process.Node, parent *process.Proc) (process.PID, error) {
	if s.logger == nil {
		s.logger = nodeenv.Logger(node)
	}
	// A supervisor handles every admin request even when its caller gave
	// up while it waited (genserver.HandleAbandoned), as OTP does: a
	// terminate_child or start_child changes the tree, so dropping it as
	// abandoned work would make a timed-out call's effect depend on how
	// busy the supervisor was.
	gopts := []genserver.StartOption{genserver.WithInitTimeout(infiniteInit), genserver.HandleAbandoned()}
	if s.opts.name != "" {
		gopts = append(gopts, genserver.WithName(s.opts.name))
	}
	var pid process.PID
	var err error
	if parent != nil {
		pid, err = genserver.StartLink(parent, s, gopts...)
	} else {
		pid, err = genserver.Start(node, s, gopts...)
	}
	var ie *genserver.InitError
	if errors.As(err, &ie) {
		return process.PID{}, ie.Reason
	}
	return pid, err
}

// Init traps exits and starts the initial children in order.
func (s *sup) Init(self *genserver.Self) error {
	s.self = self
	self.TrapExit(true)
	_, dynamic := s.exec.(*dynamic)
	s.info = supinfo.Add(self.Node(), self.PID(), s.flags.Strategy.String(), dynamic, s.flags.intensity(), s.flags.period())
	return s.exec.initChildren()
}

// HandleInfo reacts to child exits and queued restart retries
// (restart.go).
func (s *sup) HandleInfo(_ *genserver.Self, msg any) error {
	switch m := msg.(type) {
	case process.Exit:
		return s.childExited(m.From, m.Reason)
	case tryAgain:
		return s.retry(m)
	case delayedRestart:
		return s.delayedRestartDue(m)
	}
	return nil
}

// HandleCall serves the admin API.
func (s *sup) HandleCall(_ *genserver.Self, _ genserver.From, req any) (any, error) {
	return s.exec.handleCall(req)
}

// Terminate stops every child: static ones one by one in reverse start
// order, dynamic ones all at once.
func (s *sup) Terminate(_ *genserver.Self, _ error) {
	s.cancelDelayedRestarts()
	s.exec.terminateAll()
}

// unknownRequest answers a request no supervisor serves.
func unknownRequest() error {
	return &SpecError{Field: "request", Reason: "unknown supervisor request"}
}
