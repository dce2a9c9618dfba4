package otptest

import (
	"sync"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// DefaultTimeout is how long a [Probe] control call waits for the probe
// process to run it.
const DefaultTimeout = 5 * time.Second

// Probe is a [process.Func] process that queues every message it receives
// for the test goroutine, so a test can observe [process.Exit] and
// [process.Down] messages as a real process sees them. Its Link, Monitor,
// TrapExit and Do methods run inside the probe process (as control messages
// its receive loop handles in mailbox order) and wait for it.
//
// Call its methods from the test goroutine: those without a t parameter
// fail the test through the t given to [NewProbe], with t.Fatalf.
//
// A probe ends when it is killed, when a link signal kills it (if it does
// not trap exits), or when its node stops: a trapping probe returns when it
// receives an Exit from outside any process while its node is stopping.
//
// A nil or zero Probe (not made by NewProbe) has no test to fail: the
// methods without a t parameter do nothing and return zero values (Done a
// closed channel, Link and Send an error matching [ErrInvalidArgument]);
// those with one fail that test.
type Probe struct {
	t    testing.TB
	node *process.Node
	pid  process.PID
	done chan struct{} // closed when the probe's function has returned

	mu     sync.Mutex // protects the fields below
	queue  []process.Msg
	signal chan struct{} // closed and replaced when queue grows
}

// control is a request to run fn inside the probe process.
type control struct {
	fn    func(p *process.Proc)
	reply chan struct{}
}

// NewProbe spawns a probe on node with opts (for example
// [process.TrapExits] or [process.WithName]) and returns it; the process
// exists when NewProbe returns. It fails the test (t.Fatalf) if the spawn
// fails. The probe keeps t for the failures of its methods that take no t.
func NewProbe(t testing.TB, node *process.Node, opts ...process.SpawnOption) *Probe {
	t.Helper()
	if node == nil {
		t.Fatalf("otptest: spawn probe: %v", argerr.Nil("otptest: NewProbe", "node"))
		return nil
	}
	pr := &Probe{t: t, node: node, done: make(chan struct{}), signal: make(chan struct{})}
	opts = append([]process.SpawnOption{rt.Behaviour("otptest.probe")}, opts...)
	pid, err := node.Spawn(pr.loop, opts...)
	if err != nil {
		t.Fatalf("otptest: spawn probe: %v", err)
	}
	pr.pid = pid
	return pr
}

func (pr *Probe) loop(p *process.Proc) error {
	defer close(pr.done)
	ctx := p.Context()
	for {
		m, err := p.Receive(ctx)
		if err != nil {
			return err // dead already; the runtime keeps the real reason
		}
		switch m := m.(type) {
		case control:
			m.fn(p)
			close(m.reply)
		case process.Exit:
			pr.push(m)
			if m.From.IsZero() && p.Node().Stopped() {
				return m.Reason // the node's stop reached a trapping probe
			}
		default:
			pr.push(m)
		}
	}
}

func (pr *Probe) push(m process.Msg) {
	pr.mu.Lock()
	pr.queue = append(pr.queue, m)
	close(pr.signal)
	pr.signal = make(chan struct{})
	pr.mu.Unlock()
}

// PID returns the probe's PID.
func (pr *Probe) PID() process.PID {
	if !pr.usable() {
		return process.PID{}
	}
	return pr.pid
}

// usable reports whether pr was made by NewProbe.
func (pr *Probe) usable() bool { return pr != nil && pr.t != nil }

// errUnusable is the error of op on a nil or zero probe.
func errUnusable(op string) error {
	return argerr.New("otptest: "+op, "receiver", "is not a probe made by NewProbe")
}

// closedChan is the Done channel of a nil or zero probe.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// Done returns a channel closed when the probe process's code has
// returned (it died or its node stopped).
func (pr *Probe) Done() <-chan struct{} {
	if !pr.usable() {
		return closedChan
	}
	return pr.done
}

// Do runs fn inside the probe process and waits until it returned. It
// fails the test (t.Fatalf) if the probe is dead or does not run fn within
// [DefaultTimeout]. fn may end the probe (for example by exiting itself);
// Do still returns once fn has. A nil fn fails the test.
func (pr *Probe) Do(fn func(p *process.Proc)) {
	if !pr.usable() {
		return
	}
	pr.t.Helper()
	if fn == nil {
		pr.t.Fatalf("otptest: probe %v: %v", pr.pid, argerr.Nil("otptest: Probe.Do", "fn"))
		return
	}
	reply := make(chan struct{})
	if err := pr.node.Send(pr.pid, control{fn: fn, reply: reply}); err != nil {
		pr.t.Fatalf("otptest: probe %v: send control: %v", pr.pid, err)
	}
	timer := time.NewTimer(DefaultTimeout)
	defer timer.Stop()
	select {
	case <-reply:
	case <-pr.done:
		select {
		case <-reply: // fn ran and ended the probe
		default:
			pr.t.Fatalf("otptest: probe %v is dead", pr.pid)
		}
	case <-timer.C:
		pr.t.Fatalf("otptest: probe %v did not run a control call within %v", pr.pid, DefaultTimeout)
	}
}

// Sync waits until the probe has handled every message that was in its
// mailbox when Sync was called: afterwards they are all queued for
// [Probe.Expect], so [Probe.Len] tells exactly what arrived before.
func (pr *Probe) Sync() {
	if !pr.usable() {
		return
	}
	pr.t.Helper()
	pr.Do(func(*process.Proc) {})
}

// Link links the probe to pid and returns [process.Proc.Link]'s error
// (a *[process.NoProcError] when pid is dead and the probe does not trap
// exits).
func (pr *Probe) Link(pid process.PID) error {
	if !pr.usable() {
		return errUnusable("Probe.Link")
	}
	pr.t.Helper()
	var err error
	pr.Do(func(p *process.Proc) { err = p.Link(pid) })
	return err
}

// Unlink removes the link between the probe and pid.
func (pr *Probe) Unlink(pid process.PID) {
	if !pr.usable() {
		return
	}
	pr.t.Helper()
	pr.Do(func(p *process.Proc) { p.Unlink(pid) })
}

// Monitor makes the probe monitor pid and returns the monitor's ref. It
// fails the test (t.Fatalf) if Monitor returns an error.
func (pr *Probe) Monitor(pid process.PID) process.Ref {
	if !pr.usable() {
		return process.Ref{}
	}
	pr.t.Helper()
	var (
		ref process.Ref
		err error
	)
	pr.Do(func(p *process.Proc) { ref, err = p.Monitor(pid) })
	if err != nil {
		pr.t.Fatalf("otptest: probe %v: Monitor(%v): %v", pr.pid, pid, err)
	}
	return ref
}

// Demonitor removes the probe's monitor ref; with flush a Down for ref
// still in the probe's mailbox is dropped too. Messages the probe already
// queued for Expect are not touched.
func (pr *Probe) Demonitor(ref process.Ref, flush bool) bool {
	if !pr.usable() {
		return false
	}
	pr.t.Helper()
	var active bool
	pr.Do(func(p *process.Proc) { active = p.Demonitor(ref, flush) })
	return active
}

// TrapExit sets whether the probe traps exits and returns the previous
// setting.
func (pr *Probe) TrapExit(on bool) bool {
	if !pr.usable() {
		return false
	}
	pr.t.Helper()
	var old bool
	pr.Do(func(p *process.Proc) { old = p.TrapExit(on) })
	return old
}

// Send sends msg from the probe process to to.
func (pr *Probe) Send(to process.PID, msg process.Msg) error {
	if !pr.usable() {
		return errUnusable("Probe.Send")
	}
	pr.t.Helper()
	var err error
	pr.Do(func(p *process.Proc) { err = p.Send(to, msg) })
	return err
}

// next returns the oldest queued message, waiting up to timeout; ok is
// false on timeout or when the probe is dead with nothing queued.
func (pr *Probe) next(timeout time.Duration) (m process.Msg, ok bool) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		pr.mu.Lock()
		if len(pr.queue) > 0 {
			m = pr.queue[0]
			pr.queue[0] = nil
			pr.queue = pr.queue[1:]
			pr.mu.Unlock()
			return m, true
		}
		ch := pr.signal
		pr.mu.Unlock()
		select {
		case <-ch:
		case <-pr.done:
			pr.mu.Lock()
			empty := len(pr.queue) == 0
			pr.mu.Unlock()
			if empty {
				return nil, false
			}
		case <-timer.C:
			return nil, false
		}
	}
}

