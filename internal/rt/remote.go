package rt

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/seed-fe72f376/orchard/process"
)

// NodeID returns the node option that numbers a new node id instead of
// the next number in sequence: a cluster gives its nodes numbers unique
// across the cluster, so that a PID names its node everywhere. NewNode
// fails when a node of this program has that number; zero is an error.
func NodeID(id uint32) process.Option { return impl.NodeID(id) }

// PIDOf returns the PID made of a node number and a process number, as
// decoded from a message of another node.
func PIDOf(node, id uint64) process.PID { return impl.PIDOf(uint32(node), id) }

// Remote is how a cluster reaches processes of the nodes it knows that
// run in other programs. The cluster package installs one per local
// node ([InstallRemote]); process and the behaviours use it only on the
// paths where no local process was found, so local work never pays for
// it.
type Remote interface {
	// Reaches reports whether node is a node of the cluster that is not
	// in this program.
	Reaches(node uint32) bool
	// Send delivers msg from from (zero outside any process) to the
	// remote process to.
	Send(from, to process.PID, msg process.Msg) error
	// Call makes the genserver call req to the remote server to and
	// returns its reply; dest is what the caller named, for errors.
	// timeout zero means the caller node's default call timeout.
	Call(ctx context.Context, dest process.Dest, caller, to process.PID, req any, timeout time.Duration) (any, error)
	// Cast casts msg to the remote server to.
	Cast(to process.PID, msg any) error
	// Deliver is a confirmed delivery of msg to the remote process to,
	// for supervised send: with handled false, to's node answers once
	// msg is in to's mailbox; with handled true, once genserver.Deliver
	// returned there (HandleInfo ran). A lost node, a dead process, a
	// full mailbox or a lapsed timeout is an error as genserver.Call
	// reports it (a *genserver.CallError with the reason), never a
	// silent success. timeout zero means the caller node's default.
	Deliver(ctx context.Context, dest process.Dest, caller, to process.PID, msg any, timeout time.Duration, handled bool) error
	// Link asks to's node to link to to from (from has recorded it).
	Link(from, to process.PID)
	// Unlink asks to's node to drop the link of from.
	Unlink(from, to process.PID)
	// Monitor asks target's node to report target's death to watcher
	// under ref (watcher has recorded it).
	Monitor(watcher, target process.PID, ref process.Ref)
	// Demonitor asks target's node to drop the monitor ref.
	Demonitor(watcher, target process.PID, ref process.Ref)
	// Exit sends an exit signal from from to the remote process to:
	// viaLink, the death of a linked process; else erlang:exit/2.
	Exit(from, to process.PID, reason error, viaLink bool)
	// Down tells the remote watcher that target died with reason.
	Down(watcher, target process.PID, ref process.Ref, reason error)
}

// RefOf returns the Ref made of a node number and a reference number.
func RefOf(node uint32, id uint64) process.Ref { return impl.RefOf(node, id) }

// RefParts returns r's node and reference numbers.
func RefParts(r process.Ref) (node uint32, id uint64) { return impl.RefParts(r) }

// LinkIn records a link from the remote process remote to the local
// process local of n; a *process.NoProcError when local is not alive.
func LinkIn(n *process.Node, local, remote process.PID) error { return impl.LinkIn(n, local, remote) }

// UnlinkIn removes the link of remote to local.
func UnlinkIn(n *process.Node, local, remote process.PID) { impl.UnlinkIn(n, local, remote) }

// ExitIn applies an exit signal from the remote process from to the
// local process to (viaLink: from died and was linked to to).
func ExitIn(n *process.Node, from, to process.PID, reason error, viaLink bool) {
	impl.ExitIn(n, from, to, reason, viaLink)
}

// MonitorIn records that the remote process watcher monitors the local
// process target under ref; a *process.NoProcError when target is not
// alive.
func MonitorIn(n *process.Node, target, watcher process.PID, ref process.Ref) error {
	return impl.MonitorIn(n, target, watcher, ref)
}

// DemonitorIn removes the remote monitor ref of target.
func DemonitorIn(n *process.Node, target process.PID, ref process.Ref) {
	impl.DemonitorIn(n, target, ref)
}

// DownIn delivers a Down for the remote target to the local watcher, if
// its monitor ref is still active.
func DownIn(n *process.Node, watcher, target process.PID, ref process.Ref, reason error) {
	impl.DownIn(n, watcher, target, ref, reason)
}

// NodeDown applies the loss of node to n's processes: exit signals on
// their links to it, Down on their monitors of it, both with reason.
func NodeDown(n *process.Node, node uint32, reason error) { impl.NodeDown(n, node, reason) }

var remotes sync.Map // *process.Node -> Remote

// InstallRemote makes r deliver n's messages to processes of other
// programs (nil removes it).
func InstallRemote(n *process.Node, r Remote) {
	if r == nil {
		impl.SetRemote(n, nil)
		remotes.Delete(n)
		return
	}
	remotes.Store(n, r)
	impl.SetRemote(n, r)
}

// RemoteFor returns the Remote that reaches the node of the PID err
// names when err is (or wraps) a *process.WrongNodeError for a node of
// another program, preferring the Remote of local; ok is false
// otherwise.
func RemoteFor(local *process.Node, err error) (r Remote, pid process.PID, ok bool) {
	var wn *process.WrongNodeError
	if !errors.As(err, &wn) {
		return nil, process.PID{}, false
	}
	pid = wn.PID
	if local != nil {
		if v, has := remotes.Load(local); has && v.(Remote).Reaches(pid.Node()) {
			return v.(Remote), pid, true
		}
	}
	remotes.Range(func(_, v any) bool {
		if v.(Remote).Reaches(pid.Node()) {
			r, ok = v.(Remote), true
			return false
		}
		return true
	})
	return r, pid, ok
}
