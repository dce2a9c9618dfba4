package cluster

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// calls is the node's table of outstanding requests to other nodes
// (calls, confirmed sends, remote lookups): each waits on a channel of
// its own for the reply, which arrives on the node's reply subject
// (prefix + the request's number). When a node is declared down, or
// this node stops, the requests to it are failed at once (their
// channels closed), as OTP's gen:call, which monitors the callee, gets
// noconnection at once. The table replaces the NATS connection's own
// request multiplexer, which cannot be told that a node is lost: a
// request to a node that died would wait for its whole timeout.
type calls struct {
	mu      sync.Mutex // protects next and waiting
	next    uint64
	waiting map[uint64]*pending
	prefix  string // the reply subject's prefix: a unique inbox and "."
}

// pending is one outstanding request.
type pending struct {
	node  uint32
	token uint64
	reply string
	// ch gets the reply; it is closed instead when the node is lost.
	ch chan *nats.Msg
}

// errLost is an outstanding request's error when its node was declared
// down or this node stopped.
var errLost = errors.New("cluster: node lost during the request")

// timers are stopped timers for outstanding requests to reuse.
var timers sync.Pool

// add records a request to node id and returns it. The caller checks
// that the node is up after add, so a node declared down in between
// fails the request (lost runs after the node is marked down).
func (c *calls) add(id uint32) *pending {
	p := &pending{node: id, ch: make(chan *nats.Msg, 1)}
	c.mu.Lock()
	c.next++
	p.token = c.next
	c.waiting[p.token] = p
	c.mu.Unlock()
	var buf [96]byte
	p.reply = string(strconv.AppendUint(append(buf[:0], c.prefix...), p.token, 36))
	return p
}

// remove forgets p (answered, timed out or never sent).
func (c *calls) remove(p *pending) {
	c.mu.Lock()
	delete(c.waiting, p.token)
	c.mu.Unlock()
}

// lost fails the outstanding requests to node id, or every one when id
// is 0.
func (c *calls) lost(id uint32) {
	c.mu.Lock()
	for tok, p := range c.waiting {
		if id == 0 || p.node == id {
			delete(c.waiting, tok)
			close(p.ch)
		}
	}
	c.mu.Unlock()
}

// onReply hands a reply to its request (a reply after the request gave
// up is dropped).
func (n *Node) onReply(m *nats.Msg) {
	if len(m.Subject) <= len(n.calls.prefix) {
		return
	}
	tok, err := strconv.ParseUint(m.Subject[len(n.calls.prefix):], 36, 64)
	if err != nil {
		return
	}
	n.calls.mu.Lock()
	p := n.calls.waiting[tok]
	if p != nil {
		delete(n.calls.waiting, tok)
		p.ch <- m // never blocks: one reply per request, and room for it
	}
	n.calls.mu.Unlock()
}

// await publishes data on subject as the request p and waits for its
// reply: at most timeout when it is positive, until ctx ends, or until
// p's node is lost (errLost). A node with no subscriber on subject is
// nats.ErrNoResponders; a timeout is nats.ErrTimeout; an ended ctx its
// error.
func (n *Node) await(ctx context.Context, p *pending, subject string, data []byte, timeout time.Duration) (*nats.Msg, error) {
	if err := n.nc.PublishRequest(subject, p.reply, data); err != nil {
		n.calls.remove(p)
		return nil, err
	}
	var tc <-chan time.Time
	if timeout > 0 {
		t, _ := timers.Get().(*time.Timer)
		if t == nil {
			t = time.NewTimer(timeout)
		} else {
			t.Reset(timeout)
		}
		defer func() {
			t.Stop() // since Go 1.23 a stopped timer's channel holds no stale value
			timers.Put(t)
		}()
		tc = t.C
	}
	select {
	case m, ok := <-p.ch:
		if !ok {
			return nil, errLost
		}
		if len(m.Data) == 0 && m.Header.Get("Status") == "503" {
			return nil, nats.ErrNoResponders
		}
		return m, nil
	case <-tc:
		n.calls.remove(p)
		return nil, nats.ErrTimeout
	case <-ctx.Done():
		n.calls.remove(p)
		return nil, ctx.Err()
	}
}
