package rt_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// suspendWait bounds every wait of the SpawnSuspended tests; it is never
// slept on.
const suspendWait = 10 * time.Second

// suspendedChild is a Starter that reports its start (with the Parent it
// sees) on started and logs its start and every message on trace.
type suspendedChild struct {
	started chan process.PID // buffered; may be nil
	trace   *otptest.Trace   // may be nil
}

func (c suspendedChild) HandleStart(p *process.Proc) error {
	if c.trace != nil {
		c.trace.Add("start")
	}
	if c.started != nil {
		c.started <- p.Parent()
	}
	return nil
}

func (c suspendedChild) HandleMessage(_ *process.Proc, m process.Msg) error {
	if c.trace != nil {
		c.trace.Addf("msg %v", m)
	}
	return nil
}

// notStarted fails the test if the child already reported its start.
func notStarted(t *testing.T, started <-chan process.PID, when string) {
	t.Helper()
	select {
	case parent := <-started:
		t.Fatalf("HandleStart ran %s (Parent %v); want it held until Resume", when, parent)
	default:
	}
}

// awaitDone waits, bounded, for a Target's death.
func awaitDone(t *testing.T, target rt.Target, what string) {
	t.Helper()
	select {
	case <-target.Done():
	case <-time.After(suspendWait):
		t.Fatalf("%s still alive after %v", what, suspendWait)
	}
}

// TestSpawnSuspendedHoldsStartUntilResume checks that the child exists
// (alive, its Parent set) but that HandleStart runs only after Resume,
// with the parent, not the calling goroutine, as its Parent.
func TestSpawnSuspendedHoldsStartUntilResume(t *testing.T) {
	n := otptest.NewNode(t)
	parent := otptest.NewProbe(t, n)
	started := make(chan process.PID, 1)

	s, err := rt.SpawnSuspended(n, parent.PID(), suspendedChild{started: started})
	if err != nil {
		t.Fatalf("SpawnSuspended = %v; want nil", err)
	}
	if s.PID().IsZero() || s.Target().PID() != s.PID() || !s.Target().Valid() {
		t.Fatalf("Suspended PID %v, Target %v; want one non-zero process", s.PID(), s.Target().PID())
	}
	notStarted(t, started, "before SpawnSuspended returned")
	if !n.IsAlive(s.PID()) || !s.Target().Alive() {
		t.Errorf("suspended child is not alive; want it to exist before Resume")
	}
	info, err := n.Info(s.PID())
	if err != nil || info.Parent != parent.PID() {
		t.Errorf("Info(child) = Parent %v, %v; want Parent %v", info.Parent, err, parent.PID())
	}
	parent.Sync() // the parent handled a round trip: time has passed
	notStarted(t, started, "before Resume, after a round trip through the parent")

	s.Resume()
	select {
	case got := <-started:
		if got != parent.PID() {
			t.Errorf("Parent in HandleStart = %v; want %v (the parent, not the caller)", got, parent.PID())
		}
	case <-time.After(suspendWait):
		t.Fatalf("HandleStart did not run within %v of Resume", suspendWait)
	}
	if !s.Target().Alive() {
		t.Errorf("child died after its HandleStart returned nil; want it idle and alive")
	}
}

