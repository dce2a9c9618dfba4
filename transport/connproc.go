package transport

import (
	"context"
	"net"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// startConn is the connections supervisor's template: it spawns the
// connection's owner process, linked to the supervisor and trapping exits,
// and tells it to start reading.
func (l *Listener) startConn(parent *process.Proc, args ...any) (process.PID, error) {
	nc, ok := firstConn(args)
	if !ok {
		return process.PID{}, argerr.New("transport: start connection", "args", "want one net.Conn")
	}
	l.mu.Lock()
	drain := l.drain
	l.mu.Unlock()
	c := newConn(l.nextID.Add(1), nc, &l.cfg, drain)
	o := &owner{l: l, c: c}
	pid, err := parent.SpawnHandler(o, process.Linked(), process.TrapExits(), asTransportConn)
	if err != nil {
		return pid, err
	}
	if err := parent.Send(pid, startConn{}); err != nil {
		return pid, err
	}
	return pid, nil
}

func firstConn(args []any) (net.Conn, bool) {
	if len(args) != 1 {
		return nil, false
	}
	nc, ok := args[0].(net.Conn)
	return nc, ok && nc != nil
}

type startConn struct{}

// owner is the connection's process: it owns the socket (closed the moment
// it dies, whatever the reason) and its reader. It traps exits so that a
// shutdown from its supervisor becomes a drain: the reader stops reading,
// in-flight work finishes, and the owner ends when the reader does, or is
// killed at the supervisor's shutdown timeout. An idle owner holds no
// goroutine.
type owner struct {
	l      *Listener
	c      *Conn
	reader process.PID
	// stopReason is the reason the owner was asked to stop with; owned by
	// the process, no lock.
	stopReason error
}

func (o *owner) HandleMessage(p *process.Proc, msg process.Msg) error {
	switch m := msg.(type) {
	case startConn:
		return o.handleStart(p)
	case process.Exit:
		return o.handleExit(m)
	}
	return nil
}

func (o *owner) handleStart(p *process.Proc) error {
	nc := o.c.nc
	forget := o.trackConn(p)
	context.AfterFunc(p.Context(), func() { forget(); _ = nc.Close() })
	if o.stopReason != nil {
		return o.stopReason
	}
	pid, err := p.Spawn(o.read, process.Linked(), asTransportReader)
	if err != nil {
		return err
	}
	o.reader = pid
	return nil
}

func (o *owner) handleExit(m process.Exit) error {
	if m.From == o.reader && o.reader != (process.PID{}) {
		if o.stopReason != nil {
			return o.stopReason
		}
		if quietClose(m.Reason) || process.IsNormalOrShutdown(m.Reason) {
			return process.Normal
		}
		return m.Reason
	}
	// A kill or a crash of a linked process ends the connection at once;
	// a shutdown drains it, and the owner ends when the reader has.
	if !process.IsNormalOrShutdown(m.Reason) {
		return m.Reason
	}
	if o.stopReason == nil {
		o.stopReason = m.Reason
	}
	o.c.drain()
	if o.reader == (process.PID{}) {
		return o.stopReason
	}
	return nil
}

// read is the reader process: it runs the handler on the connection.
func (o *owner) read(p *process.Proc) error {
	err := o.l.cfg.Handler(p.Context(), o.c)
	if quietClose(err) {
		return nil
	}
	return err
}

// The behaviour labels of the processes spawned here, made once: an
// option made at every spawn would allocate its label every time.
var (
	asTransportConn   = rt.Behaviour("transport.conn")
	asTransportReader = rt.Behaviour("transport.reader")
)
