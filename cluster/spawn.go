package cluster

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// Remote spawn (OTP's spawn/4, spawn_link/4, spawn_monitor/4 on a node).
// Go cannot ship a closure, so each node registers the functions others
// may start on it under a name ([RegisterSpawnable], as a module's
// exported function is named by {M, F} in OTP), and a spawn names one
// and passes one argument through the codec. The request is a
// genserver call to the node's spawner server (spawnerName), so it
// uses the remote call machinery, its deadline and its errors.
//
// A linked or monitored spawn is atomic as in OTP: the new process waits
// (the gate) until the caller has linked to or monitored it and then
// sent spawnGo on the same subject, so the link or monitor is recorded
// on its node before it can die, and a child that dies at once still
// signals its exit reason.

// spawnerName is the local name of every node's spawner server.
const spawnerName = "orchard.spawner"

// spawnGate bounds how long a linked or monitored spawn's process waits
// for its caller past the caller's deadline before it gives up (the
// caller's node went down, or its reply was lost): it then exits with
// [ErrSpawnAbandoned] without running the spawnable.
const spawnGate = 5 * time.Second

// spawnGo lets a gated process run; it follows the caller's link or
// monitor request on the same subject.
type spawnGo struct{}

// Spawner operations.
const (
	opSpawn             = "spawn"
	opStartChild        = "start_child"
	opStartDynamicChild = "start_dynamic_child"
	opTerminateChild    = "terminate_child"
	opDeleteChild       = "delete_child"
	opRestartChild      = "restart_child"
	opWhichChildren     = "which_children"
	opCountChildren     = "count_children"
)

// spawnReq is a request to a node's spawner: a spawn, or an operation
// on one of its supervisors.
type spawnReq struct {
	Op   string  `json:"op"`
	Name string  `json:"name,omitempty"` // spawnable or child factory
	Type string  `json:"type,omitempty"` // the argument's wire name
	Arg  []byte  `json:"arg,omitempty"`  // the argument, encoded
	Gate bool    `json:"gate,omitempty"` // hold the process until spawnGo
	Sup  WirePID `json:"sup"`
	ID   string  `json:"id,omitempty"` // child id
}

// spawnReply is a spawner's answer: a PID, children or counts, or an
// error as a code (OTP's {error, Reason} terms) and its details.
type spawnReply struct {
	PID      WirePID           `json:"pid"`
	Code     string            `json:"code,omitempty"`
	ID       string            `json:"id,omitempty"`
	Field    string            `json:"field,omitempty"`
	Msg      string            `json:"msg,omitempty"`
	Children []wireChild       `json:"children,omitempty"`
	Counts   supervisor.Counts `json:"counts"`
}

// wireChild is a supervisor.Child on the wire.
type wireChild struct {
	ID     string  `json:"id"`
	PID    WirePID `json:"pid"`
	Status int     `json:"status"`
	Type   int     `json:"type"`
}

// spawnTable is a node's spawnables and child factories.
type spawnTable struct {
	mu    sync.RWMutex // protects the maps below
	funcs map[string]func(arg any) (process.Func, error)
	kids  map[string]func(arg any) (supervisor.ChildSpec, error)
}

type spawnKey struct{}

// spawns returns n's spawnables and child factories.
func (n *Node) spawns() *spawnTable {
	t, _ := rt.Value(n.proc, spawnKey{}, func() any {
		return &spawnTable{funcs: map[string]func(any) (process.Func, error){},
			kids: map[string]func(any) (supervisor.ChildSpec, error){}}
	}).(*spawnTable)
	return t
}

// argAs returns arg as an A: nil is A's zero value.
func argAs[A any](arg any) (A, bool) {
	var zero A
	if arg == nil {
		return zero, true
	}
	a, ok := arg.(A)
	return a, ok
}

// RegisterSpawnable lets other nodes start fn on n under name with
// [Node.Spawn], [Node.SpawnLink] and [Node.SpawnMonitor]: the new
// process runs fn with the spawn's argument, which must be an A (nil
// gives A's zero value). A must cross nodes: a basic type or one
// registered with [Register] under the same wire name on the calling
// node and on n. Register the same names on every node that may be
// asked. An empty name, a nil n or fn, or a name registered already is
// an error matching [ErrInvalidArgument].
func RegisterSpawnable[A any](n *Node, name string, fn func(p *process.Proc, arg A) error) error {
	const op = "cluster: RegisterSpawnable"
	switch {
	case n == nil:
		return argerr.Nil(op, "n")
	case name == "":
		return argerr.Empty(op, "name")
	case fn == nil:
		return argerr.Nil(op, "fn")
	}
	t := n.spawns()
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.funcs[name]; ok {
		return argerr.New(op, "name", "is registered already")
	}
	t.funcs[name] = func(arg any) (process.Func, error) {
		a, ok := argAs[A](arg)
		if !ok {
			return nil, &SpawnArgError{Name: name, Reason: "takes " + reflect.TypeFor[A]().String() + ", not " + typeName(arg)}
		}
		return func(p *process.Proc) error { return fn(p, a) }, nil
	}
	return nil
}

