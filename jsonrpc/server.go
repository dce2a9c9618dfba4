package jsonrpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/task"
	"github.com/seed-fe72f376/orchard/transport"
)

// DefaultTimeout is a request's deadline when its method sets none.
const DefaultTimeout = 30 * time.Second

// DefaultMaxBatch is the largest batch (number of elements) a server runs
// unless [Server.SetMaxBatch] says otherwise.
const DefaultMaxBatch = 100

// HandlerFunc serves one request. ctx carries the request's deadline and is
// cancelled when the request is cancelled or its connection dies. The result
// is marshalled with encoding/json; a json.RawMessage is sent as is. An
// *Error is sent as is; an error wrapping ErrInvalidParams becomes -32602;
// any other error becomes -32603 with its text. A panic becomes -32603 for
// this request only.
type HandlerFunc func(ctx context.Context, req *Request) (any, error)

// Method is how one method is served. Write it as a literal.
type Method struct {
	// Handler serves the method. Required.
	Handler HandlerFunc
	// Inline runs the handler in the connection's process, one request at
	// a time, instead of in a supervised task of its own. Use it for
	// short, non-blocking methods.
	Inline bool
	// Timeout is the request's deadline (zero: DefaultTimeout; negative:
	// none).
	Timeout time.Duration
}

// Server dispatches JSON-RPC 2.0 messages to methods. Register methods
// before serving; a Server is then safe for concurrent use by many
// connections.
type Server struct {
	tasks    *task.Supervisor
	log      *slog.Logger
	methods  map[string]Method
	maxBatch int // <= 0: no limit
}

// NewServer returns a server that runs non-inline handlers as tasks under
// tasks (a nil tasks runs every handler inline). A nil logger means
// slog.Default().
func NewServer(tasks *task.Supervisor, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.Default()
	}
	return &Server{tasks: tasks, log: logger, methods: map[string]Method{}, maxBatch: DefaultMaxBatch}
}

// SetMaxBatch sets the largest number of elements a batch may have (zero:
// DefaultMaxBatch; negative: no limit). A longer batch is answered with a
// single -32600 error with a null id, and none of its elements is run. Set
// it before serving, as methods are registered.
func (s *Server) SetMaxBatch(n int) error {
	if s == nil {
		return argerr.Nil("jsonrpc: SetMaxBatch", "s")
	}
	if n == 0 {
		n = DefaultMaxBatch
	}
	s.maxBatch = n
	return nil
}

// Handle registers m for method, replacing any earlier one.
func (s *Server) Handle(method string, m Method) error {
	const op = "jsonrpc: Handle"
	switch {
	case s == nil:
		return argerr.Nil(op, "s")
	case method == "":
		return argerr.Empty(op, "method")
	case m.Handler == nil:
		return argerr.Nil(op, "m.Handler")
	}
	s.methods[method] = m
	return nil
}

// ServeConn serves newline-delimited JSON-RPC on c until the client goes
// away, the connection times out or drains; it is a [transport.Handler].
// Before returning it waits for the connection's in-flight requests (each
// bounded by its deadline and by ctx). An oversized or rate-limited frame
// gets a typed error reply and the connection goes on.
func (s *Server) ServeConn(ctx context.Context, c *transport.Conn) error {
	if s == nil || c == nil {
		return argerr.Nil("jsonrpc: ServeConn", "s or c")
	}
	f := newFlight()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	write := func(b []byte) { _ = c.WriteFrame(b) }
	for {
		frame, err := c.ReadFrame()
		switch {
		case errors.Is(err, transport.ErrFrameTooLarge):
			write(mustEncode(&Response{Error: &Error{Code: CodeInvalidRequest, Message: "message too large"}}))
			continue
		case errors.Is(err, transport.ErrRateLimited):
			write(mustEncode(&Response{Error: &Error{Code: CodeRateLimited, Message: "rate limited"}}))
			continue
		case errors.Is(err, transport.ErrIdleTimeout) && f.count() > 0:
			continue // a client waiting for its replies is not idle
		case errors.Is(err, transport.ErrDraining):
			f.wait(ctx) // let in-flight requests answer
			return err
		case err != nil:
			// The client is gone or broke the protocol: nobody will
			// read the replies, so in-flight requests are cancelled.
			cancel()
			wctx, wcancel := context.WithTimeout(context.Background(), cancelledGrace)
			f.wait(wctx)
			wcancel()
			return err
		}
		s.serve(ctx, frame, f, write)
	}
}

// HandleMessage serves one message body (one request, notification or
// batch) and returns the reply body, nil when there is none (only
// notifications, or ctx ended first). It waits for the handlers, bounded
// by ctx. This is the one-message-per-HTTP-body form.
func (s *Server) HandleMessage(ctx context.Context, body []byte) []byte {
	if s == nil || ctx == nil {
		return mustEncode(&Response{Error: &Error{Code: CodeInternalError, Message: "no server"}})
	}
	f := newFlight()
	var (
		mu  sync.Mutex // the reply may come after ctx ended and we returned
		out []byte
	)
	s.serve(ctx, body, f, func(b []byte) { mu.Lock(); out = b; mu.Unlock() })
	f.wait(ctx)
	mu.Lock()
	defer mu.Unlock()
	return out
}

// serve decodes one message and starts its requests; the reply is written
// once all of them have answered.
func (s *Server) serve(ctx context.Context, data []byte, f *flight, write func([]byte)) {
	reqs, errs, batch := decode(data, s.maxBatch)
	b := &batchReply{batch: batch, resps: errs, write: write}
	for _, r := range reqs {
		if !r.IsNotification() {
			b.pending++
		}
	}
	if b.pending == 0 {
		b.flush()
	}
	for _, r := range reqs {
		s.start(ctx, r, f, b)
	}
}

