package clusterbench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/ergo-services/ergo"
	"github.com/ergo-services/ergo/etf"
	"github.com/ergo-services/ergo/gen"
	"github.com/ergo-services/ergo/lib"
	"github.com/ergo-services/ergo/node"
)

// ergo's side of W8 and W9: two ergo nodes, one in each OS process,
// connected by ergo's own network transport (its Erlang distribution
// protocol over TCP on loopback), with a static route instead of EPMD.
const (
	ergoCookie  = "clusterbench"
	ergoChild   = "cbb@localhost"
	ergoParent  = "cba@localhost"
	ergoMailbox = 65535 // the largest mailbox ergo allows
)

// freePort returns a TCP port free on loopback now.
func freePort() (uint16, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return uint16(l.Addr().(*net.TCPAddr).Port), nil
}

// startErgo starts an ergo node listening on loopback, at port when it
// is not 0.
func startErgo(name string, port uint16) (node.Node, error) {
	if f := flag.Lookup("ergo.warning"); f != nil {
		_ = f.Value.Set(strconv.FormatBool(os.Getenv("ORCHARD_CLUSTER_BENCH_ERGO_WARN") != ""))
	}
	l := node.Listener{Hostname: "127.0.0.1", ListenBegin: 30000, ListenEnd: 60000}
	if port != 0 {
		l.ListenBegin, l.ListenEnd = port, port
	}
	return ergo.StartNode(name, ergoCookie, node.Options{
		StaticRoutesOnly: true,
		Registrar:        staticRegistrar{},
		System:           node.System{DisableAnonMetrics: true},
		Listeners:        []node.Listener{l},
	})
}

// staticRegistrar is a registrar for nodes that know each other by
// static routes only: it registers nothing and resolves nothing. ergo
// needs one even with StaticRoutesOnly (v1.999.224 asks the registrar
// for a proxy route before every new connection, and a node started
// with StaticRoutesOnly and no registrar panics there on a nil one).
type staticRegistrar struct{}

func (staticRegistrar) Register(context.Context, string, node.RegisterOptions) error { return nil }
func (staticRegistrar) RegisterProxy(string, int, node.ProxyFlags) error {
	return lib.ErrUnsupported
}
func (staticRegistrar) UnregisterProxy(string) error { return lib.ErrUnsupported }
func (staticRegistrar) Resolve(string) (node.Route, error) {
	return node.Route{}, lib.ErrNoRoute
}
func (staticRegistrar) ResolveProxy(string) (node.ProxyRoute, error) {
	return node.ProxyRoute{}, lib.ErrProxyNoRoute
}
func (staticRegistrar) Config() (node.RegistrarConfig, error) {
	return node.RegistrarConfig{}, lib.ErrUnsupported
}
func (staticRegistrar) ConfigItem(string) (etf.Term, error) { return nil, lib.ErrUnsupported }
func (staticRegistrar) SetConfigUpdateCallback(func(string, etf.Term) error) error {
	return lib.ErrUnsupported
}

// ergoSink counts the ints it receives and those that arrive after a
// larger one (out of order); a {count, N, Pid} tuple tells it to send
// Pid "done" once N ints arrived. It does not rely on the tuple arriving
// before the ints: ergo's network transport does not keep the order of
// one sender's messages to one receiver (v1.999.224 hands a
// connection's packets round-robin to NumHandlers goroutines, by
// default one per CPU).
type ergoSink struct {
	gen.Server
	want, got, last, disordered int
	to                          etf.Pid
}

func (s *ergoSink) HandleInfo(p *gen.ServerProcess, m etf.Term) gen.ServerStatus {
	if t, ok := m.(etf.Tuple); ok && len(t) == 3 {
		s.want = ergoInt(t[1])
		s.to = t[2].(etf.Pid)
	} else {
		if v := ergoInt(m); v < s.last {
			s.disordered++
		} else {
			s.last = v
		}
		s.got++
	}
	if s.want > 0 && s.got == s.want {
		_ = p.Send(s.to, "done")
	}
	return gen.ServerStatusOK
}

// ergoInt returns the integer v decoded from the wire (ETF integers
// arrive as int or int64).
func ergoInt(v etf.Term) int {
	switch v := v.(type) {
	case int:
		return v
	case int64:
		return int(v)
	}
	return -1
}

// HandleCall answers "got" with the number of ints received so far,
// "disordered" with the number that arrived out of order, and any other
// request (a barrier behind the messages sent before it) with true.
func (s *ergoSink) HandleCall(_ *gen.ServerProcess, _ gen.ServerFrom, m etf.Term) (etf.Term, gen.ServerStatus) {
	switch m {
	case "got":
		return s.got, gen.ServerStatusOK
	case "disordered":
		return s.disordered, gen.ServerStatusOK
	}
	return true, gen.ServerStatusOK
}

// ergoWindow is how many messages the ergo sender sends between two
// calls to the sink: a call waits until the sink has taken the messages
// before it, so no more than this many are in flight. ergo drops a
// message that finds the receiver's mailbox full (at most 65,535), and
// without the window the sender outruns the sink.
const ergoWindow = 20_000

