package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// state is an application's lifecycle state. Legal transitions:
// new → starting → running → stopping → stopped; starting → stopping
// (a failed start, or Stop during Start); new → stopped (Stop before
// Start); any state → stopped by Kill.
type state int

const (
	stateNew      state = iota // created, not started
	stateStarting              // Start is starting the parts
	stateRunning               // every part started
	stateStopping              // Stop (or a failed Start) is stopping the parts
	stateStopped               // done; Start and Stop return ErrStopped
)

// root is a started part: its name and its root process.
type root struct {
	name string
	t    rt.Target
}

// App is a running application: an ordered list of parts (supervision
// trees or services) on one node, started in order and stopped in reverse
// order. Create it with [New]; its methods are safe for concurrent use.
// An App is used once: after Stop it cannot be started again.
type App struct {
	node *process.Node
	spec Spec
	cfg  config

	stopBegun chan struct{} // closed when Stop, Kill or a failed Start begins stopping
	stopDone  chan struct{} // closed when the application is stopped

	mu      sync.Mutex // protects the fields below
	state   state
	killed  bool
	running []root   // started parts not yet stopped, in start order
	all     []root   // every part ever started, in start order (for Kill and PID)
	onStop  []func() // RegisterOnStop hooks, in registration order
}

// New checks spec and opts and returns an application ready to Start on
// node. It starts nothing. Errors: a *[SpecError] or an *[OptionError]
// (both match [ErrInvalidArgument]), or process.ErrNodeStopped when node
// has stopped; no App is made then.
func New(node *process.Node, spec Spec, opts ...Option) (*App, error) {
	if node == nil {
		return nil, &SpecError{Field: "node", Reason: "nil node"}
	}
	if err := spec.validate(); err != nil {
		return nil, err
	}
	cfg := config{shutdownTimeout: DefaultShutdownTimeout}
	for i, o := range opts {
		if o == nil {
			return nil, &OptionError{Option: fmt.Sprintf("opts[%d]", i), Reason: "nil option"}
		}
		if err := o.apply(&cfg); err != nil {
			return nil, err
		}
	}
	if node.Stopped() {
		return nil, process.ErrNodeStopped
	}
	if cfg.logger == nil {
		cfg.logger = nodeenv.Logger(node)
	}
	cfg.logger = cfg.logger.With(slog.String("application", spec.Name))
	spec.Parts = slices.Clone(spec.Parts)
	return &App{
		node:      node,
		spec:      spec,
		cfg:       cfg,
		stopBegun: make(chan struct{}),
		stopDone:  make(chan struct{}),
	}, nil
}

// Name returns the application's name ("" for a nil App).
func (a *App) Name() string {
	if a == nil {
		return ""
	}
	return a.spec.Name
}

// check returns the error of op on an App not made by New: a nil or zero
// App is bad input.
func (a *App) check(op string) error {
	if a == nil {
		return argerr.Nil(op, "receiver")
	}
	if a.node == nil {
		return argerr.New(op, "receiver", "is the zero App (use New)")
	}
	return nil
}

