package cluster

import (
	"context"
	"encoding/binary"
	"errors"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// Message kinds on a node's subject.
const (
	kindSend byte = iota + 1
	kindCast
	kindCall
	kindWhereIs
	kindLink      // from links to to
	kindUnlink    // from unlinks to
	kindMonitor   // from monitors to; body: ref
	kindDemonitor // from demonitors to; body: ref
	kindExit      // exit signal from from to to (erlang:exit/2); body: reason
	kindExitLink  // from died, linked to to; body: reason
	kindDown      // from died, monitored by to; body: ref, reason
	kindEnqueue   // a confirmed send: answered once in to's mailbox
	kindDeliver   // a confirmed delivery: answered once to's HandleInfo ran
)

// Reply statuses of a call or a whereis.
const (
	replyOK          byte = iota // a value follows
	replyNoProc                  // no such process (or name)
	replyTimeout                 // the remote call timed out
	replyExit                    // the server died; its reason's text follows
	replyError                   // HandleCall returned an error; its text follows
	replyUnencodable             // the reply could not cross; the codec's error follows
	replyFull                    // the receiver's mailbox is full
)

// kindBatch starts a NATS message of one-way envelopes from one node
// (outbox.go): kindBatch, the sending node's number, then each envelope
// preceded by its length.
const kindBatch byte = 0xB0

// headerLen is the size of an envelope's fixed part: kind, from node and
// id, to node and id, a duration (calls), the type name's length.
const headerLen = 1 + 4 + 8 + 4 + 8 + 8 + 2

// envelope is one message between nodes, as read.
type envelope struct {
	kind     byte
	from, to process.PID
	timeout  time.Duration
	typ      []byte
	body     []byte
}

// appendEnvelope appends an envelope carrying w to b.
func appendEnvelope(b []byte, kind byte, from, to process.PID, timeout time.Duration, w *wireValue) []byte {
	b = append(b, kind)
	b = appendPID(b, from)
	b = appendPID(b, to)
	b = binary.BigEndian.AppendUint64(b, uint64(timeout))
	b = binary.BigEndian.AppendUint16(b, uint16(len(w.typ)))
	b = append(b, w.typ...)
	return w.appendTo(b)
}

func unmarshalEnvelope(b []byte) (envelope, bool) {
	if len(b) < headerLen {
		return envelope{}, false
	}
	e := envelope{
		kind:    b[0],
		from:    pidOf(binary.BigEndian.Uint32(b[1:]), binary.BigEndian.Uint64(b[5:])),
		to:      pidOf(binary.BigEndian.Uint32(b[13:]), binary.BigEndian.Uint64(b[17:])),
		timeout: time.Duration(binary.BigEndian.Uint64(b[25:])),
	}
	tl := int(binary.BigEndian.Uint16(b[33:]))
	if len(b) < headerLen+tl {
		return envelope{}, false
	}
	e.typ = b[headerLen : headerLen+tl : headerLen+tl]
	e.body = b[headerLen+tl:]
	return e, true
}

// router is a Node as the runtime's internal Remote (internal/rt): what
// process and genserver call for PIDs of nodes in other programs.
type router Node

func (r *router) node() *Node { return (*Node)(r) }

// Reaches reports whether id is the number of another node of a
// cluster (the top bit set, not this node).
func (r *router) Reaches(id uint32) bool { return id != r.id && id&(1<<31) != 0 }

// reachable returns the sender's error when node id cannot be sent to.
func (n *Node) reachable(id uint32) error {
	if n.stopped.Load() {
		return ErrStopped
	}
	if !n.up(id) {
		return &NodeDownError{Node: id}
	}
	return nil
}

// envelopeFor encodes msg for to, or returns the sender's typed error.
func (n *Node) envelopeFor(kind byte, from, to process.PID, msg any) ([]byte, error) {
	if err := n.reachable(to.Node()); err != nil {
		return nil, err
	}
	w, err := n.prepare(msg)
	if err != nil {
		return nil, err
	}
	return appendEnvelope(make([]byte, 0, headerLen+len(w.typ)+w.size()), kind, from, to, 0, &w), nil
}

// post puts a one-way envelope carrying msg in the outbox to to's node.
func (n *Node) post(kind byte, from, to process.PID, msg any) error {
	if err := n.reachable(to.Node()); err != nil {
		return err
	}
	w, err := n.prepare(msg)
	if err != nil {
		return err
	}
	return n.outbox(to.Node()).add(n, kind, from, to, &w)
}

// Send delivers msg from from to the process to of another node, in
// order after from's earlier messages to it. It fails at once when the
// node is down or unknown ([*NodeDownError], matching [NoConnection]),
// or the message cannot be encoded ([*UnregisteredError],
// [*EncodeError]); a message to a dead remote process is dropped there,
// as in OTP.
func (r *router) Send(from, to process.PID, msg process.Msg) error {
	return r.node().post(kindSend, from, to, msg)
}

// Cast is genserver.Cast to a server of another node; the errors of
// Send.
func (r *router) Cast(to process.PID, msg any) error {
	return r.node().post(kindCast, process.PID{}, to, msg)
}

// Call is genserver.Call to a server of another node: a NATS request on
// the node's subject, answered once the remote call returns. A lost or
// unknown node fails it with a *genserver.CallError whose reason is
// [NoConnection]; a remote server that died, with its exit reason
// (process.NoProc, or a [*RemoteError] carrying its text); an error
// returned by the remote HandleCall comes back as a [*RemoteError].
func (r *router) Call(ctx context.Context, dest process.Dest, caller, to process.PID, req any, timeout time.Duration) (any, error) {
	n := r.node()
	b, timeout, err := n.request(ctx, kindCall, dest, caller, to, req, timeout)
	if err != nil {
		return nil, err
	}
	return n.readReply(dest, to, b, timeout)
}

// Deliver is a supervised send's confirmed delivery to a process of
// another node (package send, levels Enqueued and Handled): a NATS
// request on the node's subject, answered once msg is in the process's
// mailbox (Enqueued, in order with the sender's other messages) or once
// genserver.Deliver returned there (Handled). Every failure is an error,
// so send retries or dead-letters the message: a lost or unknown node
// is a *genserver.CallError whose reason is [NoConnection], a dead
// process process.NoProc, a full mailbox process.ErrMailboxFull, no
// answer in time genserver.ErrTimeout (the message may still have
// arrived: at least once, never lost).
func (r *router) Deliver(ctx context.Context, dest process.Dest, caller, to process.PID, msg any, timeout time.Duration, handled bool) error {
	n := r.node()
	kind := kindEnqueue
	if handled {
		kind = kindDeliver
	}
	b, timeout, err := n.request(ctx, kind, dest, caller, to, msg, timeout)
	if err != nil {
		return err
	}
	_, err = n.readReply(dest, to, b, timeout)
	return err
}

// request sends the envelope kind from caller to to with body v as a
// NATS request and returns the reply's bytes and the timeout it used;
// the errors are those of [router.Call].
func (n *Node) request(ctx context.Context, kind byte, dest process.Dest, caller, to process.PID, v any, timeout time.Duration) ([]byte, time.Duration, error) {
	// Recorded before the node is checked: a node declared down from
	// now on fails the request at once (calls.go).
	p := n.calls.add(to.Node())
	b, err := n.envelopeFor(kind, caller, to, v)
	if err != nil {
		n.calls.remove(p)
		if errors.Is(err, NoConnection) || errors.Is(err, ErrStopped) {
			return nil, timeout, &genserver.CallError{Dest: dest, Reason: NoConnection}
		}
		return nil, timeout, err
	}
	if timeout == 0 {
		if dl, has := ctx.Deadline(); has {
			// The remaining time travels in the envelope, so the
			// remote handler's context and its serving process are
			// bounded by the caller's deadline, as a local call is;
			// ctx's deadline is the timeout: no timer of our own.
			if timeout = time.Until(dl); timeout <= 0 {
				n.calls.remove(p)
				return nil, timeout, &genserver.CallError{Dest: dest, Reason: genserver.ErrTimeout}
			}
			binary.BigEndian.PutUint64(b[25:], uint64(timeout))
			return n.exchange(ctx, p, dest, b, timeout, 0)
		}
		timeout = nodeenv.TimeoutHandle(n.proc, genserver.CallTimeoutKey).Get()
	}
	if timeout > 0 {
		binary.BigEndian.PutUint64(b[25:], uint64(timeout))
	}
	return n.exchange(ctx, p, dest, b, timeout, timeout)
}

// exchange sends the request envelope b of p after the outbox's pending
// envelopes to its node and waits for the reply, for at most wait when
// it is positive; timeout is the one reported in errors.
func (n *Node) exchange(ctx context.Context, p *pending, dest process.Dest, b []byte, timeout, wait time.Duration) ([]byte, time.Duration, error) {
	// The envelopes posted before this request go first, so that it
	// stays in order after the caller's earlier messages.
	o := n.outbox(p.node)
	if err := o.flush(n); err != nil {
		n.calls.remove(p)
		return nil, timeout, &genserver.CallError{Dest: dest, Reason: err}
	}
	m, err := n.await(ctx, p, o.subject, b, wait)
	switch {
	case errors.Is(err, nats.ErrNoResponders) || errors.Is(err, errLost):
		return nil, timeout, &genserver.CallError{Dest: dest, Reason: NoConnection}
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout):
		return nil, timeout, &genserver.CallError{Dest: dest, Reason: genserver.ErrTimeout, Timeout: max(timeout, 0)}
	case err != nil:
		return nil, timeout, &genserver.CallError{Dest: dest, Reason: err}
	}
	return m.Data, timeout, nil
}

