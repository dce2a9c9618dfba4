package app

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/signal"
	"reflect"
	"syscall"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// Run starts the application (unless it was started already), waits until
// it should stop, stops it, and returns why it stopped. It is the body of
// a main function:
//
//	os.Exit(app.ExitCode(a.Run(context.Background())))
//
// Run waits for the first of:
//   - ctx is done: Run returns nil (after the shutdown);
//   - SIGINT or SIGTERM (or a value from the [WithSignals] channel):
//     Run returns nil;
//   - Stop or Kill called by someone else: Run waits for that stop
//     (bounded by the shutdown timeout) and returns nil;
//   - a part's root exits on its own (a supervisor that reached its
//     restart intensity, for example): as for a permanent OTP
//     application, the whole application stops, and Run returns an
//     *[ExitError] with the part's name and exit reason.
//
// It then stops the application with [App.Stop] bounded by the shutdown
// timeout ([WithShutdownTimeout], default 15 s); if parts are still
// running when that time is up, Run kills them ([App.Kill]) and its error
// includes the *[StopError]. A part failing to start gives a
// *[StartError] at once. [ExitCode] turns the result into an exit code.
//
// Start is not interrupted by ctx: a ctx done during Start makes Run stop
// right after it. OS signals are caught only while Run waits; once the
// shutdown begins, a second SIGINT terminates the program as usual.
//
// A nil ctx or a nil or zero App is an error matching [ErrInvalidArgument];
// nothing is started.
func (a *App) Run(ctx context.Context) error {
	if err := a.check("app: App.Run"); err != nil {
		return err
	}
	if ctx == nil {
		return argerr.Nil("app: App.Run", "ctx")
	}
	a.mu.Lock()
	st := a.state
	a.mu.Unlock()
	switch st {
	case stateNew:
		if err := a.Start(context.WithoutCancel(ctx)); err != nil {
			return err
		}
	case stateRunning:
	case stateStarting:
		return ErrAlreadyStarted
	default:
		return ErrStopped
	}
	why := a.wait(ctx)
	if why.external {
		a.awaitStop()
		return nil
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.shutdownTimeout)
	defer cancel()
	err := a.Stop(sctx)
	var te *StopError
	switch {
	case errors.Is(err, ErrStopped): // someone else's Stop won the race
		a.awaitStop()
		err = nil
	case errors.As(err, &te):
		a.Kill()
	}
	return errors.Join(why.err, err)
}

// stopCause is why Run's wait ended.
type stopCause struct {
	external bool  // Stop or Kill was called by someone else
	err      error // an *ExitError when a root exited
}

// Fixed case indices of wait's select; the roots follow.
const (
	caseCtx = iota
	caseSignal
	caseStop
	caseRoots
)

// wait blocks until ctx is done, a signal arrives, a stop begins or a
// root exits. It is a select over a variable number of channels, built
// with reflect.Select so that no goroutine is needed to fan them in.
func (a *App) wait(ctx context.Context) stopCause {
	sigs, release := a.signalSource()
	defer release() // a second signal during shutdown gets Go's default
	a.mu.Lock()
	roots := append([]root(nil), a.running...)
	a.mu.Unlock()
	cases := make([]reflect.SelectCase, caseRoots, caseRoots+len(roots))
	cases[caseCtx] = recvCase(ctx.Done())
	cases[caseSignal] = recvCase(sigs)
	cases[caseStop] = recvCase(a.stopBegun)
	for _, r := range roots {
		cases = append(cases, recvCase(r.t.Done()))
	}
	i, v, _ := reflect.Select(cases)
	switch i {
	case caseCtx:
		a.cfg.logger.Info("app: context done, stopping", slog.String("cause", context.Cause(ctx).Error()))
	case caseSignal:
		sig, _ := v.Interface().(os.Signal)
		a.cfg.logger.Info("app: signal received, stopping", slog.Any("signal", sig))
	case caseStop:
		return stopCause{external: true}
	default:
		r := roots[i-caseRoots]
		err := &ExitError{App: a.spec.Name, Part: r.name, PID: r.t.PID(), Reason: r.t.Reason()}
		a.cfg.logger.Error("app: part exited, stopping", slog.String("part", r.name),
			slog.String("pid", r.t.PID().String()), slog.String("reason", err.Error()))
		return stopCause{err: err}
	}
	return stopCause{}
}

func recvCase[T any](ch <-chan T) reflect.SelectCase {
	return reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ch)}
}

// signalSource returns the channel of stop signals and a function that
// stops listening: the WithSignals channel, or SIGINT and SIGTERM from
// the OS (os/signal delivers them from its own goroutine).
func (a *App) signalSource() (<-chan os.Signal, func()) {
	if a.cfg.signals != nil {
		return a.cfg.signals, func() {}
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	return ch, func() { signal.Stop(ch) }
}

// awaitStop waits, up to the shutdown timeout, for a Stop or Kill begun
// elsewhere to finish.
func (a *App) awaitStop() {
	t := time.NewTimer(a.cfg.shutdownTimeout)
	defer t.Stop()
	select {
	case <-a.stopDone:
	case <-t.C:
		a.cfg.logger.Warn("app: gave up waiting for a stop in progress", slog.Duration("after", a.cfg.shutdownTimeout))
	}
}
