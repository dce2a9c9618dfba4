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
// node ([InstallRemote]); the behaviours ask [RemoteFor] on the error
// path of a lookup, so a local call never pays for it.
type Remote interface {
	// Reaches reports whether node is a node of the cluster that is not
	// in this program.
	Reaches(node uint32) bool
	// Send delivers msg from from (zero outside any process) to the
	// remote process to.
	Send(from, to process.PID, msg process.Msg) error
	// Call makes the genserver call req to the remote server to and
	// returns its reply; dest is what the caller named, for errors.
	// timeout zero means the callee node's default call timeout.
	Call(ctx context.Context, dest process.Dest, caller, to process.PID, req any, timeout time.Duration) (any, error)
	// Cast casts msg to the remote server to.
	Cast(to process.PID, msg any) error
}

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
	impl.SetRemote(n, r.Send)
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