// readReply decodes a call's reply.
func (n *Node) readReply(dest process.Dest, to process.PID, b []byte, timeout time.Duration) (any, error) {
	if len(b) == 0 {
		return nil, &genserver.CallError{Dest: dest, Reason: errNoResponse}
	}
	text := func() string { return string(b[1:]) }
	switch b[0] {
	case replyOK:
		if len(b) < 3 {
			return nil, &genserver.CallError{Dest: dest, Reason: errNoResponse}
		}
		tl := int(binary.BigEndian.Uint16(b[1:]))
		if len(b) < 3+tl {
			return nil, &genserver.CallError{Dest: dest, Reason: errNoResponse}
		}
		return n.decode(b[3:3+tl], b[3+tl:])
	case replyNoProc:
		return nil, &genserver.CallError{Dest: dest, Reason: process.NoProc}
	case replyFull:
		return nil, &genserver.CallError{Dest: dest, Reason: process.ErrMailboxFull}
	case replyTimeout:
		return nil, &genserver.CallError{Dest: dest, Reason: genserver.ErrTimeout, Timeout: max(timeout, 0)}
	case replyExit:
		return nil, &genserver.CallError{Dest: dest, Reason: &RemoteError{Node: n.nameOf(to.Node()), Msg: text()}}
	case replyError:
		return nil, &RemoteError{Node: n.nameOf(to.Node()), Msg: text()}
	case replyUnencodable:
		return nil, &EncodeError{Type: "reply", Err: errors.New(text())}
	}
	return nil, &genserver.CallError{Dest: dest, Reason: errNoResponse}
}