// PID returns the root process of the started part name (the zero PID and
// false if there is no such part or it has not been started). The PID
// stays valid after the root dies. A nil App has no parts.
func (a *App) PID(part string) (process.PID, bool) {
	if a == nil {
		return process.PID{}, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, r := range a.all {
		if r.name == part {
			return r.t.PID(), true
		}
	}
	return process.PID{}, false
}

// RegisterOnStop registers fn to run once the parts have stopped, at the
// end of Stop (or of a failed Start), in registration order, on the
// goroutine calling Stop. fn must not block for long: Stop waits for it
// beyond its own deadline. Hooks registered after that are never run
// (net/http's RegisterOnShutdown). Kill does not run them.
//
// A nil fn or a nil or zero App is an error matching [ErrInvalidArgument];
// nothing is registered then.
func (a *App) RegisterOnStop(fn func()) error {
	if err := a.check("app: App.RegisterOnStop"); err != nil {
		return err
	}
	if fn == nil {
		return argerr.Nil("app: App.RegisterOnStop", "fn")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.onStop = append(a.onStop, fn)
	return nil
}

// Start starts the parts in order (application:start). Each part starts
// synchronously: its start function (for a tree, supervisor.Start)
// returns once the root and everything below it is up. ctx is checked
// before each part; a part already starting is not interrupted.
//
// If a part fails, or ctx ends first, the parts already started are
// stopped in reverse order (bounded by the shutdown timeout, see
// [WithShutdownTimeout]), the OnStop hooks run, the application is
// stopped for good, and Start returns a *[StartError] naming the part.
// A second Start returns [ErrAlreadyStarted]; Start after Stop returns
// [ErrStopped]. A nil ctx or a nil or zero App is an error matching
// [ErrInvalidArgument]; nothing is started.
func (a *App) Start(ctx context.Context) error {
	if err := a.check("app: App.Start"); err != nil {
		return err
	}
	if ctx == nil {
		return argerr.Nil("app: App.Start", "ctx")
	}
	a.mu.Lock()
	switch a.state {
	case stateNew:
		a.state = stateStarting
	case stateStarting, stateRunning:
		a.mu.Unlock()
		return ErrAlreadyStarted
	default:
		a.mu.Unlock()
		return ErrStopped
	}
	a.mu.Unlock()
	t0 := time.Now()
	for _, p := range a.spec.Parts {
		if ctx.Err() != nil {
			return a.abortStart(p.Name, context.Cause(ctx))
		}
		r, err := a.startPart(p)
		if err != nil {
			return a.abortStart(p.Name, err)
		}
		if !a.addRunning(r) {
			a.stopLate(r)
			return ErrStopped
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.state != stateStarting { // Stop began after the last part started
		return ErrStopped
	}
	a.state = stateRunning
	a.cfg.logger.Info("app: started", slog.Int("parts", len(a.spec.Parts)), slog.Duration("took", time.Since(t0)))
	return nil
}

// startPart runs one part's start function and looks its root up.
func (a *App) startPart(p Part) (root, error) {
	t0 := time.Now()
	pid, err := callStart(p.startFunc(), a.node)
	if err == nil && pid.IsZero() {
		err = ErrNoProcess
	}
	var t rt.Target
	if err == nil {
		t, err = rt.LookupOn(a.node, pid) // a root that died at once is a failed start
	}
	if err != nil {
		a.cfg.logger.Error("app: part failed to start", slog.String("part", p.Name),
			slog.String("reason", process.FormatReason(err)), slog.Duration("took", time.Since(t0)))
		return root{}, err
	}
	a.cfg.logger.Info("app: part started", slog.String("part", p.Name),
		slog.String("pid", pid.String()), slog.Duration("took", time.Since(t0)))
	return root{name: p.Name, t: t}, nil
}

// callStart runs a start function. A panic in it is a failed start, as a
// panicking child start function is for a supervisor: the caller gets a
// *process.PanicError in the *StartError instead of a crashed program.
func callStart(start StartFunc, node *process.Node) (pid process.PID, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &process.PanicError{Value: r}
		}
	}()
	return start(node)
}

// addRunning records a started part; it returns false when Stop or Kill
// began meanwhile, and the caller must stop the part itself.
func (a *App) addRunning(r root) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.all = append(a.all, r)
	if a.state != stateStarting {
		return false
	}
	a.running = append(a.running, r)
	return true
}

// stopLate stops a part that finished starting after Stop or Kill began.
func (a *App) stopLate(r root) {
	a.mu.Lock()
	killed := a.killed
	a.mu.Unlock()
	if killed {
		_ = a.node.Exit(r.t.PID(), process.Kill)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.shutdownTimeout)
	defer cancel()
	_ = a.stopPart(ctx, r)
}

// abortStart undoes a failed Start: it stops what was started, in
// reverse order, and returns the *StartError.
func (a *App) abortStart(part string, cause error) error {
	serr := &StartError{App: a.spec.Name, Part: part, Err: cause}
	if !a.beginStop() {
		return serr // Stop or Kill is already stopping the parts
	}
	a.cfg.logger.Info("app: start failed, stopping started parts", slog.String("part", part))
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.shutdownTimeout)
	defer cancel()
	// A failed start leaves the node's resources open: closing them would
	// close them for good, and the node may start another application.
	serr.Rollback = a.finishStop(ctx, time.Now(), false)
	return serr
}

