package mcp

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/seed-fe72f376/orchard/process"
)

// SessionInfo describes one live session, for views such as the
// observer's.
type SessionInfo struct {
	// ID is the session's id: the Mcp-Session-Id of a Streamable HTTP
	// session, a number of the server's for the others.
	ID string
	// Transport is "http" (Streamable HTTP), "tcp" ([Server.TCPHandler])
	// or "stream" ([Server.Serve]: stdio or any other stream).
	Transport string
	// Remote is the client's address when the transport has one: the
	// TCP peer, or the address the initialize request came from.
	Remote string
	// PID is the session's process (over TCP, the process reading the
	// connection).
	PID process.PID
	// Since is when the session started.
	Since time.Time
	// InFlight is the number of its tool calls running now.
	InFlight int
}

// liveSession is a session's entry in the server's table.
type liveSession struct {
	info     SessionInfo
	inFlight atomic.Int64
}

// sessionTable is the server's live sessions, by SDK session.
type sessionTable struct {
	mu   sync.Mutex
	next uint64
	m    map[*sdk.ServerSession]*liveSession
}

// track records ss until the returned function is called.
func (t *sessionTable) track(ss *sdk.ServerSession, info SessionInfo) func() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[*sdk.ServerSession]*liveSession{}
	}
	t.next++
	if info.ID == "" {
		info.ID = "#" + strconv.FormatUint(t.next, 10)
	}
	info.Since = time.Now()
	t.m[ss] = &liveSession{info: info}
	return func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		delete(t.m, ss)
	}
}

// calling counts a tool call of ss as in flight until the returned
// function is called.
func (t *sessionTable) calling(ss *sdk.ServerSession) func() {
	t.mu.Lock()
	e := t.m[ss]
	t.mu.Unlock()
	if e == nil {
		return func() {}
	}
	e.inFlight.Add(1)
	return func() { e.inFlight.Add(-1) }
}

// SessionList returns the server's live sessions, oldest first, at most
// limit of them (every one for limit <= 0). It reads a table the
// sessions keep, so it never waits on a process. Streamable HTTP
// sessions appear once initialized, stateless requests not at all.
func (s *Server) SessionList(limit int) []SessionInfo {
	if s == nil {
		return nil
	}
	s.live.mu.Lock()
	out := make([]SessionInfo, 0, len(s.live.m))
	for _, e := range s.live.m {
		si := e.info
		si.InFlight = int(e.inFlight.Load())
		out = append(out, si)
	}
	s.live.mu.Unlock()
	slices.SortFunc(out, func(a, b SessionInfo) int {
		return cmp.Or(a.Since.Compare(b.Since), cmp.Compare(a.ID, b.ID))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// remoteKey carries an HTTP request's remote address to the initialize
// handler (see [Server.HTTPHandler]).
type remoteKey struct{}

// withRemote wraps h so that the request's context carries its remote
// address.
func withRemote(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), remoteKey{}, r.RemoteAddr)))
	})
}

func remoteOf(ctx context.Context) string {
	r, _ := ctx.Value(remoteKey{}).(string)
	return r
}
