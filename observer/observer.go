package observer

import (
	"context"
	"crypto/subtle"
	"embed"
	"io/fs"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Defaults of a Config.
const (
	DefaultInterval = time.Second
	DefaultPageSize = 50
	// TokenHeader is the request header that carries the actions' token.
	TokenHeader = "X-Orchard-Token"
)

// Config configures a Handler. Only Node is required.
type Config struct {
	// Node is the node observed.
	Node *process.Node
	// Telemetry is where the charts' events are read (restarts, dead
	// letters, confirmed sends' latency); nil means the node's registry.
	Telemetry *telemetry.Registry
	// Token enables the actions (kill, restart, terminate, retry, purge,
	// send); empty disables them: every action answers 403.
	Token string
	// DeadLetters, when set, shows its entries with retry and purge.
	DeadLetters *deadletter.Queue
	// ShowMessages shows the first messages of a process's mailbox;
	// otherwise only their number is shown ("redacted").
	ShowMessages bool
	// FormatState, when set, formats a process's state for its page
	// (for example through a call the application's servers answer); it
	// is called with a context bounded by the interval. Without it the
	// state is not shown.
	FormatState func(ctx context.Context, pid process.PID) (string, error)
	// Sections are further views (agents, connections, crash log, nodes).
	Sections []Section
	// Interval is the time between two updates (default 1 s, at least
	// 50 ms).
	Interval time.Duration
	// PageSize is the number of process rows in one update (default 50,
	// at most 500).
	PageSize int
}

// Section is a view another package provides: a titled table the page
// shows live, each update asking Rows again. Rows must be quick (it runs
// once per interval while a page is open) and safe from any goroutine.
type Section interface {
	// Title names the view ("Agents", "MCP connections", "Crash log").
	Title() string
	// Rows returns the table's columns and rows.
	Rows(ctx context.Context) (Table, error)
}

// Table is the content of a Section: column headers and rows of text.
type Table struct {
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

// SectionFunc makes a Section of a title and a function.
func SectionFunc(title string, rows func(ctx context.Context) (Table, error)) Section {
	return sectionFunc{title, rows}
}

type sectionFunc struct {
	title string
	rows  func(context.Context) (Table, error)
}

func (s sectionFunc) Title() string                           { return s.title }
func (s sectionFunc) Rows(ctx context.Context) (Table, error) { return s.rows(ctx) }

//go:embed static
var static embed.FS

// Handler serves the observer's page, its event stream and its actions.
// Mount it at the root of a server, or under a prefix with
// http.StripPrefix; every URL the page uses is relative. Close detaches
// it from telemetry.
type Handler struct {
	cfg    Config
	node   *process.Node
	mux    *http.ServeMux
	charts *charts
	snap   snapshotCache
	frames frameCache
	stacks stackCache
	closed atomic.Bool
}

var handlerSeq atomic.Uint64

// New returns a Handler for cfg, or an *ArgumentError for bad input (a
// nil node, a negative interval or page size, a nil section).
func New(cfg Config) (*Handler, error) {
	const op = "observer: New"
	if cfg.Node == nil {
		return nil, argerr.Nil(op, "cfg.Node")
	}
	if cfg.Interval < 0 {
		return nil, argerr.New(op, "cfg.Interval", "is negative")
	}
	if cfg.Interval == 0 {
		cfg.Interval = DefaultInterval
	}
	cfg.Interval = max(cfg.Interval, 50*time.Millisecond)
	if cfg.PageSize < 0 {
		return nil, argerr.New(op, "cfg.PageSize", "is negative")
	}
	if cfg.PageSize == 0 {
		cfg.PageSize = DefaultPageSize
	}
	cfg.PageSize = min(cfg.PageSize, 500)
	for i, s := range cfg.Sections {
		if s == nil {
			return nil, argerr.Nil(op, "cfg.Sections["+strconv.Itoa(i)+"]")
		}
	}
	if cfg.Telemetry == nil {
		cfg.Telemetry = nodeenv.Telemetry(cfg.Node)
	}
	h := &Handler{cfg: cfg, node: cfg.Node}
	c, err := newCharts(cfg.Telemetry, "orchard.observer."+strconv.FormatUint(handlerSeq.Add(1), 10))
	if err != nil {
		return nil, err
	}
	h.charts = c
	sub, _ := fs.Sub(static, "static")
	files := http.FileServerFS(sub)
	h.mux = http.NewServeMux()
	h.mux.Handle("GET /", files)
	h.mux.HandleFunc("GET /events", h.serveEvents)
	h.mux.HandleFunc("GET /api/config", h.serveConfig)
	h.mux.HandleFunc("POST /api/kill", h.action(h.kill))
	h.mux.HandleFunc("POST /api/child/restart", h.action(h.restartChild))
	h.mux.HandleFunc("POST /api/child/terminate", h.action(h.terminateChild))
	h.mux.HandleFunc("POST /api/deadletters/retry", h.action(h.retryLetters))
	h.mux.HandleFunc("POST /api/deadletters/purge", h.action(h.purgeLetters))
	h.mux.HandleFunc("POST /api/send", h.action(h.sendTest))
	h.mux.HandleFunc("POST /api/", h.action(func(*http.Request) (any, error) { return nil, errNotFound }))
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	if !loopbackHost(r) {
		http.Error(w, "observer: a loopback server answers only loopback host names", http.StatusForbidden)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// loopbackHost reports whether r may be served as far as DNS rebinding
// goes: a page of another site that resolves its own name to 127.0.0.1
// would read the views as same-origin, so a request that reached a
// loopback address must name a loopback host (localhost, 127.0.0.1,
// [::1]). A server on another address answers any host (its operator
// chose that address, with a token for the actions).
func loopbackHost(r *http.Request) bool {
	la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return true // not served by net/http's server: no address to judge
	}
	tcp, ok := la.(*net.TCPAddr)
	if !ok || !tcp.IP.IsLoopback() {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return loopback(strings.ToLower(host))
}

// Close detaches the handler from telemetry; open streams end at their
// next update. It is idempotent.
func (h *Handler) Close() error {
	if h.closed.Swap(true) {
		return nil
	}
	return h.charts.close()
}

// authorized reports whether r carries the token (false when none is set).
func (h *Handler) authorized(r *http.Request) bool {
	if h.cfg.Token == "" {
		return false
	}
	got := r.Header.Get(TokenHeader)
	return subtle.ConstantTimeCompare([]byte(got), []byte(h.cfg.Token)) == 1
}

// Listen listens on addr for an observer: a loopback address always; any
// other only when token is not empty, else a *NotLoopbackError. An empty
// addr means "127.0.0.1:0". A host name other than "localhost" counts as
// not loopback.
func Listen(addr, token string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, argerr.New("observer: Listen", "addr", err.Error())
	}
	if token == "" && !loopback(host) {
		return nil, &NotLoopbackError{Addr: addr}
	}
	var lc net.ListenConfig
	return lc.Listen(context.Background(), "tcp", addr)
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
