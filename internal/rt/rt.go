package rt

import (
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt/rtcore"
	"github.com/seed-fe72f376/orchard/process"
)

// runtime is what package process's bridge implements (process/bridge.go
// documents each method). Its signatures must match those methods
// exactly: the assertion below fails at init otherwise.
type runtime interface {
	Sweeper(n *process.Node) *rtcore.Sweeper
	Value(n *process.Node, key any, init func() any) any
	StartInline() process.SpawnOption
	Behaviour(name string) process.SpawnOption
	Announce(fn func(*process.Proc)) process.SpawnOption
	SpawnSuspended(n *process.Node, parent process.PID, h process.Handler, opts []process.SpawnOption) (*process.Proc, error)
	Resume(p *process.Proc)
	Lookup(pid process.PID) (*process.Proc, error)
	LookupOn(n *process.Node, pid process.PID) (*process.Proc, error)
	NodeOf(dest process.Dest) *process.Node
	SendOutside(p *process.Proc, msg process.Msg) error
	OnExit(n *process.Node, pid process.PID, fn func(pid process.PID, reason error)) (rtcore.ExitHook, error)
	Peek(n *process.Node, pid process.PID, max int) ([]process.Msg, error)
	Waiting(p *process.Proc) int
	Stack(n *process.Node, pid process.PID) (string, error)
	NodeID(id uint32) process.Option
	PIDOf(node uint32, id uint64) process.PID
	SetRemote(n *process.Node, r any)
	RefOf(node uint32, id uint64) process.Ref
	RefParts(r process.Ref) (node uint32, id uint64)
	LinkIn(n *process.Node, local, remote process.PID) error
	UnlinkIn(n *process.Node, local, remote process.PID)
	ExitIn(n *process.Node, from, to process.PID, reason error, viaLink bool)
	MonitorIn(n *process.Node, target, watcher process.PID, ref process.Ref) error
	DemonitorIn(n *process.Node, target process.PID, ref process.Ref)
	DownIn(n *process.Node, watcher, target process.PID, ref process.Ref, reason error)
	NodeDown(n *process.Node, node uint32, reason error)
	EventHook(spawned func(pid, parent process.PID, behaviour string), exited func(pid process.PID, reason error, lifetime time.Duration), zombie func(process.ZombieInfo)) process.Option
}

// impl is process's bridge, set by process's init before this package's
// variables are initialised.
var impl = rtcore.Bridge.(runtime)
