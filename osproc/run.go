package osproc

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// The control messages of a command's process; they are unexported, so
// only this package sends them.
type (
	// exitStatus is sent by the waiter once the command is reaped.
	exitStatus struct {
		state *os.ProcessState
		err   error
	}
	runTimeout struct{}
	killNow    struct{}
	// endInput tells the stdin writer that the command has ended: it
	// answers what it took before and ends.
	endInput struct{}
	// request is a call from Write, CloseStdin or OSPID.
	request struct {
		kind  requestKind
		ctx   context.Context // Write's: the write ends with it
		data  []byte
		until time.Time
		reply chan error
		ospid chan int
	}
)

type requestKind int

const (
	reqWrite requestKind = iota
	reqClose
	reqOSPID
)

// started is what the waiter reports once the command started, or not.
type started struct {
	pid int
	err error
}

// runner is the state of one command's process; only its process's
// goroutine touches it, except the files (safe for concurrent use) and
// the counters (atomic).
type runner struct {
	c      Command
	path   string
	self   *process.Proc
	parent process.PID
	// ownerRef monitors the owner (when it is not the parent).
	ownerRef process.Ref
	ospid    int
	waitPID  process.PID
	readers  map[process.PID]bool
	stdin    process.PID
	// stdinEnded is set once the stdin writer's exit signal arrived.
	stdinEnded bool
	outR       *os.File
	errR       *os.File
	inW        *os.File
	dropped    [3]atomic.Uint64 // by Stream
	reaped     chan struct{}    // closed by the waiter after cmd.Wait
	// stopReason is the reason of the exit signal that asked the command
	// to stop; the process ends with it once the command is gone.
	stopReason error
	stopping   bool
	// supervised is set when a supervisor started the command from its
	// child spec (Child): its shutdown timeout drives the SIGKILL.
	supervised bool
	timedOut   bool
	exit       *exitStatus
}

// run is the code of a command's process. ready gets nil once the
// command runs and its readers are in place, or the start error.
func (r *runner) run(p *process.Proc, ready chan<- error) (reason error) {
	r.self = p
	r.parent = p.Parent()
	r.reaped = make(chan struct{})
	defer func() {
		if r.ospid == 0 {
			return // no command ran
		}
		if r.exit == nil {
			// Killed (the supervisor's shutdown timeout, a brutal kill)
			// or a failure of this process: nothing outlives it.
			r.signal(syscall.SIGKILL)
			select {
			case <-r.reaped:
			case <-time.After(reapTimeout):
				r.logger().Error("osproc: command not reaped after SIGKILL", "path", r.path, "os_pid", r.ospid)
			}
		}
		r.closeAll()
	}()
	err := r.start(p)
	if err != nil {
		ready <- err
		return err
	}
	if !r.c.Owner.IsZero() && r.c.Owner != r.parent {
		// A monitor, not a link: the owner's death stops the command,
		// but a failed command does not kill its owner, which learns of
		// the end from Exited. An owner that is the parent is linked
		// already. A dead owner gives a Down at once.
		if r.ownerRef, err = p.Monitor(r.c.Owner); err != nil {
			ready <- err
			return err
		}
	}
	if r.c.Timeout > 0 {
		if _, err := p.SendAfter(p.PID(), runTimeout{}, r.c.Timeout); err != nil {
			ready <- err
			return err
		}
	}
	ready <- nil
	for {
		m, err := p.Receive(p.Context())
		if err != nil {
			return p.Reason()
		}
		switch m := m.(type) {
		case exitStatus:
			r.exit = &m
			r.drain(p)
			r.endStdin(p)
			return r.finish(p)
		case process.Exit:
			r.handleExit(p, m)
		case process.Down:
			if m.Ref == r.ownerRef && !r.stopping {
				r.stopReason = m.Reason
				r.terminate(p, true)
			}
		case runTimeout:
			if !r.stopping {
				r.timedOut = true
				r.terminate(p, true)
			}
		case killNow:
			r.signal(syscall.SIGKILL)
		case *request:
			r.handleRequest(p, m)
		}
	}
}

func (r *runner) logger() *slog.Logger { return nodeenv.Logger(r.self.Node()) }