// spawnMode is how a spawn ties the new process to its caller.
type spawnMode int

const (
	spawnPlain spawnMode = iota
	spawnLinked
	spawnMonitored
)

// Spawn starts the spawnable registered as name on the node named node
// with arg and returns its PID (OTP's spawn(Node, M, F, A)); it waits
// for that node's answer, bounded by ctx (and the caller node's default
// call timeout when ctx has no deadline). The new process is not
// linked to anything. Errors: a node that is not up is a
// [*NodeDownError] (matching [NoConnection]); a name node does not
// have, an [*UnknownSpawnableError]; an arg of the wrong type, a
// [*SpawnArgError]; an arg the codec cannot carry, an
// [*UnregisteredError] or [*EncodeError]; a lapsed ctx, a
// *genserver.CallError with reason genserver.ErrTimeout (the process
// may then have started there). On n's own node the spawnable runs
// locally and arg is not encoded. Bad input is an error matching
// [ErrInvalidArgument].
func (n *Node) Spawn(ctx context.Context, node, name string, arg any) (process.PID, error) {
	pid, _, err := n.spawn(ctx, "cluster: Node.Spawn", nil, spawnPlain, node, name, arg)
	return pid, err
}

// SpawnLink is [Node.Spawn] with the new process linked to p (OTP's
// spawn_link/4): the link exists before the process runs, so a process
// that dies at once still sends p its exit signal with its reason, and
// the loss of its node delivers [NoConnection]. Call it from p's own
// code; p must be a process of n. Errors are those of Spawn; on error
// nothing is linked.
func (n *Node) SpawnLink(ctx context.Context, p *process.Proc, node, name string, arg any) (process.PID, error) {
	pid, _, err := n.spawn(ctx, "cluster: Node.SpawnLink", p, spawnLinked, node, name, arg)
	return pid, err
}

// SpawnMonitor is [Node.Spawn] with the new process monitored by p
// (OTP's spawn_monitor/4): the monitor exists before the process runs,
// so p gets a process.Down with the returned Ref and the process's exit
// reason even if it dies at once, and with [NoConnection] if its node is
// lost. Call it from p's own code; p must be a process of n. Errors are
// those of Spawn.
func (n *Node) SpawnMonitor(ctx context.Context, p *process.Proc, node, name string, arg any) (process.PID, process.Ref, error) {
	return n.spawn(ctx, "cluster: Node.SpawnMonitor", p, spawnMonitored, node, name, arg)
}

func (n *Node) spawn(ctx context.Context, op string, p *process.Proc, mode spawnMode, node, name string, arg any) (process.PID, process.Ref, error) {
	switch {
	case n == nil:
		return process.PID{}, process.Ref{}, argerr.Nil(op, "n")
	case ctx == nil:
		return process.PID{}, process.Ref{}, argerr.Nil(op, "ctx")
	case node == "":
		return process.PID{}, process.Ref{}, argerr.Empty(op, "node")
	case name == "":
		return process.PID{}, process.Ref{}, argerr.Empty(op, "name")
	case mode != spawnPlain && p == nil:
		return process.PID{}, process.Ref{}, argerr.Nil(op, "p")
	case mode != spawnPlain && p.Node() != n.proc:
		return process.PID{}, process.Ref{}, argerr.New(op, "p", "is not a process of this node")
	}
	if n.stopped.Load() {
		return process.PID{}, process.Ref{}, ErrStopped
	}
	if node == n.cfg.Name {
		return n.spawnLocal(p, mode, name, arg)
	}
	id := NodeNumber(node)
	if !n.up(id) {
		return process.PID{}, process.Ref{}, &NodeDownError{Node: id}
	}
	req := spawnReq{Op: opSpawn, Name: name, Gate: mode != spawnPlain}
	if arg != nil {
		var err error
		if req.Type, req.Arg, err = n.encode(arg); err != nil {
			return process.PID{}, process.Ref{}, err
		}
	}
	rep, err := genserver.Call[spawnReply](ctx, n.RemoteName(node, spawnerName), req)
	if err != nil {
		return process.PID{}, process.Ref{}, err
	}
	if err := n.replyErr(node, nil, rep); err != nil {
		return process.PID{}, process.Ref{}, err
	}
	pid := rep.PID.PID()
	var ref process.Ref
	switch mode {
	case spawnPlain:
		return pid, ref, nil
	case spawnLinked:
		err = p.Link(pid)
	case spawnMonitored:
		ref, err = p.Monitor(pid)
	}
	if err != nil {
		// p is not alive, or the node is in this program (where links
		// and monitors do not cross nodes): the process must not run
		// unwatched.
		if t, lerr := rt.Lookup(pid); lerr == nil {
			_ = t.Node().Exit(pid, process.Kill)
		} else {
			_ = n.proc.Exit(pid, process.Kill)
		}
		return process.PID{}, process.Ref{}, err
	}
	// After the link or monitor request on the same subject: the node
	// has recorded it when the process starts. A node lost meanwhile
	// delivers noconnection on the link or monitor.
	_ = p.Send(pid, spawnGo{})
	return pid, ref, nil
}