// ergoEcho answers each call with its request.
type ergoEcho struct{ gen.Server }

func (ergoEcho) HandleCall(_ *gen.ServerProcess, _ gen.ServerFrom, m etf.Term) (etf.Term, gen.ServerStatus) {
	return m, gen.ServerStatusOK
}

// ergoServe starts the child's ergo node with its sink and echo.
func ergoServe(port uint16) (node.Node, error) {
	n, err := startErgo(ergoChild, port)
	if err != nil {
		return nil, err
	}
	if _, err := n.Spawn("sink", gen.ProcessOptions{MailboxSize: ergoMailbox}, &ergoSink{}); err != nil {
		n.Stop()
		return nil, err
	}
	if _, err := n.Spawn("echo", gen.ProcessOptions{}, &ergoEcho{}); err != nil {
		n.Stop()
		return nil, err
	}
	return n, nil
}

// ergoJob is a function for ergoDriver to run in its process (a local
// message: ergo encodes only what leaves the node).
type ergoJob func(p *gen.ServerProcess) error

// ergoDriver runs each ergoJob it receives and reports its error on
// result; it passes any other message on to inbox.
type ergoDriver struct {
	gen.Server
	result chan error
	inbox  chan etf.Term
}

func (d *ergoDriver) HandleInfo(p *gen.ServerProcess, m etf.Term) gen.ServerStatus {
	if job, ok := m.(ergoJob); ok {
		d.result <- job(p)
		return gen.ServerStatusOK
	}
	d.inbox <- m
	return gen.ServerStatusOK
}

// ergoResult is what the ergo side of W8 and W9 measured.
type ergoResult struct {
	msgsPerS   float64
	disordered int // W8 messages that arrived after a later one
	p50, p99   time.Duration
}

// ergoWorkloads runs W8 (msgs sends to the child's sink) and W9 (calls
// sequential calls to its echo) from an ergo node of this process.
func ergoWorkloads(port uint16, msgs, calls int) (ergoResult, error) {
	var res ergoResult
	n, err := startErgo(ergoParent, 0)
	if err != nil {
		return res, err
	}
	defer func() { n.Stop(); n.Wait() }()
	if err := n.AddStaticRoutePort(ergoChild, port, node.RouteOptions{Cookie: ergoCookie, IsErgo: true}); err != nil {
		return res, err
	}
	sink := gen.ProcessID{Name: "sink", Node: ergoChild}
	echo := gen.ProcessID{Name: "echo", Node: ergoChild}
	d := &ergoDriver{result: make(chan error, 1), inbox: make(chan etf.Term, 16)}
	drv, err := n.Spawn("", gen.ProcessOptions{MailboxSize: ergoMailbox}, d)
	if err != nil {
		return res, err
	}
	run := func(job ergoJob) error {
		if err := drv.Send(drv.Self(), job); err != nil {
			return err
		}
		select {
		case err := <-d.result:
			return err
		case <-time.After(60 * time.Second):
			return errors.New("ergo: job not done in 60s")
		}
	}
	// The first call opens the connection, outside the measures.
	if err := run(func(p *gen.ServerProcess) error { _, err := p.Call(echo, 0); return err }); err != nil {
		return res, fmt.Errorf("ergo: connect: %w", err)
	}
	var start time.Time
	if err := run(func(p *gen.ServerProcess) error {
		if err := p.Send(sink, etf.Tuple{etf.Atom("count"), msgs, p.Self()}); err != nil {
			return err
		}
		start = time.Now()
		for i := range msgs {
			if i > 0 && i%ergoWindow == 0 {
				if _, err := p.Call(sink, "sync"); err != nil {
					return fmt.Errorf("ergo: window: %w", err)
				}
			}
			if err := p.Send(sink, i); err != nil {
				return fmt.Errorf("ergo: send %d: %w", i, err)
			}
		}
		return nil
	}); err != nil {
		return res, err
	}
	select {
	case <-d.inbox:
		res.msgsPerS = float64(msgs) / time.Since(start).Seconds()
		var v etf.Term
		if err := run(func(p *gen.ServerProcess) (err error) { v, err = p.Call(sink, "disordered"); return err }); err != nil {
			return res, err
		}
		res.disordered = ergoInt(v)
	case <-time.After(30 * time.Second):
		var got etf.Term
		_ = run(func(p *gen.ServerProcess) (err error) { got, err = p.Call(sink, "got"); return err })
		return res, fmt.Errorf("ergo: the sink got %v of %d messages in 30s", got, msgs)
	}
	ds := make([]time.Duration, calls)
	if err := run(func(p *gen.ServerProcess) error {
		for i := range ds {
			s := time.Now()
			if _, err := p.Call(echo, 7); err != nil {
				return err
			}
			ds[i] = time.Since(s)
		}
		return nil
	}); err != nil {
		return res, err
	}
	slices.Sort(ds)
	res.p50, res.p99 = ds[calls/2], ds[calls*99/100]
	return res, nil
}