// beginStop moves a starting or running application to stopping. It
// returns false if it was already stopping or stopped.
func (a *App) beginStop() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch a.state {
	case stateStarting, stateRunning:
		a.state = stateStopping
		close(a.stopBegun)
		return true
	case stateNew:
		// Stop before Start: nothing to stop, but later calls fail.
		a.state = stateStopping
		close(a.stopBegun)
		return true
	}
	return false
}

// Stop stops the application (application:stop), bounded by ctx:
//
//  1. the parts are stopped one at a time in reverse start order, each
//     with supervisor.Stop(root, process.Shutdown, time left in ctx),
//     which stops its tree in order; each step is logged with the part's
//     name and how long it took, and reported to the [WithStopHook] hook;
//  2. when ctx ends (a ctx without deadline is bounded by the shutdown
//     timeout, [WithShutdownTimeout]), the part being stopped and those
//     not reached yet are left running, and Stop goes on;
//  3. the OnStop hooks run ([App.RegisterOnStop]).
//
// Cancelling ctx is noticed between parts; the deadline bounds every
// wait. Stop returns nil when every part stopped, a *[StopError] listing
// the parts still running otherwise (kill them with [App.Kill]), and
// [ErrStopped] on every call after the first. A part whose root had
// already exited counts as stopped. A nil ctx or a nil or zero App is an
// error matching [ErrInvalidArgument]; nothing is stopped.
func (a *App) Stop(ctx context.Context) error {
	if err := a.check("app: App.Stop"); err != nil {
		return err
	}
	if ctx == nil {
		return argerr.Nil("app: App.Stop", "ctx")
	}
	if !a.beginStop() {
		return ErrStopped
	}
	a.cfg.logger.Info("app: stopping")
	return a.finishStop(ctx, time.Now(), true)
}

// finishStop stops the running parts, runs the hooks and marks the
// application stopped. It is called once, after beginStop. With
// closeResources it then closes the node's resources (its embedded
// engine), which outlive every part and hook that may use them; only
// when every part stopped and no other process runs on the node, since
// anything still running may use them: otherwise Node.Stop closes them
// once its processes are gone.
func (a *App) finishStop(ctx context.Context, t0 time.Time, closeResources bool) error {
	err := a.stopAll(ctx)
	a.mu.Lock()
	hooks := a.onStop
	a.onStop = nil
	a.mu.Unlock()
	for _, fn := range hooks {
		fn()
	}
	var cerr error
	if closeResources && err == nil && a.node.Stats().Processes == 0 {
		if cerr = nodeenv.Close(ctx, a.node); cerr != nil {
			a.cfg.logger.Error("app: closing the node's resources failed", slog.String("reason", cerr.Error()))
		}
	}
	a.mu.Lock()
	a.state = stateStopped
	if !a.killed {
		close(a.stopDone)
	}
	a.mu.Unlock()
	if cerr != nil {
		err = errors.Join(err, cerr)
	} else if err != nil {
		a.cfg.logger.Error("app: stopped with parts still running", slog.String("reason", err.Error()), slog.Duration("took", time.Since(t0)))
	} else {
		a.cfg.logger.Info("app: stopped", slog.Duration("took", time.Since(t0)))
	}
	return err
}