// TestSpawnSuspendedLinkedDiesWithParent checks that Linked links child
// and parent before Resume: the parent's death kills the suspended child
// with OTP's link rules, and a later Resume neither runs HandleStart nor
// leaves a zombie.
func TestSpawnSuspendedLinkedDiesWithParent(t *testing.T) {
	tests := []struct {
		name string
		// kill ends the parent; want is the child's exit reason.
		kill func(t *testing.T, n *process.Node, parent process.PID)
		want error
	}{
		{"parent killed", func(t *testing.T, n *process.Node, parent process.PID) {
			if err := n.Exit(parent, process.Kill); err != nil {
				t.Fatalf("Exit(parent, Kill) = %v; want nil", err)
			}
		}, process.Killed},
		{"parent crashed", func(t *testing.T, n *process.Node, parent process.PID) {
			if err := n.Send(parent, "crash"); err != nil {
				t.Fatalf("Send(parent, crash) = %v; want nil", err)
			}
		}, errBoom},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := otptest.NewNode(t)
			parent, err := n.Spawn(waitForGo(func() error { return errBoom }))
			if err != nil {
				t.Fatalf("Spawn(parent) = %v; want nil", err)
			}
			started := make(chan process.PID, 1)
			s, err := rt.SpawnSuspended(n, parent, suspendedChild{started: started}, process.Linked())
			if err != nil {
				t.Fatalf("SpawnSuspended(Linked) = %v; want nil", err)
			}
			info, err := n.Info(parent)
			if err != nil || !slices.Contains(info.Links, s.PID()) {
				t.Fatalf("parent's Links = %v, %v; want the suspended child %v before Resume", info.Links, err, s.PID())
			}

			tc.kill(t, n, parent)
			awaitDone(t, s.Target(), "suspended child of a dead parent")
			if got := s.Target().Reason(); !errors.Is(got, tc.want) {
				t.Errorf("child's reason = %v; want %v (the link signal)", process.FormatReason(got), process.FormatReason(tc.want))
			}
			if n.IsAlive(s.PID()) {
				t.Errorf("IsAlive(child) = true after its Done closed")
			}

			s.Resume()
			// Stop drains the worker pool, so the worker Resume handed the
			// dead child to has finished with it when CheckStopped returns;
			// CheckStopped also fails on any zombie or leftover process.
			otptest.CheckStopped(t, n)
			notStarted(t, started, "after Resume of a child that died suspended")
			if st := n.Stats(); st.Zombies != 0 || st.Processes != 0 {
				t.Errorf("Stats = %+v after Resume of a dead child; want no zombie, no process", st)
			}
		})
	}
}

// TestSpawnSuspendedTrapsParentExitAfterStart checks that a trapping
// suspended child gets the Exit of its linked parent as a message, handled
// only after HandleStart.
func TestSpawnSuspendedTrapsParentExitAfterStart(t *testing.T) {
	n := otptest.NewNode(t)
	parent := otptest.NewProbe(t, n)
	var trace otptest.Trace
	s, err := rt.SpawnSuspended(n, parent.PID(), suspendedChild{trace: &trace}, process.Linked(), process.TrapExits())
	if err != nil {
		t.Fatalf("SpawnSuspended = %v; want nil", err)
	}
	if err := n.Exit(parent.PID(), process.Kill); err != nil {
		t.Fatalf("Exit(parent, Kill) = %v; want nil", err)
	}
	<-parent.Done()
	if !s.Target().Alive() {
		t.Fatalf("trapping suspended child died with its parent (%v); want an Exit message", s.Target().Reason())
	}
	if trace.Len() != 0 {
		t.Fatalf("child ran before Resume: %q", trace.Lines())
	}
	s.Resume()
	want := []string{"start", fmt.Sprintf("msg %v", process.Exit{From: parent.PID(), Reason: process.Killed})}
	if got := trace.WaitN(t, 2, suspendWait); !slices.Equal(got, want) {
		t.Errorf("child saw %q; want %q", got, want)
	}
	// It traps exits and ignores them, so it would hold up the node's stop.
	_ = n.Exit(s.PID(), process.Kill)
	awaitDone(t, s.Target(), "killed child")
}

// TestSpawnSuspendedQueuesMessagesAfterStart checks that messages sent to
// a suspended child are kept, in order, and handled after HandleStart.
func TestSpawnSuspendedQueuesMessagesAfterStart(t *testing.T) {
	n := otptest.NewNode(t)
	parent := otptest.NewProbe(t, n)
	var trace otptest.Trace
	s, err := rt.SpawnSuspended(n, parent.PID(), suspendedChild{trace: &trace})
	if err != nil {
		t.Fatalf("SpawnSuspended = %v; want nil", err)
	}
	if err := n.Send(s.PID(), "a"); err != nil {
		t.Fatalf("Send(a) = %v; want nil", err)
	}
	if err := s.Target().Send("b"); err != nil {
		t.Fatalf("Target.Send(b) = %v; want nil", err)
	}
	if err := parent.Send(s.PID(), "c"); err != nil { // from a process
		t.Fatalf("parent Send(c) = %v; want nil", err)
	}
	parent.Sync()
	if trace.Len() != 0 {
		t.Fatalf("child ran before Resume: %q", trace.Lines())
	}
	s.Resume()
	want := []string{"start", "msg a", "msg b", "msg c"}
	if got := trace.WaitN(t, len(want), suspendWait); !slices.Equal(got, want) {
		t.Errorf("child saw %q; want %q", got, want)
	}
	if err := n.Send(s.PID(), "d"); err != nil {
		t.Fatalf("Send(d) = %v; want nil", err)
	}
	trace.WaitFor(t, "msg d", suspendWait)
	if got := trace.Lines(); slices.Index(got, "start") != 0 || len(got) != 5 {
		t.Errorf("child saw %q; want one start, first, then 4 messages", got)
	}
}

