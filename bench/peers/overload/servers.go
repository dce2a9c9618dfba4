package overload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

// drainTimeout bounds the wait for a server to work through its queue.
const drainTimeout = 2 * time.Minute

// work is a request; sync asks the server to reply once everything
// queued before it was handled.
type (
	work     struct{}
	syncWork struct{}
)

// orchardFixed is the Orchard server: HandleCall spins for the cost.
type orchardFixed struct {
	cost    time.Duration
	handled atomic.Int64
}

func (*orchardFixed) Init(*genserver.Self) error { return nil }
func (s *orchardFixed) HandleCall(_ *genserver.Self, _ genserver.From, req any) (any, error) {
	if _, ok := req.(work); ok {
		Spin(s.cost)
		s.handled.Add(1)
	}
	return nil, nil
}

type orchardServer struct {
	node *process.Node
	pid  process.PID
	srv  *orchardFixed
}

// NewOrchard starts the Orchard server; exact starts it in OTP-exact mode
// (genserver.HandleAbandoned), which handles every call.
func NewOrchard(cfg Config, exact bool) (Server, error) {
	node, err := process.NewNode()
	if err != nil {
		return nil, err
	}
	srv := &orchardFixed{cost: cfg.Cost}
	var opts []genserver.StartOption
	if exact {
		opts = append(opts, genserver.HandleAbandoned())
	}
	pid, err := genserver.Start(node, srv, opts...)
	if err != nil {
		_ = node.Stop(context.Background())
		return nil, err
	}
	return &orchardServer{node: node, pid: pid, srv: srv}, nil
}

func (o *orchardServer) Call(timeout time.Duration) bool {
	_, err := genserver.Call[any](context.Background(), o.pid, work{}, genserver.WithTimeout(timeout))
	return err == nil
}

func (o *orchardServer) Handled() int64 { return o.srv.handled.Load() }

func (o *orchardServer) Drain() error {
	_, err := genserver.Call[any](context.Background(), o.pid, syncWork{}, genserver.WithTimeout(drainTimeout))
	return err
}

func (o *orchardServer) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_ = o.node.Stop(ctx)
}

// rawRequest is a raw Go request: the reply channel has room for the
// reply, so the server never blocks on a caller that left.
type rawRequest struct {
	sync  bool
	reply chan struct{}
}

// rawServer is a goroutine reading requests from a buffered channel.
type rawServer struct {
	ch      chan rawRequest
	handled atomic.Int64
	done    chan struct{}
}

// rawQueue is the raw server's channel buffer: deep enough that callers
// queue as they do in a mailbox rather than block on the send.
const rawQueue = 65536

// NewRawGo starts the raw Go server.
func NewRawGo(cfg Config) (Server, error) {
	r := &rawServer{ch: make(chan rawRequest, rawQueue), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		for req := range r.ch {
			if !req.sync {
				Spin(cfg.Cost)
				r.handled.Add(1)
			}
			req.reply <- struct{}{}
		}
	}()
	return r, nil
}

func (r *rawServer) Call(timeout time.Duration) bool {
	t := time.NewTimer(timeout)
	defer t.Stop()
	req := rawRequest{reply: make(chan struct{}, 1)}
	select {
	case r.ch <- req:
	case <-t.C:
		return false
	}
	select {
	case <-req.reply:
		return true
	case <-t.C:
		return false
	}
}

func (r *rawServer) Handled() int64 { return r.handled.Load() }

func (r *rawServer) Drain() error {
	req := rawRequest{sync: true, reply: make(chan struct{}, 1)}
	r.ch <- req
	select {
	case <-req.reply:
		return nil
	case <-time.After(drainTimeout):
		return errors.New("rawgo: not drained")
	}
}

func (r *rawServer) Close() {
	close(r.ch)
	<-r.done
}

// protoFixed is the Proto.Actor server.
type protoFixed struct {
	cost    time.Duration
	handled *atomic.Int64
}

func (p *protoFixed) Receive(c actor.Context) {
	switch c.Message().(type) {
	case work:
		Spin(p.cost)
		p.handled.Add(1)
		c.Respond(true)
	case syncWork:
		c.Respond(true)
	}
}

type protoServer struct {
	sys     *actor.ActorSystem
	pid     *actor.PID
	handled atomic.Int64
}

// NewProtoActor starts the Proto.Actor server.
func NewProtoActor(cfg Config) (Server, error) {
	p := &protoServer{}
	p.sys = actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
	p.pid = p.sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &protoFixed{cost: cfg.Cost, handled: &p.handled} }))
	return p, nil
}

func (p *protoServer) Call(timeout time.Duration) bool {
	_, err := p.sys.Root.RequestFuture(p.pid, work{}, timeout).Result()
	return err == nil
}

func (p *protoServer) Handled() int64 { return p.handled.Load() }

func (p *protoServer) Drain() error {
	if _, err := p.sys.Root.RequestFuture(p.pid, syncWork{}, drainTimeout).Result(); err != nil {
		return fmt.Errorf("protoactor: drain: %w", err)
	}
	return nil
}

func (p *protoServer) Close() { p.sys.Shutdown() }