// spawnLocal is a spawn on n's own node.
func (n *Node) spawnLocal(p *process.Proc, mode spawnMode, name string, arg any) (process.PID, process.Ref, error) {
	body, err := n.spawnBody(name, arg)
	if err != nil {
		return process.PID{}, process.Ref{}, err
	}
	beh := rt.Behaviour("cluster.spawned")
	switch mode {
	case spawnLinked:
		pid, err := p.Spawn(body, process.Linked(), beh)
		return pid, process.Ref{}, err
	case spawnMonitored:
		return p.SpawnMonitor(body, beh)
	}
	pid, err := n.proc.Spawn(body, beh)
	return pid, process.Ref{}, err
}

// spawnBody returns the body of spawnable name bound to arg.
func (n *Node) spawnBody(name string, arg any) (process.Func, error) {
	t := n.spawns()
	t.mu.RLock()
	f, ok := t.funcs[name]
	t.mu.RUnlock()
	if !ok {
		return nil, &UnknownSpawnableError{Node: n.cfg.Name, Name: name}
	}
	body, err := f(arg)
	if se, ok := err.(*SpawnArgError); ok {
		se.Node = n.cfg.Name
	}
	return body, err
}

// serveSpawn makes the spawn req on this node, whose caller's call ends
// at deadline (zero: none).
func (n *Node) serveSpawn(req spawnReq, deadline time.Time) spawnReply {
	arg, err := n.decode([]byte(req.Type), req.Arg)
	if err != nil {
		return errReply(&SpawnArgError{Name: req.Name, Reason: err.Error()})
	}
	body, err := n.spawnBody(req.Name, arg)
	if err != nil {
		return errReply(err)
	}
	if req.Gate {
		wait := spawnGate
		if !deadline.IsZero() {
			wait += time.Until(deadline)
		}
		run := body
		body = func(p *process.Proc) error {
			ctx, cancel := context.WithTimeout(p.Context(), wait)
			_, err := p.ReceiveMatch(ctx, func(m process.Msg) bool { _, ok := m.(spawnGo); return ok })
			cancel()
			if err != nil {
				return ErrSpawnAbandoned
			}
			return run(p)
		}
	}
	pid, err := n.proc.Spawn(body, rt.Behaviour("cluster.spawned"))
	if err != nil {
		return errReply(err)
	}
	return spawnReply{PID: Wire(pid)}
}

// spawner is a node's server for remote spawns and remote supervisor
// operations: a spawn is made in HandleCall (it does not block); a
// supervisor operation, which may wait for a child's start, runs in a
// process of its own that replies.
type spawner struct{ n *Node }

// startSpawner registers the spawner's wire types and starts it.
func (n *Node) startSpawner() error {
	for name, v := range map[string]any{
		"orchard.spawn.Request": spawnReq{}, "orchard.spawn.Reply": spawnReply{}, "orchard.spawn.Go": spawnGo{},
	} {
		if err := n.types.add(name, reflect.TypeOf(v)); err != nil {
			return err
		}
	}
	_, err := genserver.Start(n.proc, &spawner{n: n}, genserver.WithName(spawnerName))
	return err
}

func (s *spawner) Init(*genserver.Self) error { return nil }

func (s *spawner) HandleCall(self *genserver.Self, from genserver.From, req any) (any, error) {
	r, ok := req.(spawnReq)
	if !ok {
		return nil, argerr.New("cluster: spawner", "req", "is a "+typeName(req))
	}
	deadline, _ := self.Context().Deadline()
	if r.Op == opSpawn {
		return s.n.serveSpawn(r, deadline), nil
	}
	_, err := self.Node().Spawn(func(p *process.Proc) error {
		defer func() {
			if v := recover(); v != nil {
				// A child factory panicked: the caller hears of it
				// instead of waiting for its timeout, and the process
				// still dies of the panic (the runtime records it).
				genserver.Reply(from, spawnReply{Code: "error", Msg: fmt.Sprintf("cluster: child factory %q panicked: %v", r.Name, v)})
				panic(v)
			}
		}()
		ctx := p.Context()
		if !deadline.IsZero() {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, deadline)
			defer cancel()
		}
		genserver.Reply(from, s.n.serveSupOp(ctx, r))
		return nil
	}, rt.Behaviour("cluster.supervisor.op"))
	if err != nil {
		return nil, err
	}
	self.NoReply()
	return nil, nil
}
