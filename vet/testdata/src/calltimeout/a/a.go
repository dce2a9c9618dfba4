package a

import (
	"context"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
)

type get struct{}

func bad(pid process.PID, n *process.Node, s *send.Sender) {
	_, _ = genserver.Call[int](context.Background(), pid, get{})   // want `genserver.Call with a background context and no timeout option`
	_ = send.Send(context.TODO(), pid, get{}, send.WithRetries(3)) // want `send.Send with a background context and no timeout option`
	_ = s.Send(context.Background(), pid, get{})                   // want `send.Sender.Send with a background context`
	ctx := context.Background()
	_, _ = genserver.Call[int](ctx, pid, get{}) // want `genserver.Call with a background context`
	func() {
		_ = send.Send(ctx, pid, get{}) // want `send.Send with a background context`
	}()
	_ = n.Stop(context.Background()) // want `process.Node.Stop with a background context and no deadline: pass a context with a deadline`
}

func good(ctx context.Context, pid process.PID, n *process.Node, opts []genserver.CallOption) {
	_, _ = genserver.Call[int](context.Background(), pid, get{}, genserver.WithTimeout(genserver.DefaultCallTimeout))
	_, _ = genserver.Call[int](ctx, pid, get{})
	_, _ = genserver.Call[int](context.Background(), pid, get{}, opts...)
	_ = send.Send(context.Background(), pid, get{}, send.WithRetries(2), send.WithTimeout(genserver.DefaultCallTimeout))
	_, _ = genserver.Start(n, nil, genserver.WithContext(context.Background()))
	tctx, cancel := context.WithTimeout(context.Background(), genserver.DefaultCallTimeout)
	defer cancel()
	_ = n.Stop(tctx)
	c2 := context.Background()
	c2 = ctx
	_ = n.Stop(c2)
	_ = n.Stop(context.Background()) //orchardvet:allow calltimeout the node stops at exit and must wait for every process
}