// stopAll stops the running parts in reverse start order within ctx
// (bounded by the shutdown timeout when it has no deadline).
func (a *App) stopAll(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.cfg.shutdownTimeout)
		defer cancel()
	}
	var late []string
	for {
		r, ok := a.popRunning()
		if !ok {
			break
		}
		if !a.stopPart(ctx, r) {
			late = append(late, r.name)
		}
	}
	if len(late) == 0 {
		return nil
	}
	return &StopError{App: a.spec.Name, Parts: late, Err: ctxErr(ctx)}
}

// ctxErr is ctx's error once its deadline has passed. It is
// context.DeadlineExceeded while ctx's own timer has not fired yet
// (supervisor.Stop's timer, set to the same instant, may fire first).
func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return context.DeadlineExceeded
}

// popRunning takes the most recently started running part.
func (a *App) popRunning() (root, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.running) == 0 {
		return root{}, false
	}
	r := a.running[len(a.running)-1]
	a.running = a.running[:len(a.running)-1]
	return r, true
}

// stopPart stops one part within ctx, logs and reports the step, and
// returns whether the part's root is dead.
func (a *App) stopPart(ctx context.Context, r root) bool {
	t0 := time.Now()
	var err error
	dl, _ := ctx.Deadline()
	left := time.Until(dl)
	alreadyDead := !r.t.Alive()
	switch {
	case alreadyDead:
	case ctx.Err() != nil || left <= 0:
		err = fmt.Errorf("%w: not stopped: %w", ErrShutdownTimeout, ctxErr(ctx))
	default:
		err = supervisor.Stop(r.t.PID(), process.Shutdown, left)
	}
	took := time.Since(t0)
	attrs := []any{slog.String("part", r.name), slog.String("pid", r.t.PID().String()), slog.Duration("took", took)}
	stopped := !r.t.Alive()
	switch {
	case !stopped:
		if !errors.Is(err, ErrShutdownTimeout) {
			err = fmt.Errorf("%w: %w", ErrShutdownTimeout, err)
		}
		a.cfg.logger.Error("app: part did not stop in time", append(attrs, slog.String("reason", err.Error()))...)
	case alreadyDead || errors.Is(err, process.NoProc):
		err = nil
		a.cfg.logger.Info("app: part had already exited", append(attrs, slog.String("reason", process.FormatReason(r.t.Reason())))...)
	case err != nil:
		a.cfg.logger.Warn("app: part stopped", append(attrs, slog.String("reason", process.FormatReason(r.t.Reason())))...)
	default:
		a.cfg.logger.Info("app: part stopped", attrs...)
	}
	if a.cfg.stopHook != nil {
		a.cfg.stopHook(r.name, took, err)
	}
	return stopped
}

// Kill kills every part's root at once with process.Kill, in reverse
// start order, without waiting for a graceful stop (net/http's Close).
// Processes below a root get the root's exit signal through their links.
// Kill stops the application for good: later Start and Stop calls return
// [ErrStopped]; a Stop in progress returns when its waits end. OnStop
// hooks do not run. Kill does not block and may be called any number of
// times. It does nothing on a nil or zero App.
func (a *App) Kill() {
	if a.check("app: App.Kill") != nil {
		return
	}
	a.mu.Lock()
	roots := slices.Clone(a.all)
	if !a.killed {
		a.killed = true
		if a.state != stateStopping && a.state != stateStopped {
			close(a.stopBegun)
		}
		if a.state != stateStopped {
			close(a.stopDone)
		}
		if a.state != stateStopping {
			a.state = stateStopped
		}
	}
	a.running = nil
	a.mu.Unlock()
	for i := len(roots) - 1; i >= 0; i-- {
		r := roots[i]
		if r.t.Alive() {
			_ = a.node.Exit(r.t.PID(), process.Kill)
			a.cfg.logger.Warn("app: part killed", slog.String("part", r.name), slog.String("pid", r.t.PID().String()))
		}
	}
}
