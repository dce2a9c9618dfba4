package supervisor_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// waitTimeout bounds every wait on a signal outside a synctest bubble
// (inside one it is fake time and costs nothing).
const waitTimeout = 10 * time.Second

// quiet keeps the supervisors' error reports out of the test output.
var quiet = supervisor.WithLogger(slog.New(slog.DiscardHandler))

// kit is one test's world: a node, a trace of what workers do ("start a",
// "terminate a shutdown") and a trace of supervisor events ("exit b",
// "started b", "intensity b", ...).
type kit struct {
	t      *testing.T
	node   *process.Node
	trace  otptest.Trace
	events otptest.Trace
}

func newKit(t *testing.T, opts ...process.Option) *kit {
	t.Helper()
	return &kit{t: t, node: otptest.NewNode(t, opts...)}
}

// hook records supervisor events in k.events.
func (k *kit) hook() supervisor.Option {
	return supervisor.WithEventHook(func(e supervisor.Event) { k.events.Add(renderEvent(e)) })
}

func renderEvent(e supervisor.Event) string {
	switch e := e.(type) {
	case supervisor.ChildStarted:
		if e.Restart {
			return "restarted " + e.ID
		}
		return "started " + e.ID
	case supervisor.ChildRestarting:
		return "exit " + e.ID
	case supervisor.ChildTerminated:
		return "terminated " + e.ID
	case supervisor.StartFailed:
		return "start_failed " + e.ID
	case supervisor.IntensityReached:
		return "intensity " + e.ID
	case supervisor.AutoShutdownTriggered:
		return "auto_shutdown " + e.ID
	}
	return fmt.Sprintf("%T", e)
}

// opts are the options every test supervisor gets: the event hook and no
// log output.
func (k *kit) opts() []supervisor.Option { return []supervisor.Option{k.hook(), quiet} }

// workerConf tunes a test worker.
type workerConf struct {
	// trap makes the worker trap exits, so Terminate runs on shutdown.
	trap bool
	// stopDelay makes Terminate take this long (it gives up when the
	// process is killed, as well-behaved code does).
	stopDelay time.Duration
	// block makes Terminate wait on it, ignoring the process's context:
	// such a worker is a zombie when killed.
	block chan struct{}
	// failInit, when set and true, makes Init fail with errInit.
	failInit *atomic.Bool
	// failTimes, when set, makes Init fail with errInit while the count,
	// decremented by each Init, stays non-negative.
	failTimes *atomic.Int32
	// ignore, when set and true, makes Init return genserver.Ignore.
	ignore *atomic.Bool
}

var errInit = fmt.Errorf("init refused")

// worker is the test child: a small genserver. Init records "start <id>";
// a cast exitWith{r} makes it exit with r, a cast panicNow panics;
// Terminate records "terminate <id> <reason>".
type worker struct {
	k    *kit
	id   string
	conf workerConf
}

type exitWith struct{ reason error }
type panicNow struct{}

func (w *worker) Init(s *genserver.Self) error {
	if w.conf.failInit != nil && w.conf.failInit.Load() {
		return errInit
	}
	if w.conf.failTimes != nil && w.conf.failTimes.Add(-1) >= 0 {
		return errInit
	}
	if w.conf.ignore != nil && w.conf.ignore.Load() {
		return genserver.Ignore
	}
	if w.conf.trap {
		s.TrapExit(true)
	}
	w.k.trace.Add("start " + w.id)
	return nil
}

func (w *worker) HandleCast(_ *genserver.Self, msg any) error {
	switch m := msg.(type) {
	case exitWith:
		return m.reason
	case panicNow:
		panic("worker " + w.id + " exploded")
	}
	return nil
}

func (w *worker) Terminate(s *genserver.Self, reason error) {
	if w.conf.block != nil {
		<-w.conf.block
	}
	if w.conf.stopDelay > 0 {
		t := time.NewTimer(w.conf.stopDelay)
		select {
		case <-t.C:
		case <-s.Context().Done():
			t.Stop()
			return // killed meanwhile
		}
	}
	w.k.trace.Add("terminate " + w.id + " " + process.FormatReason(reason))
}

