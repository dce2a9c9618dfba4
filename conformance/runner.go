package conformance

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// Clock is the time source of a run: the harness's waits (sleep_ms steps,
// the settle rounds) and the scripted workers' delays go through Sleep.
type Clock interface {
	// Sleep waits for d, or until ctx is done; then it returns ctx's error.
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock sleeps with package time. Inside a testing/synctest bubble
// that time is fake, so a whole run takes no wall-clock time.
type RealClock struct{}

// Sleep waits for d or until ctx is done. A nil ctx is an error matching
// [ErrInvalidArgument].
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	if ctx == nil {
		return argerr.Nil("conformance: RealClock.Sleep", "ctx")
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

const (
	// quietPeriod is how long a settle round waits for new events (the
	// reference's QUIET_MS).
	quietPeriod = 30 * time.Millisecond
	// syncTimeout bounds one settle call to a supervisor (the reference's
	// SYNC_TIMEOUT).
	syncTimeout = 60 * time.Second
	// yieldPeriod is how long the harness lets the tree run after a step
	// that does not settle, before it records the next step. The reference
	// runs on one scheduler, where the harness runs again only once every
	// process that can run without time passing has run (for example a
	// supervisor tearing a group down before a slow init); inside synctest
	// this wait is exactly that, in real time it is a margin far below
	// the scenarios' 250 ms.
	yieldPeriod = 20 * time.Millisecond
	// maxSettleRounds gives up on a tree that never becomes quiescent.
	maxSettleRounds = 10000
	// stopTimeout stands for infinity in stop steps and orderly crashes.
	stopTimeout = time.Hour
	// teardownTimeout bounds stopping the node after the last step.
	teardownTimeout = 5 * time.Second
)

type procKind int

const (
	kindWorker procKind = iota
	kindSupervisor
)

type procInfo struct {
	path string
	kind procKind
}

// runner runs one scenario: the conf_runner and conf_trace of the
// reference in one value.
type runner struct {
	ctx    context.Context
	clock  Clock
	node   *process.Node
	sc     *Scenario
	logger *slog.Logger
	sups   map[string]*Tree // supervisor path -> tree; owned by the run goroutine

	mu       sync.Mutex // protects the fields below
	events   []string
	closed   bool                     // after the last step: record nothing more
	procs    map[process.PID]procInfo // every registered worker and supervisor
	latest   map[string]process.PID   // path -> latest incarnation
	alive    map[process.PID]bool     // registered and not yet dead
	pending  map[process.PID]string   // parent -> path of the supervisor it is spawning
	attempts map[string]int           // path -> init attempts so far
}

// Run replays sc on a fresh node and returns the observed trace, with the
// events of unordered steps sorted (FORMAT.md §1.5). It boots the tree,
// runs the steps, settles after each as the reference does, then kills
// whatever is left and stops the node. clock may be nil (RealClock). The
// error reports a scenario the harness cannot run (for example a crash of
// a path that is not alive); the trace so far is returned with it. A nil
// ctx or sc, and an invalid scenario, are errors matching
// [ErrInvalidArgument]; nothing runs then.
func Run(ctx context.Context, sc *Scenario, clock Clock) ([]string, error) {
	if ctx == nil {
		return nil, argerr.Nil("conformance: Run", "ctx")
	}
	if sc == nil {
		return nil, argerr.Nil("conformance: Run", "sc")
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	if clock == nil {
		clock = RealClock{}
	}
	r := &runner{
		ctx:      ctx,
		clock:    clock,
		sc:       sc,
		logger:   slog.New(slog.DiscardHandler),
		sups:     map[string]*Tree{},
		procs:    map[process.PID]procInfo{},
		latest:   map[string]process.PID{},
		alive:    map[process.PID]bool{},
		pending:  map[process.PID]string{},
		attempts: map[string]int{},
	}
	node, err := process.NewNode(rt.WithEventHook(r.onProcessEvent))
	if err != nil {
		return nil, err
	}
	r.node = node
	indexSups(&sc.Tree, sc.Tree.RootPath(), r.sups)
	unordered, runErr := r.run()
	trace := r.close(unordered)
	if err := r.teardown(); err != nil && runErr == nil {
		runErr = err
	}
	return trace, runErr
}

func indexSups(t *Tree, path string, into map[string]*Tree) {
	into[path] = t
	for i := range t.Children {
		if c := &t.Children[i]; c.TypeName() == "supervisor" && c.Tree != nil {
			indexSups(c.Tree, path+"/"+c.ID, into)
		}
	}
}

// span is the part of the trace an unordered step sorts: events with
// index in [start, end).
type span struct{ start, end int }

// run boots the tree and executes the steps.
func (r *runner) run() ([]span, error) {
	root := r.sc.Tree.RootPath()
	type boot struct {
		pid process.PID
		err error
	}
	booted := make(chan boot, 1)
	// The owner traps exits so that it survives whatever the root does,
	// like the reference's owner process.
	_, err := r.node.Spawn(func(p *process.Proc) error {
		p.TrapExit(true)
		pid, err := r.startSupervisor(p, root, &r.sc.Tree)
		booted <- boot{pid, err}
		<-p.Context().Done()
		return nil
	}, rt.Behaviour("conformance.owner"))
	if err != nil {
		return nil, err
	}
	var b boot
	select {
	case b = <-booted:
	case <-r.ctx.Done():
		return nil, r.ctx.Err()
	}
	if err := r.settle(); err != nil {
		return nil, err
	}
	r.emit("result start_link " + root + " " + Render(startLinkResult(b.pid, b.err)))
	var unordered []span
	for i, st := range r.sc.Steps {
		r.emit(fmt.Sprintf("step %d %s", i+1, st.Action))
		start := r.count()
		res, err := r.step(st)
		if err != nil {
			return unordered, fmt.Errorf("conformance: step %d (%s): %w", i+1, st.Action, err)
		}
		if st.Settle {
			if err := r.settle(); err != nil {
				return unordered, err
			}
		} else if err := r.clock.Sleep(r.ctx, yieldPeriod); err != nil {
			return unordered, err
		}
		end := r.count()
		if res != nil {
			r.emit("result " + res.op + " " + res.target + " " + res.value)
		}
		if st.Unordered {
			unordered = append(unordered, span{start, end})
		}
	}
	return unordered, nil
}

// close freezes the trace and sorts the unordered spans.
func (r *runner) close(unordered []span) []string {
	r.mu.Lock()
	r.closed = true
	trace := slices.Clone(r.events)
	r.mu.Unlock()
	for _, s := range unordered {
		slices.Sort(trace[s.start:s.end])
	}
	return trace
}

// teardown kills every process of the run and stops the node; the trace
// is closed by then, so nothing of this shows.
func (r *runner) teardown() error {
	for _, pid := range r.node.Processes() {
		_ = r.node.Exit(pid, process.Kill)
	}
	ctx, cancel := context.WithTimeout(context.Background(), teardownTimeout)
	defer cancel()
	if err := r.node.Stop(ctx); err != nil {
		return fmt.Errorf("conformance: stopping the node: %w", err)
	}
	return nil
}

// ---------------------------------------------------------------- trace

// emit appends one event, unless the trace is closed.
func (r *runner) emit(e string) {
	r.mu.Lock()
	if !r.closed {
		r.events = append(r.events, e)
	}
	r.mu.Unlock()
}

func (r *runner) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// nextAttempt counts an init attempt of path; the first is 1.
func (r *runner) nextAttempt(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts[path]++
	return r.attempts[path]
}

// workerStarted registers a worker that finished init and records start P.
func (r *runner) workerStarted(pid process.PID, path string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.registerLocked(pid, path, kindWorker)
	if !r.closed {
		r.events = append(r.events, "start "+path)
	}
}

func (r *runner) registerLocked(pid process.PID, path string, kind procKind) {
	r.procs[pid] = procInfo{path: path, kind: kind}
	r.latest[path] = pid
	r.alive[pid] = true
}

// onProcessEvent is the node's event hook. A supervisor is registered
// when its parent spawns it (it may die in its own init, before its start
// returns a PID); a registered process's death becomes exit P R or
// sup_exit P R, recorded before any link or monitor hears of it.
func (r *runner) onProcessEvent(e rt.Event) {
	switch e := e.(type) {
	case rt.Spawned:
		r.mu.Lock()
		if path, ok := r.pending[e.Parent]; ok {
			delete(r.pending, e.Parent)
			r.registerLocked(e.PID, path, kindSupervisor)
		}
		r.mu.Unlock()
	case rt.Exited:
		r.mu.Lock()
		defer r.mu.Unlock()
		info, ok := r.procs[e.PID]
		if !ok || !r.alive[e.PID] {
			return
		}
		delete(r.alive, e.PID)
		kind := "exit "
		if info.kind == kindSupervisor {
			kind = "sup_exit "
		}
		if !r.closed {
			r.events = append(r.events, kind+info.path+" "+RenderReason(e.Reason))
		}
	}
}

// onSupervisorEvent is every supervisor's event hook: giving up is
// max_intensity P.
func (r *runner) onSupervisorEvent(e supervisor.Event) {
	ir, ok := e.(supervisor.IntensityReached)
	if !ok {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	path := "?"
	if info, ok := r.procs[ir.Supervisor]; ok {
		path = info.path
	}
	if !r.closed {
		r.events = append(r.events, "max_intensity "+path)
	}
}

// live returns the PID of path's latest incarnation if it is alive.
func (r *runner) live(path string) (process.PID, procKind, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	pid, ok := r.latest[path]
	if !ok || !r.alive[pid] {
		return process.PID{}, 0, false
	}
	return pid, r.procs[pid].kind, true
}

// lookup returns the PID of path's latest incarnation, alive or not.
func (r *runner) lookup(path string) (process.PID, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	pid, ok := r.latest[path]
	return pid, ok
}

// nameOf returns the last part of pid's path ("?" if unknown).
func (r *runner) nameOf(pid process.PID) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	info, ok := r.procs[pid]
	if !ok {
		return "?"
	}
	return info.path[strings.LastIndexByte(info.path, '/')+1:]
}

// liveSups returns the live supervisors, deepest first (then by path).
func (r *runner) liveSups() []process.PID {
	type sup struct {
		depth int
		path  string
		pid   process.PID
	}
	r.mu.Lock()
	var ss []sup
	for pid := range r.alive {
		if info := r.procs[pid]; info.kind == kindSupervisor {
			ss = append(ss, sup{strings.Count(info.path, "/"), info.path, pid})
		}
	}
	r.mu.Unlock()
	slices.SortFunc(ss, func(a, b sup) int {
		return cmp.Or(cmp.Compare(b.depth, a.depth), strings.Compare(a.path, b.path))
	})
	pids := make([]process.PID, len(ss))
	for i, s := range ss {
		pids[i] = s.pid
	}
	return pids
}

// settle waits until the tree is quiescent, as the reference does: call
// every live supervisor, deepest first (a call is served only when the
// supervisor is idle), wait quietPeriod, and repeat until a whole round
// added no event.
func (r *runner) settle() error {
	c0 := r.count()
	for range maxSettleRounds {
		for _, pid := range r.liveSups() {
			ctx, cancel := context.WithTimeout(r.ctx, syncTimeout)
			_, _ = supervisor.CountChildren(ctx, pid)
			cancel()
		}
		if err := r.clock.Sleep(r.ctx, quietPeriod); err != nil {
			return err
		}
		c1 := r.count()
		if c1 == c0 {
			return nil
		}
		c0 = c1
	}
	return errors.New("conformance: the tree never became quiescent")
}