// onMessage handles one message to this node, in arrival order: sends
// and casts are delivered before the next message is read, which keeps
// each sender's messages in order; a call runs in a process of its own
// so that a slow server does not hold up the node's other messages. A
// batch's envelopes are handled in turn, on this goroutine.
func (n *Node) onMessage(m *nats.Msg) {
	if len(m.Data) > 0 && m.Data[0] == kindBatch {
		n.onBatch(m.Subject, m.Data)
		return
	}
	e, ok := unmarshalEnvelope(m.Data)
	if !ok {
		n.logf("cluster: malformed message dropped", "subject", m.Subject)
		return
	}
	if e.kind == kindWhereIs {
		n.whereIsReply(m, string(e.body))
		return
	}
	if !e.from.IsZero() {
		n.seen(e.from.Node())
	}
	n.onEnvelope(m, e)
}

// onBatch handles a batch of one-way envelopes (outbox.go).
func (n *Node) onBatch(subject string, b []byte) {
	if len(b) < 5 {
		n.logf("cluster: malformed message dropped", "subject", subject)
		return
	}
	n.seen(binary.BigEndian.Uint32(b[1:]))
	for b = b[5:]; len(b) > 0; {
		var e envelope
		var ok bool
		if e, b, ok = nextEnvelope(b); !ok {
			n.logf("cluster: malformed message dropped", "subject", subject)
			return
		}
		n.onEnvelope(nil, e)
	}
}

