package cluster

import (
	"encoding/binary"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// Exit reasons on the wire: the runtime's atoms by code, anything else
// as its text (a [RemoteError] at the other end).
const (
	reasonText byte = iota
	reasonNormal
	reasonShutdown
	reasonKill
	reasonKilled
	reasonNoProc
	reasonNoConnection
)

var reasonAtoms = map[byte]error{
	reasonNormal: process.Normal, reasonShutdown: process.Shutdown, reasonKill: process.Kill,
	reasonKilled: process.Killed, reasonNoProc: process.NoProc, reasonNoConnection: NoConnection,
}

func appendReason(b []byte, reason error) []byte {
	for code, atom := range reasonAtoms {
		if reason == atom {
			return append(b, code)
		}
	}
	return append(append(b, reasonText), process.FormatReason(reason)...)
}

func (n *Node) readReason(from process.PID, b []byte) error {
	if len(b) == 0 {
		return &RemoteError{Node: n.nameOf(from.Node()), Msg: "(no reason)"}
	}
	if atom, ok := reasonAtoms[b[0]]; ok {
		return atom
	}
	return &RemoteError{Node: n.nameOf(from.Node()), Msg: string(b[1:])}
}

func appendRef(b []byte, ref process.Ref) []byte {
	node, id := rt.RefParts(ref)
	b = binary.BigEndian.AppendUint32(b, node)
	return binary.BigEndian.AppendUint64(b, id)
}

func readRef(b []byte) (process.Ref, []byte, bool) {
	if len(b) < 12 {
		return process.Ref{}, nil, false
	}
	return rt.RefOf(binary.BigEndian.Uint32(b), binary.BigEndian.Uint64(b[4:])), b[12:], true
}

// signal posts a link, monitor or exit signal to the node of to, in
// order with from's messages to it (outbox.go); it reports false when
// that node is not up (nothing is sent).
func (n *Node) signal(kind byte, from, to process.PID, body []byte) bool {
	if n.reachable(to.Node()) != nil {
		return false
	}
	return n.outbox(to.Node()).add(n, kind, from, to, &wireValue{body: body}) == nil
}

// Link asks to's node to link to to from; a node that is not up makes
// the link fail at once with an exit signal noconnection, as in OTP.
func (r *router) Link(from, to process.PID) {
	n := r.node()
	if !n.signal(kindLink, from, to, nil) {
		rt.ExitIn(n.proc, to, from, NoConnection, true)
	}
}

// Unlink asks to's node to drop from's link.
func (r *router) Unlink(from, to process.PID) { r.node().signal(kindUnlink, from, to, nil) }

// Monitor asks target's node to watch target for watcher; a node that is
// not up gives Down noconnection at once.
func (r *router) Monitor(watcher, target process.PID, ref process.Ref) {
	n := r.node()
	if !n.signal(kindMonitor, watcher, target, appendRef(nil, ref)) {
		rt.DownIn(n.proc, watcher, target, ref, NoConnection)
	}
}

// Demonitor asks target's node to drop the monitor ref.
func (r *router) Demonitor(watcher, target process.PID, ref process.Ref) {
	r.node().signal(kindDemonitor, watcher, target, appendRef(nil, ref))
}

// Exit sends an exit signal to a remote process (dropped when its node
// is down: that node's own loss of this one signals its processes).
func (r *router) Exit(from, to process.PID, reason error, viaLink bool) {
	kind := kindExit
	if viaLink {
		kind = kindExitLink
	}
	r.node().signal(kind, from, to, appendReason(nil, reason))
}

// Down tells a remote watcher that target died.
func (r *router) Down(watcher, target process.PID, ref process.Ref, reason error) {
	r.node().signal(kindDown, target, watcher, appendReason(appendRef(nil, ref), reason))
}

// onSignal applies a link, monitor or exit signal from another node.
func (n *Node) onSignal(e envelope) {
	switch e.kind {
	case kindLink:
		if err := rt.LinkIn(n.proc, e.to, e.from); err != nil {
			n.signal(kindExitLink, e.to, e.from, appendReason(nil, process.NoProc))
		}
	case kindUnlink:
		rt.UnlinkIn(n.proc, e.to, e.from)
	case kindMonitor:
		if ref, _, ok := readRef(e.body); ok {
			if err := rt.MonitorIn(n.proc, e.to, e.from, ref); err != nil {
				n.signal(kindDown, e.to, e.from, appendReason(appendRef(nil, ref), process.NoProc))
			}
		}
	case kindDemonitor:
		if ref, _, ok := readRef(e.body); ok {
			rt.DemonitorIn(n.proc, e.to, ref)
		}
	case kindExit, kindExitLink:
		rt.ExitIn(n.proc, e.from, e.to, n.readReason(e.from, e.body), e.kind == kindExitLink)
	case kindDown:
		if ref, rest, ok := readRef(e.body); ok {
			rt.DownIn(n.proc, e.to, e.from, ref, n.readReason(e.from, rest))
		}
	}
}
