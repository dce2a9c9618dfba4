package process

import (
	"context"
	"sync"
	"testing"
	"time"
)

// fakeRemote models the node of a remote process: it applies the link and
// monitor requests it gets in the order they arrive, as that node would.
// Before it takes a Link or Monitor it runs before (nil: nothing), which
// stands for whatever happened between the request being made and sent.
type fakeRemote struct {
	mu       sync.Mutex
	before   func()
	links    map[PID]bool // local processes linked to the remote one
	watchers map[Ref]PID  // monitors of the remote one by local processes
	exits    []error      // link exit signals applied (a link was there)
}

func (f *fakeRemote) takeBefore() {
	f.mu.Lock()
	fn := f.before
	f.before = nil
	f.mu.Unlock()
	if fn != nil {
		fn()
	}
}

func (f *fakeRemote) Send(PID, PID, Msg) error { return nil }
func (f *fakeRemote) Link(from, _ PID) {
	f.takeBefore()
	f.mu.Lock()
	f.links[from] = true
	f.mu.Unlock()
}
func (f *fakeRemote) Unlink(from, _ PID) {
	f.mu.Lock()
	delete(f.links, from)
	f.mu.Unlock()
}
func (f *fakeRemote) Monitor(watcher, _ PID, ref Ref) {
	f.takeBefore()
	f.mu.Lock()
	f.watchers[ref] = watcher
	f.mu.Unlock()
}
func (f *fakeRemote) Demonitor(_, _ PID, ref Ref) {
	f.mu.Lock()
	delete(f.watchers, ref)
	f.mu.Unlock()
}
func (f *fakeRemote) Exit(from, _ PID, reason error, viaLink bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if viaLink && !f.links[from] {
		return // no link: the remote node drops a link signal
	}
	delete(f.links, from)
	f.exits = append(f.exits, reason)
}
func (f *fakeRemote) Down(PID, PID, Ref, error) {}

// remoteNode makes a node with f as its cluster and a PID of a node in
// another program.
func remoteNode(t *testing.T, f *fakeRemote) (*Node, PID) {
	t.Helper()
	n, err := NewNode()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = n.Stop(ctx)
	})
	f.links, f.watchers = map[PID]bool{}, map[Ref]PID{}
	bridge{}.SetRemote(n, f)
	return n, bridge{}.PIDOf(1<<31|0x5eed, 7)
}

// runAndWait runs fn in a new process of n and waits for the process to
// end.
func runAndWait(t *testing.T, n *Node, fn Func) {
	t.Helper()
	done := make(chan struct{})
	if _, err := n.Spawn(func(p *Proc) error {
		defer close(done)
		return fn(p)
	}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the process did not end")
	}
}

// A process killed while it links to a remote process, after recording
// the link and before the request went, still signals its death to the
// remote process: the remote node ends up with no link to the dead
// process and has seen its exit once.
func TestLinkRemoteRacesDeath(t *testing.T) {
	f := &fakeRemote{}
	n, remote := remoteNode(t, f)
	runAndWait(t, n, func(p *Proc) error {
		f.before = func() { _ = n.Exit(p.PID(), Kill) }
		_ = p.Link(remote)
		return nil
	})
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.links) != 0 || len(f.exits) != 1 || f.exits[0] != Killed {
		t.Errorf("remote node: links %v, exits %v; want none and [killed]", f.links, f.exits)
	}
}

// A process killed while it monitors a remote process leaves no watcher
// on the remote node.
func TestMonitorRemoteRacesDeath(t *testing.T) {
	f := &fakeRemote{}
	n, remote := remoteNode(t, f)
	runAndWait(t, n, func(p *Proc) error {
		f.before = func() { _ = n.Exit(p.PID(), Kill) }
		_, _ = p.Monitor(remote)
		return nil
	})
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.watchers) != 0 {
		t.Errorf("remote node keeps watchers %v of a dead process", f.watchers)
	}
}