// nextEnvelope reads the length-prefixed one-way envelope that starts b
// and returns it with the rest of b.
func nextEnvelope(b []byte) (envelope, []byte, bool) {
	if len(b) < 4 {
		return envelope{}, nil, false
	}
	l := binary.BigEndian.Uint32(b)
	if uint64(l) > uint64(len(b)-4) {
		return envelope{}, nil, false
	}
	e, ok := unmarshalEnvelope(b[4 : 4+l])
	if !ok || !oneWay(e.kind) {
		return envelope{}, nil, false
	}
	return e, b[4+l:], true
}

// oneWay reports whether kind is an envelope without a reply, which a
// batch may carry.
func oneWay(kind byte) bool {
	return kind == kindSend || kind == kindCast || kind >= kindLink && kind <= kindDown
}

// onEnvelope handles one envelope; m is the NATS message of a request
// (a call, a confirmed send), to respond to, and nil otherwise.
func (n *Node) onEnvelope(m *nats.Msg, e envelope) {
	switch e.kind {
	case kindLink, kindUnlink, kindMonitor, kindDemonitor, kindExit, kindExitLink, kindDown:
		n.onSignal(e)
		return
	}
	msg, err := n.decode(e.typ, e.body)
	if err != nil {
		n.logf("cluster: undecodable message dropped", "from", e.from.String(), "to", e.to.String(), "err", err)
		if e.kind == kindCall {
			_ = m.Respond(append([]byte{replyUnencodable}, err.Error()...))
		}
		return
	}
	switch e.kind {
	case kindSend:
		_ = n.proc.Send(e.to, msg)
	case kindCast:
		_ = genserver.Cast(e.to, msg)
	case kindCall:
		n.serveCall(m, e, msg)
	case kindEnqueue:
		_ = m.Respond(n.enqueueLocal(e.to, msg))
	case kindDeliver:
		n.serveDeliver(m, e, msg)
	}
}

// enqueueLocal puts msg in the mailbox of the local process to and
// returns the reply to a confirmed send.
func (n *Node) enqueueLocal(to process.PID, msg any) []byte {
	t, err := rt.Lookup(to)
	if err != nil || !t.Alive() {
		return []byte{replyNoProc}
	}
	switch err := t.Send(msg); {
	case err == nil:
		return []byte{replyOK, 0, 0}
	case errors.Is(err, process.ErrMailboxFull):
		return []byte{replyFull}
	case errors.Is(err, process.NoProc):
		return []byte{replyNoProc}
	default:
		return append([]byte{replyError}, err.Error()...)
	}
}

// serveDeliver runs genserver.Deliver of e on this node in a serving
// process (serve.go) and responds with the outcome.
func (n *Node) serveDeliver(m *nats.Msg, e envelope, msg any) {
	if !n.serve(func(p *process.Proc) {
		timeout := e.timeout
		if timeout <= 0 {
			timeout = genserver.Infinity
		}
		err := genserver.Deliver(p.Context(), e.to, msg, timeout)
		n.flushTo(e.from)
		_ = m.Respond(n.encodeReply(nil, err))
	}) {
		_ = m.Respond([]byte{replyNoProc})
	}
}

// serveCall makes the call e on this node in a serving process
// (serve.go) and responds with the reply.
func (n *Node) serveCall(m *nats.Msg, e envelope, req any) {
	if !n.serve(func(p *process.Proc) {
		timeout := e.timeout
		if timeout <= 0 {
			timeout = genserver.Infinity
		}
		v, err := genserver.Call[any](p.Context(), e.to, req, genserver.WithTimeout(timeout))
		n.flushTo(e.from)
		_ = m.Respond(n.encodeReply(v, err))
	}) {
		_ = m.Respond([]byte{replyNoProc})
	}
}

// flushTo publishes the envelopes waiting in the outbox to the node of
// a request's caller (in every outbox when the caller is not a
// process) before the request is answered: a reply must not overtake
// what the handler sent to that node before replying (in OTP both cross
// the one connection between the nodes, in order), or a caller told
// that its message was handled could miss the handler's messages when
// this node dies right after.
func (n *Node) flushTo(caller process.PID) {
	if caller.IsZero() {
		n.flushAll()
		return
	}
	n.out.mu.RLock()
	o := n.out.by[caller.Node()]
	n.out.mu.RUnlock()
	if o != nil {
		_ = o.flush(n)
	}
}

