package supervisor

import (
	"context"
	"errors"
	"log/slog"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/process"
)

// status of a child record; OTP keeps it in the pid field.
type childState int

const (
	stateStopped    childState = iota // pid undefined
	stateRunning                      // pid is a live child
	stateRestarting                   // a restart failed; a retry is queued
)

// child is one child record (OTP's #child{}).
type child struct {
	spec  ChildSpec
	pid   process.PID
	state childState
	args  []any // template children: the extra start arguments
	// proc watches the running child: its Done and exit Reason stay
	// readable after it died, so a shutdown that finds it dead reports
	// the real reason, whether or not its Exit message has arrived yet.
	// Zero if the child was already gone when it was recorded.
	proc process.Target
}

// sup is the supervisor's state, owned by its process (no locks). Static
// children are an ordered id slice plus a map, as supervisor.erl keeps
// {Ids, Db}; ids is in start order.
type sup struct {
	self     *genserver.Self
	flags    Flags
	ids      []string
	children map[string]*child
	byPID    map[process.PID]*child
	restarts restartWindow
	opts     options
	logger   *slog.Logger

	// dynamic supervisors
	dynamic     bool
	template    *Template
	maxChildren int
	dyn         *dynTable // keyed by pid (old pid while restarting)
	dynRestarts int
	adoptions   *adoptions // children of TemporaryStarters not yet in dyn; nil if none was made

	initial []ChildSpec // static children to start at boot
}

// tryAgain is the message a supervisor sends itself to retry a failed
// restart after serving the requests already queued.
type tryAgain struct {
	id  string
	pid process.PID // dynamic children
}

func newSup(flags Flags, opts options) *sup {
	s := &sup{
		flags:    flags,
		children: make(map[string]*child),
		byPID:    make(map[process.PID]*child),
		opts:     opts,
	}
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
	s.initial = append([]ChildSpec(nil), spec.Children...)
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
	s.dynamic = true
	s.template = spec.Template
	s.maxChildren = spec.MaxChildren
	s.dyn = newDynTable(node.ID())
	return s.start(node, parent)
}

func (s *sup) start(node *process.Node, parent *process.Proc) (process.PID, error) {
	if s.logger == nil {
		s.logger = nodeenv.Logger(node)
	}
	gopts := []genserver.StartOption{genserver.WithInitTimeout(infiniteInit)}
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

// Init traps exits and starts the static children in order.
func (s *sup) Init(self *genserver.Self) error {
	s.self = self
	self.TrapExit(true)
	if s.dynamic {
		return nil
	}
	for _, spec := range s.initial {
		s.children[spec.ID] = &child{spec: spec}
		s.ids = append(s.ids, spec.ID)
	}
	s.initial = nil
	if failed, err := s.startChildren(s.ids, false); err != nil {
		if !s.alive() || !s.terminateChildren(s.ids) {
			return s.self.Reason() // killed during the boot
		}
		return process.ShutdownWith(&StartChildError{ID: failed, Reason: err})
	}
	return nil
}

// HandleInfo reacts to child exits and queued restart retries.
func (s *sup) HandleInfo(_ *genserver.Self, msg any) error {
	s.adopt()
	switch m := msg.(type) {
	case process.Exit:
		return s.childExited(m.From, m.Reason)
	case tryAgain:
		return s.retry(m)
	}
	return nil
}

// HandleCall serves the admin API.
func (s *sup) HandleCall(_ *genserver.Self, _ genserver.From, req any) (any, error) {
	s.adopt()
	switch r := req.(type) {
	case startChildReq:
		if s.dynamic {
			return s.startDynamicChild(r.c)
		}
		return s.startChild(r.c)
	case startTemplateReq:
		return s.startTemplateChild(r.args)
	case terminateChildReq:
		return struct{}{}, s.terminateChildByID(r.id)
	case terminatePIDReq:
		return struct{}{}, s.terminateChildByPID(r.pid)
	case restartChildReq:
		return s.restartChild(r.id)
	case deleteChildReq:
		return struct{}{}, s.deleteChild(r.id)
	case whichChildrenReq:
		return s.whichChildren(), nil
	case countChildrenReq:
		return s.countChildren(), nil
	case temporaryStarterReq:
		return s.startAdopting()
	}
	return nil, &SpecError{Field: "request", Reason: "unknown supervisor request"}
}

// Terminate stops every child: static ones one by one in reverse start
// order, dynamic ones all at once.
func (s *sup) Terminate(_ *genserver.Self, _ error) {
	if s.adoptions != nil {
		s.adoptions.close() // a Start from now on fails: none is left behind
	}
	s.adopt()
	if s.dynamic {
		s.terminateDynamicChildren()
		return
	}
	s.terminateChildren(s.ids)
}

// startOne runs a child's start function. ignored reports OTP's ignore.
// A supervisor that is dead, or dies while the child starts, starts
// nothing and reports nothing: the error is its own exit reason (a child
// that started meanwhile has its link to the dead supervisor to deal
// with, as in OTP). A start function that returns the zero PID with a nil
// error failed: OTP takes anything but {ok, Pid}, ignore or {error, E} as
// the error it is.
func (s *sup) startOne(c *child) (pid process.PID, ignored bool, err error) {
	if !s.alive() {
		return process.PID{}, false, s.self.Reason()
	}
	pid, err = s.callStart(c)
	if !s.alive() {
		return process.PID{}, false, s.self.Reason()
	}
	if errors.Is(err, process.ErrIgnored) {
		return process.PID{}, true, nil
	}
	if err == nil && pid.IsZero() {
		err = ErrBadStartReturn
	}
	if err != nil {
		s.report("start_error", err, offenderOf(c))
		if s.opts.hook != nil {
			s.emit(StartFailed{Supervisor: s.self.PID(), ID: c.spec.ID, Reason: err})
		}
		return process.PID{}, false, err
	}
	s.progress(c, pid)
	return pid, false, nil
}

// progress logs OTP's progress report for a started child at debug
// level; it costs one Enabled check when debug logging is off.
func (s *sup) progress(c *child, pid process.PID) {
	if !s.logger.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	off := offenderOf(c)
	off.pid = pid
	s.logger.LogAttrs(context.Background(), slog.LevelDebug, "supervisor progress",
		slog.String("supervisor", s.name()), off.attr("started"))
}

// callStart runs the start function; a panic in it is a failed start, not
// a crash of the supervisor (OTP catches the start call too).
func (s *sup) callStart(c *child) (pid process.PID, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &process.PanicError{Value: r}
		}
	}()
	if s.dynamic && s.template != nil {
		return s.template.Start(s.self.Proc, c.args...)
	}
	return c.spec.Start(s.self.Proc)
}

