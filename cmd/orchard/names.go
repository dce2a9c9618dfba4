package main

import (
	"context"
	"errors"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

// nameServerName is the local name the name server runs under, so that
// callers find it again after it restarts.
const nameServerName = "name-server"

// lookupTimeout bounds every call to the name server.
const lookupTimeout = 500 * time.Millisecond

// errUnknownName is the name server's answer for a name nobody holds.
var errUnknownName = errors.New("name-server: no such name")

// Requests understood by the name server.
type (
	// registerReq binds name to pid; the reply is the name server's PID,
	// which the caller monitors so it can register again if the name
	// server restarts (and forgets everything).
	registerReq struct {
		name string
		pid  process.PID
	}
	// whereisReq asks for the PID holding name.
	whereisReq struct{ name string }
	// namesReq asks how many names are held.
	namesReq struct{}
)

// nameServer maps agent names to PIDs: a registry in miniature (OTP's
// global or gproc). It monitors every registered process and forgets a
// name when its holder dies, so a lookup never returns a dead PID for
// long; the holder's replacement registers the name again in its Init.
// Its state lives only in its process: when it restarts, the agents
// notice (they monitor it) and register again.
type nameServer struct {
	names map[string]process.PID
}

func (ns *nameServer) Init(*genserver.Self) error {
	ns.names = make(map[string]process.PID)
	return nil
}

func (ns *nameServer) HandleCall(s *genserver.Self, _ genserver.From, req any) (any, error) {
	switch r := req.(type) {
	case registerReq:
		if old, ok := ns.names[r.name]; !ok || old != r.pid {
			if _, err := s.Monitor(r.pid); err != nil {
				return nil, err
			}
		}
		ns.names[r.name] = r.pid
		return s.PID(), nil
	case whereisReq:
		if pid, ok := ns.names[r.name]; ok {
			return pid, nil
		}
		return nil, errUnknownName
	case namesReq:
		return len(ns.names), nil
	}
	return nil, errors.New("name-server: unknown request")
}

func (ns *nameServer) HandleCast(_ *genserver.Self, msg any) error { return crashOn(msg) }

func (ns *nameServer) HandleInfo(_ *genserver.Self, msg any) error {
	if d, ok := msg.(process.Down); ok {
		// Forget only the holder that died: its replacement may have
		// registered the name already.
		for name, pid := range ns.names {
			if pid == d.PID {
				delete(ns.names, name)
			}
		}
		return nil
	}
	return crashOn(msg)
}

// whereis asks the name server which process holds name.
func whereis(node *process.Node, name string) (process.PID, error) {
	return genserver.Call[process.PID](context.Background(), node.Name(nameServerName),
		whereisReq{name: name}, genserver.WithTimeout(lookupTimeout))
}

// byName is a destination resolved through the name server, so a cast to
// byName{node, "agent-07"} reaches whichever process holds agent-07 now
// (what registry.Via will be for Orchard's registry).
type byName struct {
	node *process.Node
	name string
}

// Resolve asks the name server; it blocks for at most lookupTimeout.
func (b byName) Resolve() (process.PID, error) { return whereis(b.node, b.name) }

func (b byName) String() string { return b.name }