func (n *Node) encodeReply(v any, err error) []byte {
	if err != nil {
		var ce *genserver.CallError
		switch {
		case errors.As(err, &ce) && errors.Is(ce.Reason, process.NoProc):
			return []byte{replyNoProc}
		case errors.As(err, &ce) && errors.Is(ce.Reason, genserver.ErrTimeout):
			return []byte{replyTimeout}
		case errors.As(err, &ce):
			return append([]byte{replyExit}, process.FormatReason(ce.Reason)...)
		}
		return append([]byte{replyError}, err.Error()...)
	}
	var typ string
	var body []byte
	if v != nil {
		typ, body, err = n.encode(v)
		if err != nil {
			return append([]byte{replyUnencodable}, err.Error()...)
		}
	}
	b := make([]byte, 3, 3+len(typ)+len(body))
	b[0] = replyOK
	binary.BigEndian.PutUint16(b[1:], uint16(len(typ)))
	b = append(b, typ...)
	return append(b, body...)
}

// whereIsReply answers a remote lookup of a locally registered name.
func (n *Node) whereIsReply(m *nats.Msg, name string) {
	pid, ok := n.proc.WhereIs(name)
	if !ok {
		_ = m.Respond([]byte{replyNoProc})
		return
	}
	_ = m.Respond(n.encodeReply(pid, nil))
}

// DefaultLookupTimeout bounds the lookup of a [RemoteName].
const DefaultLookupTimeout = 2 * time.Second

// RemoteName is a name registered locally on another node (OTP's
// {Name, Node}), a process.Dest: Resolve asks that node, bounded by
// [DefaultLookupTimeout]. Make one with [Node.RemoteName].
type RemoteName struct {
	n    *Node
	node string
	name string
}

// RemoteName returns the destination name on the node named node.
func (n *Node) RemoteName(node, name string) RemoteName {
	return RemoteName{n: n, node: node, name: name}
}

// String returns "name@node".
func (r RemoteName) String() string { return r.name + "@" + r.node }

// Resolve asks the node for the PID registered under the name: a
// *process.NoProcError when there is none, an error matching
// [NoConnection] when the node is not up.
func (r RemoteName) Resolve() (process.PID, error) {
	if r.n == nil {
		return process.PID{}, argerr.Nil("cluster: RemoteName.Resolve", "node")
	}
	if r.name == "" || r.node == "" {
		return process.PID{}, argerr.Empty("cluster: RemoteName.Resolve", "name")
	}
	id := NodeNumber(r.node)
	if id == r.n.id {
		return r.n.proc.Name(r.name).Resolve()
	}
	p := r.n.calls.add(id)
	if !r.n.up(id) {
		r.n.calls.remove(p)
		return process.PID{}, &NodeDownError{Node: id}
	}
	b := appendEnvelope(nil, kindWhereIs, process.PID{}, process.PID{}, 0, &wireValue{body: []byte(r.name)})
	ctx, cancel := context.WithTimeout(context.Background(), DefaultLookupTimeout)
	defer cancel()
	m, err := r.n.await(ctx, p, r.n.subject(id), b, DefaultLookupTimeout)
	if err != nil {
		if errors.Is(err, nats.ErrNoResponders) || errors.Is(err, nats.ErrTimeout) || errors.Is(err, errLost) {
			return process.PID{}, &NodeDownError{Node: id}
		}
		return process.PID{}, err
	}
	v, err := r.n.readReply(r, process.PID{}, m.Data, 0)
	if err != nil {
		var ce *genserver.CallError
		if errors.As(err, &ce) && errors.Is(ce.Reason, process.NoProc) {
			return process.PID{}, &process.NoProcError{Name: r.name, Reason: process.NoProc}
		}
		return process.PID{}, err
	}
	pid, ok := v.(process.PID)
	if !ok {
		return process.PID{}, &process.NoProcError{Name: r.name, Reason: process.NoProc}
	}
	return pid, nil
}
