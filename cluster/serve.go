package cluster

import (
	"sync"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// maxIdleServers is how many call-serving processes a node keeps
// waiting for the next remote call.
const maxIdleServers = 16

// servers are the processes that serve remote calls and confirmed
// sends on this node: each serves one at a time and then waits for the
// next, up to maxIdleServers of them, so that a call does not spawn a
// process (a slow one would hold up the node's other messages if served
// on the subscription's goroutine). When none is idle, a new one
// starts; when enough are idle, one that finishes exits.
type servers struct {
	mu   sync.Mutex // protects idle
	idle []rt.Target
}

// serveJob is a remote request for a serving process to run.
type serveJob func(p *process.Proc)

// serve runs job in an idle serving process, or in a new one; it
// reports false when neither is possible (the node is stopping).
func (n *Node) serve(job serveJob) bool {
	for {
		n.srv.mu.Lock()
		k := len(n.srv.idle)
		if k == 0 {
			n.srv.mu.Unlock()
			break
		}
		t := n.srv.idle[k-1]
		n.srv.idle[k-1] = rt.Target{}
		n.srv.idle = n.srv.idle[:k-1]
		n.srv.mu.Unlock()
		// A serving process killed while idle is skipped (a send to
		// a dead process would drop the job silently).
		if t.Alive() && t.Send(job) == nil {
			return true
		}
	}
	_, err := n.proc.Spawn(func(p *process.Proc) error {
		n.serveLoop(p, job)
		return nil
	}, rt.Behaviour("cluster.serve"))
	return err == nil
}

// serveLoop runs job, then each job it is sent while it is idle.
func (n *Node) serveLoop(p *process.Proc, job serveJob) {
	self, err := rt.LookupOn(n.proc, p.PID())
	for {
		job(p)
		n.srv.mu.Lock()
		if err != nil || len(n.srv.idle) >= maxIdleServers {
			n.srv.mu.Unlock()
			return
		}
		n.srv.idle = append(n.srv.idle, self)
		n.srv.mu.Unlock()
		m, rerr := p.Receive(p.Context())
		if rerr != nil {
			return
		}
		if job, _ = m.(serveJob); job == nil {
			return
		}
	}
}