// TestSpawnSuspendedErrors checks each refused spawn: the error's type,
// the zero Suspended, and that no process was left behind.
func TestSpawnSuspendedErrors(t *testing.T) {
	n := otptest.NewNode(t)
	other := otptest.NewNode(t)
	parent := otptest.NewProbe(t, n)
	foreign := otptest.NewProbe(t, other)
	dead := deadPID(t, n)
	child := suspendedChild{}
	before := len(n.Processes())
	if err := n.Register("taken", parent.PID()); err != nil {
		t.Fatalf("Register(taken) = %v; want nil", err)
	}

	isArg := func(arg string) func(error) bool {
		return func(err error) bool {
			var ae *process.ArgumentError
			return errors.As(err, &ae) && errors.Is(err, process.ErrInvalidOption) && ae.Op == "rt: SpawnSuspended" && ae.Arg == arg
		}
	}
	tests := []struct {
		name   string
		parent process.PID
		h      process.Handler
		opts   []process.SpawnOption
		want   string
		match  func(error) bool
	}{
		{"dead parent", dead, child, nil, "*NoProcError matching NoProc", func(err error) bool {
			var np *process.NoProcError
			return errors.As(err, &np) && np.PID == dead && errors.Is(err, process.NoProc)
		}},
		{"dead parent, Linked", dead, child, []process.SpawnOption{process.Linked()}, "*NoProcError matching NoProc", func(err error) bool {
			return errors.Is(err, process.NoProc)
		}},
		{"zero parent", process.PID{}, child, nil, "ErrInvalidPID", func(err error) bool {
			return errors.Is(err, process.ErrInvalidPID)
		}},
		{"parent on another node", foreign.PID(), child, nil, "*WrongNodeError", func(err error) bool {
			var wn *process.WrongNodeError
			return errors.As(err, &wn) && wn.PID == foreign.PID()
		}},
		{"not a Starter", parent.PID(), handlerFunc(func(*process.Proc, process.Msg) error { return nil }), nil,
			"*ArgumentError for h", isArg("h")},
		{"nil handler", parent.PID(), nil, nil, "*ArgumentError for h", isArg("h")},
		{"StartInline", parent.PID(), child, []process.SpawnOption{rt.StartInline()}, "*ArgumentError for rt.StartInline()", isArg("rt.StartInline()")},
		{"name taken", parent.PID(), child, []process.SpawnOption{process.WithName("taken")}, "ErrNameTaken", func(err error) bool {
			return errors.Is(err, process.ErrNameTaken)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := rt.SpawnSuspended(n, tc.parent, tc.h, tc.opts...)
			if !tc.match(err) {
				t.Errorf("SpawnSuspended = %v; want %s", err, tc.want)
			}
			if !s.PID().IsZero() || s.Target().Valid() {
				t.Errorf("failed SpawnSuspended returned process %v; want the zero Suspended", s.PID())
			}
		})
	}
	if got := n.Processes(); len(got) != before {
		t.Errorf("processes after refused spawns = %v; want %d (none added)", got, before)
	}
	if st := n.Stats(); st.Zombies != 0 {
		t.Errorf("Stats.Zombies = %d after refused spawns; want 0", st.Zombies)
	}
}

// TestSpawnSuspendedWhileNodeStops checks that a node that is stopping
// refuses SpawnSuspended with ErrNodeStopped even for a parent that is
// still alive (it traps exits and holds on to its Shutdown).
func TestSpawnSuspendedWhileNodeStops(t *testing.T) {
	n, err := process.NewNode()
	if err != nil {
		t.Fatalf("NewNode = %v; want nil", err)
	}
	shutdown, release := make(chan struct{}), make(chan struct{})
	releaseOnce := sync.OnceFunc(func() { close(release) })
	parent, err := n.Spawn(func(p *process.Proc) error {
		m, err := p.Receive(p.Context())
		if err != nil {
			return err
		}
		close(shutdown)
		<-release
		return m.(process.Exit).Reason
	}, process.TrapExits())
	if err != nil {
		t.Fatalf("Spawn(parent) = %v; want nil", err)
	}
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), suspendWait)
		defer cancel()
		stopped <- n.Stop(ctx)
	}()
	t.Cleanup(func() {
		releaseOnce()
		select {
		case err := <-stopped:
			if err != nil {
				t.Errorf("Stop = %v; want nil", err)
			}
		case <-time.After(suspendWait):
			t.Errorf("Stop did not return within %v", suspendWait)
		}
		otptest.CheckStopped(t, n)
	})
	select {
	case <-shutdown:
	case <-time.After(suspendWait):
		t.Fatalf("parent got no Shutdown within %v of Stop", suspendWait)
	}

	s, err := rt.SpawnSuspended(n, parent, suspendedChild{}, process.Linked())
	if !errors.Is(err, process.ErrNodeStopped) || !s.PID().IsZero() {
		t.Errorf("SpawnSuspended on a stopping node = %v, %v; want ErrNodeStopped and no process", s.PID(), err)
	}
	if got := n.Processes(); len(got) != 1 || got[0] != parent {
		t.Errorf("processes = %v; want only the parent %v", got, parent)
	}
}