// start makes the pipes, starts the command through the waiter and
// spawns the readers and the stdin writer.
func (r *runner) start(p *process.Proc) error {
	c := &r.c
	path, err := exec.LookPath(c.Path)
	if err != nil && !errors.Is(err, exec.ErrDot) {
		return &StartError{Path: c.Path, Op: "lookup", Err: err}
	}
	if err != nil {
		path = c.Path
	}
	r.path = path
	if !c.Limits.zero() && !haveLimits {
		return &StartError{Path: path, Op: "limits", Err: ErrUnsupported}
	}
	cmd := &exec.Cmd{
		Path:        path,
		Args:        append([]string{c.Path}, c.Args...),
		Env:         c.Env,
		Dir:         c.Dir,
		SysProcAttr: sysProcAttr(c),
	}
	var childEnds []*os.File
	closeChildEnds := func() {
		for _, f := range childEnds {
			_ = f.Close()
		}
	}
	if !c.Owner.IsZero() {
		var outW, errW *os.File
		if r.outR, outW, err = os.Pipe(); err == nil {
			childEnds = append(childEnds, outW)
			r.errR, errW, err = os.Pipe()
			childEnds = append(childEnds, errW)
		}
		if err != nil {
			closeChildEnds()
			r.closeAll()
			return &StartError{Path: path, Op: "pipe", Err: err}
		}
		cmd.Stdout, cmd.Stderr = outW, errW
	}
	if c.Stdin {
		var inR *os.File
		if inR, r.inW, err = os.Pipe(); err != nil {
			closeChildEnds()
			r.closeAll()
			return &StartError{Path: path, Op: "pipe", Err: err}
		}
		childEnds = append(childEnds, inR)
		cmd.Stdin = inR
	}
	res := make(chan started, 1)
	r.waitPID, err = p.Spawn(func(w *process.Proc) error {
		return waiter(w, p.PID(), cmd, c.Limits, res, r.reaped)
	}, process.Linked(), asOSProcWaiter)
	if err != nil {
		closeChildEnds()
		r.closeAll()
		return err
	}
	// The waiter always reports (it reports before anything that could
	// block), so this receive is bounded by fork and exec.
	s := <-res
	closeChildEnds()
	if s.err != nil {
		r.closeAll()
		return &StartError{Path: path, Op: "start", Err: s.err}
	}
	r.ospid = s.pid
	r.readers = map[process.PID]bool{}
	for _, rd := range []struct {
		f      *os.File
		stream Stream
	}{{r.outR, Stdout}, {r.errR, Stderr}} {
		if rd.f == nil {
			continue
		}
		f, stream := rd.f, rd.stream
		pid, err := p.Spawn(func(rp *process.Proc) error {
			return r.read(rp, f, stream)
		}, process.Linked(), asOSProcReader)
		if err != nil {
			_ = f.Close()
			return err
		}
		r.readers[pid] = true
	}
	if r.inW != nil {
		in := r.inW
		r.stdin, err = p.Spawn(func(wp *process.Proc) error {
			return stdinWriter(wp, in)
		}, process.Linked(), asOSProcStdin)
		if err != nil {
			_ = in.Close()
			return err
		}
	}
	return nil
}

// waiter starts the command and waits for its end, on an OS thread it
// keeps locked for the command's whole life.
//
// Why the lock: Linux's parent-death signal (Pdeathsig) fires when the
// thread that forked the child exits, not when the Go program exits. Go
// may end an OS thread when a goroutine that locked it returns without
// unlocking, so a command forked from an arbitrary thread could be killed
// at a random moment, long before its parent dies. Forking from a thread
// this goroutine holds locked until the command is reaped means that
// thread lives at least as long as the command: the signal then fires
// only when the whole Go program dies (a crash, a kill -9), which is what
// we want. The same thread is the ptrace tracer applyLimits needs. The
// cost is one OS thread per running command, which its blocking wait
// would take anyway.
func waiter(w *process.Proc, command process.PID, cmd *exec.Cmd, l Limits, res chan<- started, reaped chan<- struct{}) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := cmd.Start(); err != nil {
		res <- started{err: err}
		close(reaped)
		return nil
	}
	pid := cmd.Process.Pid
	if err := applyLimits(cmd, l); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		res <- started{err: err}
		close(reaped)
		return nil
	}
	res <- started{pid: pid}
	err := reap(cmd)
	close(reaped)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		err = nil
	}
	// A command process that was killed drops the message, as Send does.
	_ = w.Send(command, exitStatus{state: cmd.ProcessState, err: err})
	return nil
}

// handleExit handles an exit signal the command's process trapped.
func (r *runner) handleExit(p *process.Proc, m process.Exit) {
	if m.From == r.waitPID || r.readers[m.From] || (m.From == r.stdin && !r.stdin.IsZero()) {
		if m.From == r.stdin {
			r.stdinEnded = true
		}
		if m.Reason == process.Normal {
			if r.readers[m.From] {
				delete(r.readers, m.From)
			}
			return
		}
		// A helper failed: stop the command at once, end with its reason.
		r.stopReason = m.Reason
		r.signal(syscall.SIGKILL)
		r.stopping = true
		return
	}
	if r.stopping {
		return
	}
	r.stopReason = m.Reason
	// A supervisor's orderly shutdown: SIGTERM now, and the supervisor
	// kills this process (hence SIGKILL) when the child spec's Shutdown
	// passes, so no timer of our own. Any other exit signal (the owner
	// died, the parent crashed, an exit from elsewhere) escalates after
	// KillGrace.
	orderly := r.supervised && m.From == r.parent && isShutdown(m.Reason)
	r.terminate(p, !orderly)
}

func isShutdown(reason error) bool {
	if reason == process.Shutdown {
		return true
	}
	var se *process.ShutdownError
	return errors.As(reason, &se)
}

