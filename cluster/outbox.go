package cluster

import (
	"encoding/binary"
	"sync"
	"sync/atomic"

	"github.com/seed-fe72f376/orchard/process"
)

// batchBytes is the size at which a sender publishes its node's batch
// itself instead of leaving it to the flusher (back-pressure), and
// above which an envelope is published alone.
const batchBytes = 16 << 10

// outbox holds the one-way envelopes (sends, casts, signals) from this
// node to another until they are published together, in order, as one
// NATS message on that node's subject (kindBatch): one NATS message per
// batch rather than per Erlang message is what makes remote sends cheap.
// NATS keeps one connection's messages on one subject in order, so the
// envelopes of a sender–receiver pair stay in order; a request (a call,
// a confirmed send) publishes the batch before it, so it does not
// overtake the sender's earlier messages either.
type outbox struct {
	subject string

	pubMu sync.Mutex // held while publishing; protects spare
	spare []byte     // the buffer of the last batch, for reuse

	mu  sync.Mutex // protects buf
	buf []byte     // kindBatch, this node's number, then length-prefixed envelopes
}

// outboxes are a node's outboxes, one per node it sends to, and the
// process that publishes them.
type outboxes struct {
	mu      sync.RWMutex // protects by
	by      map[uint32]*outbox
	kicked  atomic.Bool // a kick is in the flusher's mailbox or being handled
	flusher process.PID
}

// kick is the flusher's only message: some outbox has envelopes.
type kick struct{}

// outbox returns the outbox to node id.
func (n *Node) outbox(id uint32) *outbox {
	n.out.mu.RLock()
	o := n.out.by[id]
	n.out.mu.RUnlock()
	if o != nil {
		return o
	}
	n.out.mu.Lock()
	defer n.out.mu.Unlock()
	if o = n.out.by[id]; o == nil {
		if n.out.by == nil {
			n.out.by = map[uint32]*outbox{}
		}
		o = &outbox{subject: n.subject(id)}
		n.out.by[id] = o
	}
	return o
}

// add appends a one-way envelope to the outbox and has it published
// soon. An envelope too large for a batch is published at once, after
// the batch.
func (o *outbox) add(n *Node, kind byte, from, to process.PID, w *wireValue) error {
	if w.size()+headerLen+len(w.typ) > batchBytes/2 {
		o.pubMu.Lock()
		defer o.pubMu.Unlock()
		if err := o.publishLocked(n); err != nil {
			return err
		}
		b := appendBatchEnvelope(binary.BigEndian.AppendUint32([]byte{kindBatch}, n.id), kind, from, to, w)
		return n.nc.Publish(o.subject, b)
	}
	o.mu.Lock()
	if len(o.buf) == 0 {
		o.buf = binary.BigEndian.AppendUint32(append(o.buf, kindBatch), n.id)
	}
	o.buf = appendBatchEnvelope(o.buf, kind, from, to, w)
	full := len(o.buf) >= batchBytes
	o.mu.Unlock()
	if full {
		return o.flush(n)
	}
	n.kickFlusher()
	return nil
}

// appendBatchEnvelope appends an envelope preceded by its length.
func appendBatchEnvelope(b []byte, kind byte, from, to process.PID, w *wireValue) []byte {
	at := len(b)
	b = appendEnvelope(append(b, 0, 0, 0, 0), kind, from, to, 0, w)
	binary.BigEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	return b
}

// flush publishes the outbox's envelopes.
func (o *outbox) flush(n *Node) error {
	o.pubMu.Lock()
	defer o.pubMu.Unlock()
	return o.publishLocked(n)
}

func (o *outbox) publishLocked(n *Node) error {
	o.mu.Lock()
	b := o.buf
	o.buf = o.spare[:0]
	o.mu.Unlock()
	o.spare = b[:0] // Publish copies b into the connection's buffer
	if len(b) == 0 {
		return nil
	}
	return n.nc.Publish(o.subject, b)
}

// flushAll publishes every outbox's envelopes. A failure loses them, as
// a message to a node that cannot be reached is lost in OTP; it is
// logged.
func (n *Node) flushAll() {
	n.out.mu.RLock()
	defer n.out.mu.RUnlock()
	for id, o := range n.out.by {
		if err := o.flush(n); err != nil {
			n.logf("cluster: messages to a node lost", "node", n.nameOf(id), "err", err)
		}
	}
}

// kickFlusher has the flusher publish the outboxes, unless a kick is
// pending already; without a flusher (the node is stopping) the caller
// publishes them.
func (n *Node) kickFlusher() {
	if !n.out.kicked.CompareAndSwap(false, true) {
		return
	}
	if n.out.flusher.IsZero() || n.proc.Send(n.out.flusher, kick{}) != nil {
		n.out.kicked.Store(false)
		n.flushAll()
	}
}

// flusher is the process that publishes the outboxes: each kick
// publishes what they hold. While it publishes, senders fill the next
// batch, so the busier the node, the larger its batches.
func (n *Node) flusher(p *process.Proc) error {
	for {
		if _, err := p.Receive(p.Context()); err != nil {
			return nil
		}
		n.out.kicked.Store(false)
		n.flushAll()
	}
}