// Expect returns the next message the probe received, waiting up to
// timeout. It fails the test (t.Fatalf) if none comes in time or the
// probe is dead with nothing queued.
func (pr *Probe) Expect(t testing.TB, timeout time.Duration) process.Msg {
	t.Helper()
	if !pr.usable() {
		t.Fatalf("otptest: Probe.Expect: %v", errUnusable("Probe.Expect"))
		return nil
	}
	m, ok := pr.next(timeout)
	if !ok {
		t.Fatalf("otptest: probe %v: no message within %v%s", pr.pid, timeout, pr.deadNote())
	}
	return m
}

// ExpectExit is [Probe.Expect] for a message that must be a [process.Exit].
func (pr *Probe) ExpectExit(t testing.TB, timeout time.Duration) process.Exit {
	t.Helper()
	m := pr.Expect(t, timeout)
	e, ok := m.(process.Exit)
	if !ok {
		t.Fatalf("otptest: probe %v got %T %+v; want process.Exit", pr.pid, m, m)
	}
	return e
}

// ExpectDown is [Probe.Expect] for a message that must be a [process.Down].
func (pr *Probe) ExpectDown(t testing.TB, timeout time.Duration) process.Down {
	t.Helper()
	m := pr.Expect(t, timeout)
	d, ok := m.(process.Down)
	if !ok {
		t.Fatalf("otptest: probe %v got %T %+v; want process.Down", pr.pid, m, m)
	}
	return d
}

// ExpectNone fails the test (t.Errorf) if a message is queued or arrives
// within d. It can only show absence for d; keep d tiny, or run the test
// in a testing/synctest bubble where d costs no real time.
func (pr *Probe) ExpectNone(t testing.TB, d time.Duration) {
	t.Helper()
	if !pr.usable() {
		t.Errorf("otptest: Probe.ExpectNone: %v", errUnusable("Probe.ExpectNone"))
		return
	}
	if m, ok := pr.next(d); ok {
		t.Errorf("otptest: probe %v got %T %+v; want no message", pr.pid, m, m)
	}
}

// Len returns the number of messages queued for Expect.
func (pr *Probe) Len() int {
	if !pr.usable() {
		return 0
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return len(pr.queue)
}

func (pr *Probe) deadNote() string {
	select {
	case <-pr.done:
		return " (probe is dead)"
	default:
		return ""
	}
}