// terminate sends SIGTERM to the command's group and, with escalate,
// SIGKILL after KillGrace.
func (r *runner) terminate(p *process.Proc, escalate bool) {
	r.stopping = true
	r.signal(syscall.SIGTERM)
	if escalate {
		if _, err := p.SendAfter(p.PID(), killNow{}, r.c.KillGrace); err != nil {
			r.signal(syscall.SIGKILL)
		}
	}
}

// signal sends sig to the command's process group unless the command has
// been reaped: once reaped (its group already killed by the waiter), its
// number may be reused.
func (r *runner) signal(sig syscall.Signal) {
	select {
	case <-r.reaped:
	default:
		if err := signalGroup(r.ospid, sig); err != nil {
			r.logger().Error("osproc: signal the command's group", "path", r.path, "os_pid", r.ospid, "signal", sig.String(), "err", err)
		}
	}
}

// drain waits for the readers to deliver the last output, up to
// drainTimeout (a grandchild that left the process group may hold the
// pipe open); then it cuts them off.
func (r *runner) drain(p *process.Proc) {
	if len(r.readers) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(p.Context(), drainTimeout)
	defer cancel()
	cut := false
	for len(r.readers) > 0 {
		m, err := p.ReceiveMatch(ctx, func(m process.Msg) bool {
			e, ok := m.(process.Exit)
			return ok && r.readers[e.From]
		})
		if err != nil {
			if cut || p.Context().Err() != nil {
				return
			}
			cut = true
			r.cutReaders()
			ctx, cancel = context.WithTimeout(p.Context(), drainTimeout)
			defer cancel()
			continue
		}
		delete(r.readers, m.(process.Exit).From)
	}
}

// cutReaders makes the readers' pending reads return.
func (r *runner) cutReaders() {
	now := time.Now()
	for _, f := range []*os.File{r.outR, r.errR} {
		if f != nil {
			_ = f.SetReadDeadline(now)
		}
	}
}

// endStdin ends the stdin writer once the command has ended, and waits
// for it up to drainTimeout. The writer answers the requests it took (a
// Write, CloseStdin) before it ends, so the command's process ends after
// those answers: a caller that sees the end has its answer already (a
// CloseStdin lets cat end at once, and its caller must not hear "not
// running"). And the writer does not outlive the command: a process that
// ends normally does not take its links with it. In the worst case (a
// write with no deadline to an input a grandchild outside the process
// group still holds open) the wait lasts drainTimeout, after the drain.
func (r *runner) endStdin(p *process.Proc) {
	if r.stdin.IsZero() || r.stdinEnded {
		return
	}
	if err := p.Send(r.stdin, endInput{}); err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(p.Context(), drainTimeout)
	defer cancel()
	if _, err := p.ReceiveMatch(ctx, func(m process.Msg) bool {
		e, ok := m.(process.Exit)
		return ok && e.From == r.stdin
	}); err == nil {
		r.stdinEnded = true
	}
}

// finish tells the owner the command ended and returns the exit reason.
func (r *runner) finish(p *process.Proc) error {
	reason := r.reason()
	if !r.c.Owner.IsZero() {
		_ = p.Send(r.c.Owner, Exited{
			PID:           p.PID(),
			OSPID:         r.ospid,
			Reason:        reasonOrNormal(reason),
			DroppedStdout: r.dropped[Stdout].Load(),
			DroppedStderr: r.dropped[Stderr].Load(),
		})
	}
	return reason
}

func reasonOrNormal(err error) error {
	if err == nil {
		return process.Normal
	}
	return err
}

// reason turns the command's end into the process's exit reason.
func (r *runner) reason() error {
	if r.stopReason != nil {
		return r.stopReason
	}
	if r.exit.err != nil {
		return r.exit.err
	}
	st := r.exit.state
	ee := &ExitError{Path: r.path, OSPID: r.ospid, Code: st.ExitCode()}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		ee.Signal, ee.Code = ws.Signal(), -1
	}
	if r.timedOut {
		ee.TimedOut, ee.Timeout = true, r.c.Timeout
		return ee
	}
	if ee.Code == 0 {
		return nil
	}
	return ee
}

// closeAll closes the files this process holds; a reader or the stdin
// writer blocked on one returns.
func (r *runner) closeAll() {
	for _, f := range []*os.File{r.outR, r.errR, r.inW} {
		if f != nil {
			_ = f.SetDeadline(time.Now())
		}
	}
}

// handleRequest answers a call from Write, CloseStdin or OSPID.
func (r *runner) handleRequest(p *process.Proc, m *request) {
	switch m.kind {
	case reqOSPID:
		m.ospid <- r.ospid
	case reqWrite, reqClose:
		if r.stdin.IsZero() {
			m.reply <- ErrNoStdin
			return
		}
		if err := p.Send(r.stdin, m); err != nil {
			m.reply <- err
		}
	}
}

// The behaviour labels of the processes spawned here, made once: an
// option made at every spawn would allocate its label every time.
var (
	asOSProcWaiter = rt.Behaviour("osproc.waiter")
	asOSProcReader = rt.Behaviour("osproc.reader")
	asOSProcStdin  = rt.Behaviour("osproc.stdin")
)
