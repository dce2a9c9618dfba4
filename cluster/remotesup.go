package cluster

import (
	"context"
	"errors"
	"reflect"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// Supervisors on other nodes (OTP's supervisor:start_child({Name, Node},
// Spec) and the other supervisor functions on {Name, Node}). A
// supervisor.ChildSpec holds Go functions, which cannot cross nodes, so
// a remote child is named by a child factory registered on the
// supervisor's node ([RegisterChild]) and one argument; the operation
// runs on that node, through its spawner server, as the local
// supervisor call, and its result comes back with the supervisor
// package's own errors.

// RegisterChild lets other nodes start children of n's supervisors
// from factory under name with [Node.StartChild] and
// [Node.StartDynamicChild]: the operation runs factory with the
// argument, which must be an A (nil gives A's zero value; A must cross
// nodes as for [RegisterSpawnable]), and adds the spec it returns to
// the supervisor. An empty name, a nil n or factory, or a name
// registered already is an error matching [ErrInvalidArgument].
func RegisterChild[A any](n *Node, name string, factory func(arg A) (supervisor.ChildSpec, error)) error {
	const op = "cluster: RegisterChild"
	switch {
	case n == nil:
		return argerr.Nil(op, "n")
	case name == "":
		return argerr.Empty(op, "name")
	case factory == nil:
		return argerr.Nil(op, "factory")
	}
	t := n.spawns()
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.kids[name]; ok {
		return argerr.New(op, "name", "is registered already")
	}
	t.kids[name] = func(arg any) (supervisor.ChildSpec, error) {
		a, ok := argAs[A](arg)
		if !ok {
			return supervisor.ChildSpec{}, &SpawnArgError{Name: name, Reason: "takes " + reflect.TypeFor[A]().String() + ", not " + typeName(arg)}
		}
		return factory(a)
	}
	return nil
}

// StartChild adds the child made by the factory registered as factory
// on sup's node, given arg, to the static supervisor sup and starts it
// (OTP's supervisor:start_child(SupRef, Spec) with SupRef on any node).
// sup is a PID, a [RemoteName], a [GlobalName] or any process.Dest. It
// waits for the start, bounded by ctx. Errors are supervisor.StartChild's
// (*supervisor.AlreadyStartedError, supervisor.ErrAlreadyPresent,
// *supervisor.SpecError, *supervisor.StartChildError with the reason as a
// [*RemoteError], a *genserver.CallError with process.NoProc for a dead
// supervisor), plus an [*UnknownSpawnableError] for a factory sup's node
// does not have, a [*SpawnArgError] for an argument of the wrong type,
// the codec's errors for arg, and [NoConnection] for a node that is not
// up. Bad input is an error matching [ErrInvalidArgument].
func (n *Node) StartChild(ctx context.Context, sup process.Dest, factory string, arg any) (process.PID, error) {
	rep, err := n.supCall(ctx, "cluster: Node.StartChild", sup, spawnReq{Op: opStartChild, Name: factory}, arg)
	return rep.PID.PID(), err
}

// StartDynamicChild is [Node.StartChild] for a dynamic supervisor
// without a template (supervisor.StartDynamicChild; Elixir's
// DynamicSupervisor.start_child on any node).
func (n *Node) StartDynamicChild(ctx context.Context, sup process.Dest, factory string, arg any) (process.PID, error) {
	rep, err := n.supCall(ctx, "cluster: Node.StartDynamicChild", sup, spawnReq{Op: opStartDynamicChild, Name: factory}, arg)
	return rep.PID.PID(), err
}

// TerminateChild is supervisor.TerminateChild on the supervisor sup of
// any node; its errors, plus [NoConnection].
func (n *Node) TerminateChild(ctx context.Context, sup process.Dest, id string) error {
	_, err := n.supCall(ctx, "cluster: Node.TerminateChild", sup, spawnReq{Op: opTerminateChild, ID: id}, nil)
	return err
}

// DeleteChild is supervisor.DeleteChild on the supervisor sup of any
// node; its errors, plus [NoConnection].
func (n *Node) DeleteChild(ctx context.Context, sup process.Dest, id string) error {
	_, err := n.supCall(ctx, "cluster: Node.DeleteChild", sup, spawnReq{Op: opDeleteChild, ID: id}, nil)
	return err
}

// RestartChild is supervisor.RestartChild on the supervisor sup of any
// node; its errors, plus [NoConnection].
func (n *Node) RestartChild(ctx context.Context, sup process.Dest, id string) (process.PID, error) {
	rep, err := n.supCall(ctx, "cluster: Node.RestartChild", sup, spawnReq{Op: opRestartChild, ID: id}, nil)
	return rep.PID.PID(), err
}

// WhichChildren is supervisor.WhichChildren on the supervisor sup of
// any node; its errors, plus [NoConnection].
func (n *Node) WhichChildren(ctx context.Context, sup process.Dest) ([]supervisor.Child, error) {
	rep, err := n.supCall(ctx, "cluster: Node.WhichChildren", sup, spawnReq{Op: opWhichChildren}, nil)
	if err != nil {
		return nil, err
	}
	out := make([]supervisor.Child, len(rep.Children))
	for i, c := range rep.Children {
		out[i] = supervisor.Child{ID: c.ID, PID: c.PID.PID(), Status: supervisor.ChildStatus(c.Status), Type: supervisor.ChildType(c.Type)}
	}
	return out, nil
}

// CountChildren is supervisor.CountChildren on the supervisor sup of
// any node; its errors, plus [NoConnection].
func (n *Node) CountChildren(ctx context.Context, sup process.Dest) (supervisor.Counts, error) {
	rep, err := n.supCall(ctx, "cluster: Node.CountChildren", sup, spawnReq{Op: opCountChildren}, nil)
	return rep.Counts, err
}

// supCall runs the supervisor operation req on sup's node, with arg
// (encoded when that node is another).
func (n *Node) supCall(ctx context.Context, op string, sup process.Dest, req spawnReq, arg any) (spawnReply, error) {
	switch {
	case n == nil:
		return spawnReply{}, argerr.Nil(op, "n")
	case ctx == nil:
		return spawnReply{}, argerr.Nil(op, "ctx")
	case sup == nil || isNilDest(sup):
		return spawnReply{}, argerr.Nil(op, "sup")
	case (req.Op == opStartChild || req.Op == opStartDynamicChild) && req.Name == "":
		return spawnReply{}, argerr.Empty(op, "factory")
	case (req.Op == opTerminateChild || req.Op == opDeleteChild || req.Op == opRestartChild) && req.ID == "":
		return spawnReply{}, argerr.Empty(op, "id")
	}
	if n.stopped.Load() {
		return spawnReply{}, ErrStopped
	}
	pid, err := sup.Resolve()
	if err != nil {
		return spawnReply{}, err
	}
	if pid.Node() == n.id {
		return n.supOp(ctx, pid, req, arg)
	}
	if !n.up(pid.Node()) {
		return spawnReply{}, &NodeDownError{Node: pid.Node()}
	}
	if arg != nil {
		if req.Type, req.Arg, err = n.encode(arg); err != nil {
			return spawnReply{}, err
		}
	}
	req.Sup = Wire(pid)
	node := n.nameOf(pid.Node())
	rep, err := genserver.Call[spawnReply](ctx, n.RemoteName(node, spawnerName), req)
	if err != nil {
		return spawnReply{}, err
	}
	return rep, n.replyErr(node, sup, rep)
}

// isNilDest reports whether d is a nil pointer in a Dest.
func isNilDest(d process.Dest) bool {
	v := reflect.ValueOf(d)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// serveSupOp runs the remote supervisor operation req on this node.
func (n *Node) serveSupOp(ctx context.Context, req spawnReq) spawnReply {
	var arg any
	if req.Op == opStartChild || req.Op == opStartDynamicChild {
		var err error
		if arg, err = n.decode([]byte(req.Type), req.Arg); err != nil {
			return errReply(&SpawnArgError{Node: n.cfg.Name, Name: req.Name, Reason: err.Error()})
		}
	}
	rep, err := n.supOp(ctx, req.Sup.PID(), req, arg)
	if err != nil {
		return errReply(err)
	}
	return rep
}

// supOp runs req on the local supervisor sup; the error is the
// supervisor package's own.
func (n *Node) supOp(ctx context.Context, sup process.PID, req spawnReq, arg any) (spawnReply, error) {
	var pid process.PID
	var err error
	switch req.Op {
	case opStartChild, opStartDynamicChild:
		var spec supervisor.ChildSpec
		if spec, err = n.childSpec(req.Name, arg); err != nil {
			return spawnReply{}, err
		}
		if req.Op == opStartChild {
			pid, err = supervisor.StartChild(ctx, sup, spec)
		} else {
			pid, err = supervisor.StartDynamicChild(ctx, sup, spec)
		}
	case opTerminateChild:
		err = supervisor.TerminateChild(ctx, sup, req.ID)
	case opDeleteChild:
		err = supervisor.DeleteChild(ctx, sup, req.ID)
	case opRestartChild:
		pid, err = supervisor.RestartChild(ctx, sup, req.ID)
	case opWhichChildren:
		cs, err := supervisor.WhichChildren(ctx, sup)
		rep := spawnReply{Children: make([]wireChild, len(cs))}
		for i, c := range cs {
			rep.Children[i] = wireChild{ID: c.ID, PID: Wire(c.PID), Status: int(c.Status), Type: int(c.Type)}
		}
		return rep, err
	case opCountChildren:
		c, err := supervisor.CountChildren(ctx, sup)
		return spawnReply{Counts: c}, err
	default:
		err = errors.New("cluster: unknown supervisor operation " + req.Op)
	}
	return spawnReply{PID: Wire(pid)}, err
}

// childSpec returns the spec made by child factory name from arg.
func (n *Node) childSpec(name string, arg any) (supervisor.ChildSpec, error) {
	t := n.spawns()
	t.mu.RLock()
	f, ok := t.kids[name]
	t.mu.RUnlock()
	if !ok {
		return supervisor.ChildSpec{}, &UnknownSpawnableError{Node: n.cfg.Name, Name: name, Child: true}
	}
	spec, err := f(arg)
	if se, ok := err.(*SpawnArgError); ok {
		se.Node = n.cfg.Name
	}
	return spec, err
}

// Error codes of a spawner's reply: OTP's {error, Reason} terms and
// this package's own.
var sentinelCodes = map[string]error{
	"not_found":          supervisor.ErrNotFound,
	"running":            supervisor.ErrRunning,
	"restarting":         supervisor.ErrRestarting,
	"already_present":    supervisor.ErrAlreadyPresent,
	"simple_one_for_one": supervisor.ErrSimpleOneForOne,
	"max_children":       supervisor.ErrMaxChildren,
	"bad_start_return":   supervisor.ErrBadStartReturn,
}

// errReply is err as a spawner's reply.
func errReply(err error) spawnReply {
	var (
		ae *supervisor.AlreadyStartedError
		se *supervisor.SpecError
		sc *supervisor.StartChildError
		ue *UnknownSpawnableError
		ag *SpawnArgError
	)
	switch {
	case errors.As(err, &ue):
		code := "unknown_spawnable"
		if ue.Child {
			code = "unknown_child"
		}
		return spawnReply{Code: code, ID: ue.Name}
	case errors.As(err, &ag):
		return spawnReply{Code: "badarg", ID: ag.Name, Msg: ag.Reason}
	case errors.As(err, &ae):
		return spawnReply{Code: "already_started", ID: ae.ID, PID: Wire(ae.PID)}
	case errors.As(err, &se):
		return spawnReply{Code: "spec", ID: se.Child, Field: se.Field, Msg: se.Reason}
	case errors.As(err, &sc):
		return spawnReply{Code: "start_failed", ID: sc.ID, Msg: process.FormatReason(sc.Reason)}
	case errors.Is(err, process.NoProc):
		return spawnReply{Code: "noproc"}
	}
	for code, e := range sentinelCodes {
		if errors.Is(err, e) {
			return spawnReply{Code: code}
		}
	}
	return spawnReply{Code: "error", Msg: err.Error()}
}

// replyErr returns the error a spawner's reply from node carries, nil
// for none; sup is the supervisor the caller named, if any.
func (n *Node) replyErr(node string, sup process.Dest, rep spawnReply) error {
	switch rep.Code {
	case "":
		return nil
	case "unknown_spawnable", "unknown_child":
		return &UnknownSpawnableError{Node: node, Name: rep.ID, Child: rep.Code == "unknown_child"}
	case "badarg":
		return &SpawnArgError{Node: node, Name: rep.ID, Reason: rep.Msg}
	case "already_started":
		return &supervisor.AlreadyStartedError{ID: rep.ID, PID: rep.PID.PID()}
	case "spec":
		return &supervisor.SpecError{Child: rep.ID, Field: rep.Field, Reason: rep.Msg}
	case "start_failed":
		return &supervisor.StartChildError{ID: rep.ID, Reason: &RemoteError{Node: node, Msg: rep.Msg}}
	case "noproc":
		return &genserver.CallError{Dest: sup, Reason: process.NoProc}
	}
	if e, ok := sentinelCodes[rep.Code]; ok {
		return e
	}
	return &RemoteError{Node: node, Msg: rep.Msg}
}