// start runs one request inline or as a supervised task.
func (s *Server) start(ctx context.Context, r *Request, f *flight, b *batchReply) {
	m, ok := s.methods[r.Method]
	if !ok {
		b.add(r, &Response{ID: r.ID, Error: &Error{Code: CodeMethodNotFound, Message: "method not found: " + r.Method}})
		return
	}
	if m.Inline || s.tasks == nil {
		s.call(ctx, ctx, m, r, false, func(resp *Response) { b.add(r, resp) })
		return
	}
	f.add()
	_, err := task.Start(s.tasks, func(tctx context.Context) error {
		defer f.done()
		s.call(tctx, ctx, m, r, true, func(resp *Response) { b.add(r, resp) })
		return nil
	})
	if err != nil {
		f.done()
		b.add(r, &Response{ID: r.ID, Error: &Error{Code: CodeInternalError, Message: "cannot start handler: " + err.Error()}})
	}
}

// call runs the handler with the request's deadline, cancelled also when
// conn (the connection's context) ends, and delivers its reply. In a task
// (repanic), a panic is answered with -32603 and then raised again, so the
// task crashes and its supervisor reports it with the stack; inline, it is
// answered and logged, and the connection goes on. Either way the other
// requests of the connection are untouched.
func (s *Server) call(base, conn context.Context, m Method, r *Request, repanic bool, deliver func(*Response)) {
	ctx, cancel := context.WithCancel(base)
	if d := m.Timeout; d >= 0 {
		if d == 0 {
			d = DefaultTimeout
		}
		ctx, cancel = context.WithTimeout(base, d)
	}
	defer cancel()
	if conn != base {
		defer context.AfterFunc(conn, cancel)()
	}
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		deliver(&Response{ID: r.ID, Error: &Error{Code: CodeInternalError, Message: fmt.Sprintf("internal error: handler panicked: %v", v)}})
		if repanic {
			panic(v)
		}
		s.log.Error("jsonrpc: handler panicked", "method", r.Method, "reason", v, "stack", string(debug.Stack()))
	}()
	res, err := m.Handler(ctx, r)
	deliver(reply(ctx, r, res, err))
}

func reply(ctx context.Context, r *Request, res any, err error) *Response {
	if err != nil {
		var e *Error
		switch {
		case errors.As(err, &e):
		case errors.Is(err, ErrInvalidParams):
			e = &Error{Code: CodeInvalidParams, Message: err.Error()}
		case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
			e = &Error{Code: CodeTimeout, Message: "request timed out"}
		case errors.Is(err, context.Canceled) && ctx.Err() != nil:
			e = &Error{Code: CodeCancelled, Message: "request cancelled"}
		default:
			e = &Error{Code: CodeInternalError, Message: err.Error()}
		}
		return &Response{ID: r.ID, Error: e}
	}
	raw, ok := res.(json.RawMessage)
	if !ok {
		var merr error
		raw, merr = json.Marshal(res)
		if merr != nil {
			return &Response{ID: r.ID, Error: &Error{Code: CodeInternalError, Message: "cannot encode result: " + merr.Error()}}
		}
	}
	return &Response{ID: r.ID, Result: raw}
}

func mustEncode(r *Response) []byte {
	b, err := json.Marshal(r)
	if err != nil {
		// A Response of RawMessages and an Error always encodes, unless
		// Error.Data does not; drop it then.
		r.Error.Data = nil
		b, _ = json.Marshal(r)
	}
	return b
}

// batchReply collects the replies of one message and writes them once the
// last one is in.
type batchReply struct {
	batch bool
	write func([]byte)

	mu      sync.Mutex // protects the fields below
	pending int
	resps   []*Response
}

func (b *batchReply) add(r *Request, resp *Response) {
	if r.IsNotification() {
		return
	}
	b.mu.Lock()
	b.resps = append(b.resps, resp)
	b.pending--
	last := b.pending == 0
	b.mu.Unlock()
	if last {
		b.flush()
	}
}

func (b *batchReply) flush() {
	out, err := EncodeResponses(b.resps, b.batch)
	if err != nil {
		out = mustEncode(&Response{Error: &Error{Code: CodeInternalError, Message: err.Error()}})
	}
	if out != nil {
		b.write(out)
	}
}

// flight counts a connection's in-flight tasks, so that it can wait for
// them without a goroutine of its own.
type flight struct {
	mu    sync.Mutex // protects n
	n     int
	doneC chan struct{}
}

func newFlight() *flight { return &flight{doneC: make(chan struct{}, 1)} }

func (f *flight) add() { f.mu.Lock(); f.n++; f.mu.Unlock() }

func (f *flight) count() int { f.mu.Lock(); defer f.mu.Unlock(); return f.n }

func (f *flight) done() {
	f.mu.Lock()
	f.n--
	f.mu.Unlock()
	select {
	case f.doneC <- struct{}{}:
	default:
	}
}

// cancelledGrace bounds how long a connection whose client is gone waits
// for its cancelled requests to return before its process ends (a handler
// that ignores its context is left to its task's supervisor).
const cancelledGrace = 5 * time.Second

func (f *flight) wait(ctx context.Context) {
	for {
		f.mu.Lock()
		n := f.n
		f.mu.Unlock()
		if n == 0 {
			return
		}
		select {
		case <-f.doneC:
		case <-ctx.Done():
			return
		}
	}
}
