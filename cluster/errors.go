package cluster

import (
	"errors"
	"strconv"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// ErrInvalidArgument is matched by every error about bad input to this package; it is
// the same value in every Orchard package (docs/ERRORS.md).
var ErrInvalidArgument = argerr.ErrInvalidArgument

// ArgumentError reports one bad argument (Op, Arg, Reason); the same type in every
// Orchard package (docs/ERRORS.md).
type ArgumentError = argerr.Error

var (
	//lint:ignore ST1012 an exit reason named after OTP's noconnection, like process.NoProc
	// NoConnection is the exit reason of a remote process whose node is
	// unreachable or was declared down (OTP's noconnection): a call to it
	// fails with it, and a send to it returns an error matching it.
	NoConnection = errors.New("noconnection")
	// ErrInsecure is matched by *[InsecureError]: a node asked to listen
	// on a non-loopback address without authentication.
	ErrInsecure = errors.New("cluster: refusing to listen on a non-loopback address without authentication")
	// ErrUnregistered is matched by *[UnregisteredError]: a message whose
	// type is not in the node's type registry ([Register]).
	ErrUnregistered = errors.New("cluster: message type not registered")
	// ErrEncode is matched by *[EncodeError]: the codec could not encode
	// or decode a message.
	ErrEncode = errors.New("cluster: codec failed")
	// ErrStopped is returned by operations on a node that has stopped.
	ErrStopped = errors.New("cluster: node stopped")
)

// InsecureError is returned by [Start] for a route listener on a
// non-loopback address when no user and password are set. It matches
// [ErrInsecure] and [ErrInvalidArgument].
type InsecureError struct {
	// Host is the listen host that was refused.
	Host string
}

func (e *InsecureError) Error() string {
	return "cluster: refusing to listen on " + strconv.Quote(e.Host) + " (not loopback) without authentication (set Config.User and Config.Password)"
}

// Is matches ErrInsecure and ErrInvalidArgument.
func (e *InsecureError) Is(target error) bool {
	return target == ErrInsecure || target == ErrInvalidArgument
}

// UnregisteredError is returned at the sender for a message whose Go type
// is not registered on the node ([Register]), and logged at a receiver
// for a type name it does not know. It matches [ErrUnregistered].
type UnregisteredError struct {
	// Type is the Go type (sender) or the wire name (receiver).
	Type string
}

func (e *UnregisteredError) Error() string {
	return "cluster: message type " + e.Type + " is not registered (cluster.Register)"
}

// Is matches ErrUnregistered.
func (e *UnregisteredError) Is(target error) bool { return target == ErrUnregistered }

// EncodeError is returned at the sender when the codec fails on a
// message (a value the codec cannot represent). It matches [ErrEncode].
type EncodeError struct {
	Type string
	Err  error
}

func (e *EncodeError) Error() string { return "cluster: encoding " + e.Type + ": " + e.Err.Error() }

// Unwrap returns the codec's error.
func (e *EncodeError) Unwrap() error { return e.Err }

// Is matches ErrEncode.
func (e *EncodeError) Is(target error) bool { return target == ErrEncode }

// NodeDownError is returned by a send to a process of a node that is not
// (or no longer) a live member of the cluster. It matches [NoConnection].
type NodeDownError struct {
	// Node is the number of the unreachable node.
	Node uint32
}

func (e *NodeDownError) Error() string {
	return "cluster: node " + strconv.FormatUint(uint64(e.Node), 10) + " is not connected (noconnection)"
}

// Is matches NoConnection.
func (e *NodeDownError) Is(target error) bool { return target == NoConnection }

// RemoteError is an error returned by a remote server's HandleCall, or the
// exit reason of a remote process, carried across nodes as text.
type RemoteError struct {
	// Node is the name of the node it came from.
	Node string
	// Msg is the error's text there.
	Msg string
}

func (e *RemoteError) Error() string { return e.Msg + " (on node " + e.Node + ")" }

// ErrChildExists is returned by [DistSupervisor.StartChild] for a child
// id the supervisor already has.
var ErrChildExists = errors.New("cluster: distributed child already exists")

// ErrUnknownSpawnable is matched by *[UnknownSpawnableError].
var ErrUnknownSpawnable = errors.New("cluster: spawnable not registered")

// ErrSpawnAbandoned is the exit reason of a process started by
// [Node.SpawnLink] or [Node.SpawnMonitor] whose caller never confirmed
// the spawn (its node was lost, or its call timed out before the reply):
// the process exits without running its spawnable.
var ErrSpawnAbandoned = errors.New("cluster: spawn abandoned by its caller")

// UnknownSpawnableError is returned by a spawn or a remote StartChild
// that names a spawnable ([RegisterSpawnable]) or a child factory
// ([RegisterChild]) the target node does not have. It matches
// [ErrUnknownSpawnable].
type UnknownSpawnableError struct {
	// Node is the target node's name.
	Node string
	// Name is the name asked for.
	Name string
	// Child reports a child factory rather than a spawnable.
	Child bool
}

func (e *UnknownSpawnableError) Error() string {
	if e.Child {
		return "cluster: no child factory " + strconv.Quote(e.Name) + " on node " + e.Node + " (cluster.RegisterChild)"
	}
	return "cluster: no spawnable " + strconv.Quote(e.Name) + " on node " + e.Node + " (cluster.RegisterSpawnable)"
}

// Is matches ErrUnknownSpawnable.
func (e *UnknownSpawnableError) Is(target error) bool { return target == ErrUnknownSpawnable }

// SpawnArgError is returned by a spawn or a remote StartChild whose
// argument is not of the type the spawnable or child factory takes, or
// cannot be decoded on the target node. It matches [ErrInvalidArgument].
type SpawnArgError struct {
	// Node is the target node's name.
	Node string
	// Name is the spawnable's or child factory's name.
	Name string
	// Reason says what is wrong.
	Reason string
}

func (e *SpawnArgError) Error() string {
	return "cluster: argument of " + strconv.Quote(e.Name) + " on node " + e.Node + ": " + e.Reason
}

// Is matches ErrInvalidArgument.
func (e *SpawnArgError) Is(target error) bool { return target == ErrInvalidArgument }

// ErrMaxRestartIntensity is the exit reason of a distributed
// supervisor's or a singleton's manager on a node when that node's
// instances of its children (DistSpec.MaxRestarts, DistSpec.Period), or
// its singleton's instance (SingletonSpec.MaxRestarts,
// SingletonSpec.Period), ended more than MaxRestarts times within
// Period (OTP's reached_max_restart_intensity): the manager kills every
// instance here and ends, and the node's services supervisor restarts
// it, or gives up in turn.
var ErrMaxRestartIntensity = errors.New("cluster: manager reached its maximum restart intensity")