// TestSpawnSuspendedOnStoppedNode checks that a stopped node refuses
// SpawnSuspended and creates nothing. Its processes are all gone, so the
// parent is no longer alive either: the error says the node stopped or the
// parent is gone.
func TestSpawnSuspendedOnStoppedNode(t *testing.T) {
	n, err := process.NewNode()
	if err != nil {
		t.Fatalf("NewNode = %v; want nil", err)
	}
	parent := otptest.NewProbe(t, n)
	if !otptest.CheckStopped(t, n) {
		t.FailNow()
	}
	s, err := rt.SpawnSuspended(n, parent.PID(), suspendedChild{})
	if !errors.Is(err, process.ErrNodeStopped) {
		t.Errorf("SpawnSuspended on a stopped node = %v; want ErrNodeStopped", err)
	}
	if !s.PID().IsZero() || s.Target().Valid() {
		t.Errorf("SpawnSuspended on a stopped node returned process %v; want the zero Suspended", s.PID())
	}
	if st := n.Stats(); st.Processes != 0 || st.Zombies != 0 {
		t.Errorf("Stats = %+v; want no process, no zombie", st)
	}
}

// TestSpawnSuspendedConcurrent spawns and resumes 1,000 children of one
// parent from several goroutines: each starts exactly once, under the right
// parent, and ends normally.
func TestSpawnSuspendedConcurrent(t *testing.T) {
	const spawners, perSpawner = 4, 250
	n := otptest.NewNode(t)
	parent := otptest.NewProbe(t, n)
	var (
		starts      [spawners * perSpawner]atomic.Int32
		children    [spawners * perSpawner]rt.Suspended
		wrongParent atomic.Int32
	)
	handOff := make(chan rt.Suspended, len(children))

	var wg sync.WaitGroup
	for g := range spawners {
		wg.Go(func() {
			for i := g * perSpawner; i < (g+1)*perSpawner; i++ {
				h := &countingChild{count: &starts[i], parent: parent.PID(), wrongParent: &wrongParent}
				s, err := rt.SpawnSuspended(n, parent.PID(), h, process.Linked())
				if err != nil {
					t.Errorf("SpawnSuspended #%d = %v; want nil", i, err)
					return
				}
				children[i] = s
				if i%2 == 0 {
					s.Resume() // on the spawning goroutine
				} else {
					handOff <- s // resumed by another goroutine
				}
			}
		})
	}
	resumed := 0
	go func() { wg.Wait(); close(handOff) }()
	for s := range handOff {
		s.Resume()
		resumed++
	}
	if t.Failed() {
		return
	}
	if resumed != len(children)/2 {
		t.Fatalf("resumed %d children off their spawning goroutine; want %d", resumed, len(children)/2)
	}
	deadline := time.After(suspendWait)
	for i, s := range children {
		select {
		case <-s.Target().Done():
		case <-deadline:
			t.Fatalf("child #%d did not end within %v", i, suspendWait)
		}
		if r := s.Target().Reason(); !errors.Is(r, process.Normal) {
			t.Errorf("child #%d ended with %v; want normal", i, process.FormatReason(r))
		}
		if c := starts[i].Load(); c != 1 {
			t.Errorf("child #%d started %d times; want once", i, c)
		}
	}
	if c := wrongParent.Load(); c != 0 {
		t.Errorf("%d children saw a Parent other than %v", c, parent.PID())
	}
	if !n.IsAlive(parent.PID()) {
		t.Errorf("parent died from its linked children's normal exits; want it alive")
	}
}