func (s *sup) setRunning(c *child, pid process.PID) {
	if c.state == stateRunning {
		delete(s.byPID, c.pid)
	}
	s.track(c, pid)
	s.byPID[pid] = c
}

// track records pid as c's running process.
func (s *sup) track(c *child, pid process.PID) {
	c.pid, c.state = pid, stateRunning
	c.proc, _ = s.self.Node().Lookup(pid)
}

func (s *sup) setStopped(c *child) {
	if c.state == stateRunning {
		delete(s.byPID, c.pid)
	}
	c.pid, c.state, c.proc = process.PID{}, stateStopped, process.Target{}
}

// startChildren starts ids in order (OTP's start_children). On a failure
// it returns the failing id and its error; children after it are left
// stopped. Temporary children that return ignore are dropped.
// restart says whether this is a group restart (for the events).
func (s *sup) startChildren(ids []string, restart bool) (string, error) {
	for _, id := range append([]string(nil), ids...) {
		c := s.children[id]
		pid, ignored, err := s.startOne(c)
		switch {
		case err != nil:
			return id, err
		case ignored:
			s.setStopped(c)
			if c.spec.Restart == Temporary {
				s.removeChild(id)
			}
		default:
			s.setRunning(c, pid)
			if s.opts.hook != nil {
				s.emit(ChildStarted{Supervisor: s.self.PID(), ID: id, PID: pid, Restart: restart})
			}
		}
	}
	return "", nil
}

func (s *sup) removeChild(id string) {
	c, ok := s.children[id]
	if !ok {
		return
	}
	if c.state == stateRunning {
		delete(s.byPID, c.pid)
	}
	delete(s.children, id)
	for i, x := range s.ids {
		if x == id {
			s.ids = append(s.ids[:i], s.ids[i+1:]...)
			break
		}
	}
}

// emit publishes e. Callers test s.opts.hook first, so that without a
// hook no event value is built and boxed on the restart path. A dead
// supervisor publishes nothing.
func (s *sup) emit(e Event) {
	if s.opts.hook != nil && s.alive() {
		s.opts.hook(e)
	}
}

// offender is what a report says about the child concerned (OTP's
// offender list), captured before the child record changes.
type offender struct {
	id       string
	pid      process.PID
	restart  Restart
	shutdown Shutdown
	typ      ChildType
}

func offenderOf(c *child) offender {
	return offender{id: c.spec.ID, pid: c.pid, restart: c.spec.Restart, shutdown: c.spec.shutdown(), typ: c.spec.Type}
}

// report logs an OTP-style supervisor error report; a dead supervisor
// logs nothing.
func (s *sup) report(errorContext string, reason error, off offender) {
	if !s.logger.Enabled(context.Background(), slog.LevelError) || !s.alive() {
		return
	}
	s.logger.LogAttrs(context.Background(), slog.LevelError, "supervisor report",
		slog.String("supervisor", s.name()),
		slog.String("errorContext", errorContext),
		slog.String("reason", process.FormatReason(reason)),
		off.attr("offender"))
}

// attr renders the offender as a group attribute named key.
func (off offender) attr(key string) slog.Attr {
	return slog.Group(key,
		slog.String("id", off.id),
		slog.String("pid", off.pid.String()),
		slog.String("restart_type", off.restart.String()),
		slog.String("shutdown", off.shutdown.String()),
		slog.String("child_type", off.typ.String()))
}

func (s *sup) name() string {
	if s.opts.name != "" {
		return s.opts.name
	}
	return s.self.PID().String()
}