// spec returns a child spec for a worker named id.
func (k *kit) spec(id string, restart supervisor.Restart, conf ...workerConf) supervisor.ChildSpec {
	var c workerConf
	if len(conf) > 0 {
		c = conf[0]
	}
	return supervisor.ChildSpec{
		ID:      id,
		Restart: restart,
		Start: func(p *process.Proc) (process.PID, error) {
			return genserver.StartLink(p, &worker{k: k, id: id, conf: c})
		},
	}
}

// specs returns permanent worker specs for ids.
func (k *kit) specs(ids ...string) []supervisor.ChildSpec {
	out := make([]supervisor.ChildSpec, len(ids))
	for i, id := range ids {
		out[i] = k.spec(id, supervisor.Permanent)
	}
	return out
}

// start starts a static supervisor and fails the test on error.
func (k *kit) start(spec supervisor.Spec) process.PID {
	k.t.Helper()
	pid, err := supervisor.Start(k.node, spec, k.opts()...)
	if err != nil {
		k.t.Fatalf("supervisor.Start = %v", err)
	}
	return pid
}

// flags returns flags with the strategy and a generous intensity.
func flags(s supervisor.Strategy) supervisor.Flags {
	return supervisor.Flags{Strategy: s, MaxRestarts: 100, Period: time.Hour}
}

// waitEvent waits until line occurs n times in the event trace.
func (k *kit) waitEvent(line string, n int) { k.t.Helper(); waitCount(k.t, &k.events, line, n) }

// waitTrace waits until line occurs n times in the worker trace.
func (k *kit) waitTrace(line string, n int) { k.t.Helper(); waitCount(k.t, &k.trace, line, n) }

func waitCount(t *testing.T, tr *otptest.Trace, line string, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	for {
		lines := tr.Lines()
		if count(lines, line) >= n {
			return
		}
		if _, err := tr.Wait(ctx, len(lines)+1); err != nil {
			t.Fatalf("no %d× %q within %v; trace:\n\t%v", n, line, waitTimeout, tr.Lines())
		}
	}
}

func count(lines []string, line string) int {
	c := 0
	for _, l := range lines {
		if l == line {
			c++
		}
	}
	return c
}

// children returns WhichChildren by id (static supervisors).
func children(t *testing.T, sup process.PID) map[string]supervisor.Child {
	t.Helper()
	kids, err := supervisor.WhichChildren(context.Background(), sup)
	if err != nil {
		t.Fatalf("WhichChildren = %v", err)
	}
	out := make(map[string]supervisor.Child, len(kids))
	for _, c := range kids {
		out[c.ID] = c
	}
	return out
}

// ids returns the ids of WhichChildren, in its order.
func ids(t *testing.T, sup process.PID) []string {
	t.Helper()
	kids, err := supervisor.WhichChildren(context.Background(), sup)
	if err != nil {
		t.Fatalf("WhichChildren = %v", err)
	}
	var out []string
	for _, c := range kids {
		out = append(out, c.ID)
	}
	return out
}

func counts(t *testing.T, sup process.PID) supervisor.Counts {
	t.Helper()
	n, err := supervisor.CountChildren(context.Background(), sup)
	if err != nil {
		t.Fatalf("CountChildren = %v", err)
	}
	return n
}

// pidOf returns the PID of the running child id.
func pidOf(t *testing.T, sup process.PID, id string) process.PID {
	t.Helper()
	c, ok := children(t, sup)[id]
	if !ok || c.Status != supervisor.Running {
		t.Fatalf("child %q is %+v (present %v); want running", id, c, ok)
	}
	return c.PID
}

// monitor makes a probe monitor pid; ExpectDown on it gives pid's exit.
func (k *kit) monitor(pid process.PID) *otptest.Probe {
	pr := otptest.NewProbe(k.t, k.node)
	pr.Monitor(pid)
	return pr
}

// expectExit waits for the Down of the monitored process and returns its
// reason.
func (k *kit) expectExit(pr *otptest.Probe) error {
	k.t.Helper()
	return pr.ExpectDown(k.t, waitTimeout).Reason
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
