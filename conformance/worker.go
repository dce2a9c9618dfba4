package conformance

import (
	"context"
	"errors"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// The reasons of failed init attempts (OTP's {stop, init_error} and
// exit(init_crash)).
var (
	errInitError = &TermError{Atom("init_error")}
	errInitCrash = &TermError{Atom("init_crash")}
)

// workerInitTimeout stands for OTP's infinity: a supervisor waits for a
// child's init however long it takes.
const workerInitTimeout = 24 * time.Hour

// initResult returns the result and duration of init attempt number
// attempt (1-based), as conf_worker:init_result/2 does.
func (b Behavior) initResult(attempt int) (string, time.Duration) {
	result, delay := InitOK, 0
	if b.Init != nil {
		result = *b.Init
	}
	if b.InitDelayMS != nil {
		delay = *b.InitDelayMS
	}
	switch {
	case b.InitSequence != nil:
		if attempt <= len(b.InitSequence) {
			a := b.InitSequence[attempt-1]
			return a.Result, ms(a.DelayMS)
		}
	case b.InitFailTimes != nil && attempt <= *b.InitFailTimes:
		return InitError, ms(delay)
	}
	return result, ms(delay)
}

func (b Behavior) trapExit() bool { return b.TrapExit != nil && *b.TrapExit }

func (b Behavior) hangs() bool { return b.OnShutdown != nil && *b.OnShutdown == "hang" }

func (b Behavior) shutdownDelay() time.Duration {
	if b.ShutdownDelayMS == nil {
		return 0
	}
	return ms(*b.ShutdownDelayMS)
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// worker is the scripted worker (conf_worker): a GenServer whose init
// result and shutdown handling follow its Behavior, and which reports its
// life to the run's trace.
type worker struct {
	run      *runner
	path     string
	beh      Behavior
	stopping bool // set by a crash step: the worker stops itself
}

// crashCmd makes a worker stop itself with reason (OTP {stop, Reason}).
type crashCmd struct{ reason error }

// Init counts the attempt, waits the attempt's delay and then succeeds
// (start P), fails (init_error P), crashes (init_crash P) or ignores
// (init_ignore P). A worker killed during the delay reports nothing.
func (w *worker) Init(s *genserver.Self) error {
	attempt := w.run.nextAttempt(w.path)
	result, delay := w.beh.initResult(attempt)
	if delay > 0 {
		if err := w.run.clock.Sleep(s.Context(), delay); err != nil {
			return orReason(context.Cause(s.Context()), err)
		}
	}
	switch result {
	case InitOK:
		if w.beh.trapExit() {
			s.TrapExit(true)
		}
		w.run.workerStarted(s.PID(), w.path)
		return nil
	case InitIgnore:
		w.run.emit("init_ignore " + w.path)
		return genserver.Ignore
	case InitCrash:
		w.run.emit("init_crash " + w.path)
		return errInitCrash
	}
	w.run.emit("init_error " + w.path)
	return errInitError
}

func orReason(cause, err error) error {
	if cause != nil {
		return cause
	}
	return err
}

// HandleCast handles the crash step's command.
func (w *worker) HandleCast(_ *genserver.Self, msg any) error {
	if c, ok := msg.(crashCmd); ok {
		w.stopping = true
		return c.reason
	}
	return nil
}

// HandleCall answers anything with ok (OTP's ping).
func (w *worker) HandleCall(*genserver.Self, genserver.From, any) (any, error) {
	return atomOK, nil
}

// Terminate runs when the supervisor's exit signal reaches a trapping
// worker: it reports terminate P R, then hangs until killed or spends the
// shutdown delay. A worker stopping itself for a crash step reports
// nothing.
func (w *worker) Terminate(s *genserver.Self, reason error) {
	if w.stopping {
		return
	}
	w.run.emit("terminate " + w.path + " " + RenderReason(reason))
	if w.beh.hangs() {
		<-s.Context().Done()
		return
	}
	if d := w.beh.shutdownDelay(); d > 0 {
		_ = w.run.clock.Sleep(s.Context(), d)
	}
}

// workerStart returns the start function of the worker at path.
func (r *runner) workerStart(path string, beh Behavior) supervisor.StartFunc {
	return func(parent *process.Proc) (process.PID, error) {
		return r.startWorker(parent, path, beh)
	}
}

// templateStart returns the Start of a simple_one_for_one template whose
// extra arguments are the child's name and a Behavior merged over tmpl.
func (r *runner) templateStart(supPath string, tmpl Behavior) func(*process.Proc, ...any) (process.PID, error) {
	return func(parent *process.Proc, args ...any) (process.PID, error) {
		if len(args) != 2 {
			return process.PID{}, errors.New("conformance: template start wants (name, behavior)")
		}
		name, _ := args[0].(string)
		over, _ := args[1].(Behavior)
		return r.startWorker(parent, supPath+"/"+name, tmpl.Merge(over))
	}
}

// startWorker starts a worker linked to parent and returns what a
// gen_server start_link returns: the PID, process.ErrIgnored, or the bare
// init failure reason (init_error, init_crash).
func (r *runner) startWorker(parent *process.Proc, path string, beh Behavior) (process.PID, error) {
	w := &worker{run: r, path: path, beh: beh}
	pid, err := genserver.StartLink(parent, w, genserver.WithInitTimeout(workerInitTimeout))
	var ie *genserver.InitError
	if errors.As(err, &ie) {
		return process.PID{}, ie.Reason
	}
	return pid, err
}
