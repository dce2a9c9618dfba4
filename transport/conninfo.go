package transport

import (
	"cmp"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/seed-fe72f376/orchard/process"
)

// ConnInfo describes one live connection, for views such as the
// observer's (ranch:procs/2 and the connection's ranch info in OTP).
type ConnInfo struct {
	// ID is the connection's number, unique within its listener or
	// HTTP server.
	ID uint64
	// Transport is "tcp", "tls" or "http".
	Transport string
	// Remote is the client's address.
	Remote string
	// PID is the process that owns the connection: its own process for
	// a [Listener], the serving process for an [HTTPServer].
	PID process.PID
	// Since is when the connection was accepted.
	Since time.Time
	// State is "open" for a [Listener]'s connection, and net/http's
	// state ("new", "active", "idle", "hijacked") for an HTTP one.
	State string
}

// connTable is the live connections of a listener or an HTTP server.
type connTable struct {
	mu    sync.Mutex
	next  uint64
	conns map[any]ConnInfo
}

func (t *connTable) add(key any, ci ConnInfo) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.conns == nil {
		t.conns = map[any]ConnInfo{}
	}
	if ci.ID == 0 {
		t.next++
		ci.ID = t.next
	}
	t.conns[key] = ci
}

// setState changes the state of key's connection, adding it if new.
func (t *connTable) setState(key any, state string, add func() ConnInfo) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ci, ok := t.conns[key]
	if !ok {
		if t.conns == nil {
			t.conns = map[any]ConnInfo{}
		}
		t.next++
		ci = add()
		ci.ID = t.next
	}
	ci.State = state
	t.conns[key] = ci
}

// closeNew closes the HTTP connections that have not sent a request yet
// (state "new"). http.Server.Shutdown counts such a connection as busy
// for its first 5 seconds, so a client's spare keep-alive connection
// held a graceful shutdown that long (past the supervisor's shutdown
// timeout); it carries no request to drain. Shutdown runs it once its
// listeners are closed (http.Server.RegisterOnShutdown).
func (t *connTable) closeNew() {
	t.mu.Lock()
	var fresh []net.Conn
	for key, ci := range t.conns {
		if c, ok := key.(net.Conn); ok && ci.State == http.StateNew.String() {
			fresh = append(fresh, c)
		}
	}
	t.mu.Unlock()
	for _, c := range fresh {
		_ = c.Close()
	}
}

func (t *connTable) remove(key any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.conns, key)
}

// list returns up to limit connections (every one for limit <= 0),
// oldest first.
func (t *connTable) list(limit int) []ConnInfo {
	t.mu.Lock()
	out := make([]ConnInfo, 0, len(t.conns))
	for _, ci := range t.conns {
		out = append(out, ci)
	}
	t.mu.Unlock()
	slices.SortFunc(out, func(a, b ConnInfo) int { return cmp.Compare(a.ID, b.ID) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// ConnectionList returns the listener's live connections, oldest first,
// at most limit of them (every one for limit <= 0). It reads a table the
// connections' processes keep, so it never waits on a process.
func (l *Listener) ConnectionList(limit int) []ConnInfo {
	if l == nil {
		return nil
	}
	return l.live.list(limit)
}

// ConnectionList returns the HTTP server's open connections, oldest
// first, at most limit of them (every one for limit <= 0).
func (h *HTTPServer) ConnectionList(limit int) []ConnInfo {
	if h == nil {
		return nil
	}
	return h.live.list(limit)
}

// trackConn records the connection of the owner running in p until p
// ends.
func (o *owner) trackConn(p *process.Proc) func() {
	kind := "tcp"
	if o.l.cfg.TLS != nil {
		kind = "tls"
	}
	o.l.live.add(o.c, ConnInfo{ID: o.c.id, Transport: kind, Remote: addrString(o.c.nc.RemoteAddr()), PID: p.PID(), Since: time.Now(), State: "open"})
	return func() { o.l.live.remove(o.c) }
}

// connState is the http.Server's ConnState hook: it keeps the table of
// open connections, owned by the serving process pid.
func (h *HTTPServer) connState(pid func() process.PID) func(net.Conn, http.ConnState) {
	return func(c net.Conn, s http.ConnState) {
		switch s {
		case http.StateClosed, http.StateHijacked:
			h.live.remove(c)
		default:
			h.live.setState(c, s.String(), func() ConnInfo {
				return ConnInfo{Transport: "http", Remote: addrString(c.RemoteAddr()), PID: pid(), Since: time.Now()}
			})
		}
	}
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}
