// Package a requires supervised delivery.
//
//orchard:supervised-send
package a

import (
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

type job struct{}

type boss struct{ worker process.PID }

func (b *boss) Init(s *genserver.Self) error {
	_ = s.Send(s.PID(), job{})           // a self-send: allowed
	_ = s.Send(b.worker, job{})          // want `raw Proc.Send to another process in a package that requires supervised delivery`
	_ = s.Proc.SendDest(b.worker, job{}) // want `raw Proc.SendDest`
	_ = genserver.Cast(b.worker, job{})  // want `raw genserver.Cast`
	_ = b.node().Send(b.worker, job{})   // want `raw Node.Send`
	_ = s.Send(b.worker, job{})          //orchardvet:allow rawsend the worker's mailbox is the protocol under test
	return nil
}

func (b *boss) node() *process.Node { return nil }

func plain(p *process.Proc, other *process.Proc) error {
	_ = p.Send(p.PID(), job{})        // self
	return p.Send(other.PID(), job{}) // want `raw Proc.Send`
}