// countingChild counts its starts, checks its Parent, and ends normally.
type countingChild struct {
	count       *atomic.Int32
	parent      process.PID
	wrongParent *atomic.Int32
}

func (c *countingChild) HandleStart(p *process.Proc) error {
	c.count.Add(1)
	if p.Parent() != c.parent {
		c.wrongParent.Add(1)
	}
	return process.Normal
}

func (*countingChild) HandleMessage(*process.Proc, process.Msg) error { return nil }

// adopt tells a parent about a child that it will hear of again.
type adopt struct {
	pid process.PID
	id  string
}

// quickChild is a Starter that ends normally as soon as it starts.
type quickChild struct{}

func (quickChild) HandleStart(*process.Proc) error                { return process.Normal }
func (quickChild) HandleMessage(*process.Proc, process.Msg) error { return nil }

// SpawnSuspended lets any goroutine start a child on behalf of a process
// and tell that process about it before the child runs, so the parent
// always learns of the child before it learns of its exit, however quickly
// the child ends, and the caller never waits for the parent.
func ExampleSpawnSuspended() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())

	parent, _ := node.Spawn(func(p *process.Proc) error {
		names := map[process.PID]string{}
		for {
			m, err := p.Receive(p.Context())
			if err != nil {
				return err
			}
			switch m := m.(type) {
			case adopt:
				names[m.pid] = m.id
				fmt.Println("adopted", m.id)
			case process.Exit:
				name, known := names[m.From]
				fmt.Println("exit of", name, "known:", known, "reason:", process.FormatReason(m.Reason))
				return nil
			}
		}
	}, process.TrapExits())
	watch, _ := rt.LookupOn(node, parent)

	s, err := rt.SpawnSuspended(node, parent, quickChild{}, process.Linked())
	if err != nil {
		panic(err)
	}
	_ = node.Send(parent, adopt{pid: s.PID(), id: "worker-1"})
	s.Resume()

	<-watch.Done()
	// Output:
	// adopted worker-1
	// exit of worker-1 known: true reason: normal
}

// TestSpawnSuspendedResumeOnce: a suspended child is Runnable with an
// empty mailbox; only the first Resume lets it run; later ones, even
// concurrent, do nothing.
func TestSpawnSuspendedResumeOnce(t *testing.T) {
	n := otptest.NewNode(t)
	parent := otptest.NewProbe(t, n)
	started := make(chan process.PID, 4)
	s, err := rt.SpawnSuspended(n, parent.PID(), suspendedChild{started: started})
	if err != nil {
		t.Fatalf("SpawnSuspended: %v", err)
	}
	if info, err := n.Info(s.PID()); err != nil || info.Status != process.Runnable || info.MailboxLen != 0 {
		t.Errorf("Info of a suspended child = %+v, %v; want Runnable, mailbox 0", info, err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(s.Resume)
	}
	wg.Wait()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("HandleStart never ran")
	}
	tg := s.Target()
	_ = n.Exit(tg.PID(), process.Kill)
	<-tg.Done()
	if k := len(started); k != 0 {
		t.Errorf("HandleStart ran %d more times; want once", k)
	}
	rt.Suspended{}.Resume() // the zero Suspended: nothing
}

// TestAnnounce: the announce function sees the new process before anyone
// else can (it is not yet in the node's table, so it can neither be
// signalled nor exit), and a nil function is an invalid option.
func TestAnnounce(t *testing.T) {
	n := otptest.NewNode(t)
	parent := otptest.NewProbe(t, n)
	var announced rt.Target
	visible := true
	s, err := rt.SpawnSuspended(n, parent.PID(), suspendedChild{}, process.Linked(),
		rt.Announce(func(tg rt.Target) {
			announced = tg
			visible = n.IsAlive(tg.PID())
		}))
	if err != nil {
		t.Fatalf("SpawnSuspended: %v", err)
	}
	defer s.Resume()
	if announced.PID() != s.PID() || visible {
		t.Errorf("announced %v (visible %t); want %v, not yet visible", announced.PID(), visible, s.PID())
	}
	if !n.IsAlive(s.PID()) {
		t.Errorf("child not alive after SpawnSuspended")
	}
	var ae *process.ArgumentError
	if _, err := rt.SpawnSuspended(n, parent.PID(), suspendedChild{}, rt.Announce(nil)); !errors.As(err, &ae) || ae.Op != "rt: Announce" {
		t.Errorf("Announce(nil) = %v; want an *ArgumentError of rt: Announce", err)
	}
}
