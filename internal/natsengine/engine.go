package natsengine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// DefaultReadyTimeout bounds how long Start waits for the server to accept
// connections when [Config.ReadyTimeout] is zero.
const DefaultReadyTimeout = 10 * time.Second

var (
	// ErrDirInUse is returned by Start when an Engine already runs on the
	// data directory, in this OS process or (on Unix, through a lock file)
	// in another one.
	ErrDirInUse = errors.New("natsengine: data directory already in use")
	// ErrNotReady is returned by Start when the server did not accept
	// connections within the ready timeout.
	ErrNotReady = errors.New("natsengine: server not ready")
	// ErrInvalidConfig is returned by Start for a bad Config (no Dir, a
	// negative duration).
	ErrInvalidConfig = errors.New("natsengine: invalid config")
)

// Config describes one embedded server. Dir is required; every other zero
// value means the documented default.
type Config struct {
	// Dir is the data directory; JetStream stores under it. Created if
	// missing.
	Dir string
	// SyncAlways makes JetStream fsync every write before acknowledging it.
	// Default false: writes reach the OS at once and are fsynced every
	// SyncInterval.
	SyncAlways bool
	// SyncInterval is the fsync period when SyncAlways is false; zero
	// means nats-server's default (two minutes).
	SyncInterval time.Duration
	// ReadyTimeout bounds the wait for readiness; zero means
	// [DefaultReadyTimeout].
	ReadyTimeout time.Duration
	// ServerName names the server (default "orchard").
	ServerName string
	// Listen opens a client TCP listener on Host:Port (Port -1 picks a
	// free one). Default false: in-process connections only.
	Listen bool
	// Host and Port are used only when Listen is true.
	Host string
	Port int
	// Logger receives the server's log lines; nil keeps the server quiet.
	Logger *slog.Logger
}

// Engine is one running embedded nats-server and its in-process client
// connection. Its methods are safe from any goroutine.
type Engine struct {
	dir string
	srv *server.Server
	nc  *nats.Conn
	js  jetstream.JetStream

	unlock func()
	once   sync.Once
}

// dirs holds the data directories with a running Engine in this process.
var dirs sync.Map // absolute dir -> *Engine

// Start starts an embedded server on cfg.Dir and connects to it in
// process. It returns once the server accepts connections, or an error
// (matching [ErrNotReady] after the ready timeout, ctx's error if ctx ends
// first); on error nothing is left running.
func Start(ctx context.Context, cfg Config) (*Engine, error) {
	opts, dir, err := serverOptions(cfg)
	if err != nil {
		return nil, err
	}
	e := &Engine{dir: dir}
	if _, taken := dirs.LoadOrStore(dir, e); taken {
		return nil, fmt.Errorf("%w: %s", ErrDirInUse, dir)
	}
	release, err := lockDir(dir)
	if err != nil {
		dirs.Delete(dir)
		return nil, err
	}
	e.unlock = release
	if err := e.start(ctx, cfg, opts); err != nil {
		e.release()
		return nil, err
	}
	return e, nil
}

func serverOptions(cfg Config) (*server.Options, string, error) {
	if cfg.Dir == "" {
		return nil, "", fmt.Errorf("%w: empty Dir", ErrInvalidConfig)
	}
	if cfg.SyncInterval < 0 || cfg.ReadyTimeout < 0 {
		return nil, "", fmt.Errorf("%w: negative duration", ErrInvalidConfig)
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, "", fmt.Errorf("natsengine: data directory: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, "", fmt.Errorf("natsengine: data directory: %w", err)
	}
	name := cfg.ServerName
	if name == "" {
		name = "orchard"
	}
	opts := &server.Options{
		ServerName:   name,
		JetStream:    true,
		StoreDir:     dir,
		SyncAlways:   cfg.SyncAlways,
		SyncInterval: cfg.SyncInterval,
		DontListen:   !cfg.Listen,
		Host:         cfg.Host,
		Port:         cfg.Port,
		NoSigs:       true,
		NoLog:        cfg.Logger == nil,
	}
	return opts, dir, nil
}

func (e *Engine) start(ctx context.Context, cfg Config, opts *server.Options) error {
	srv, err := server.NewServer(opts)
	if err != nil {
		return fmt.Errorf("natsengine: %w", err)
	}
	e.srv = srv
	if cfg.Logger != nil {
		srv.SetLoggerV2(slogLogger{cfg.Logger}, false, false, false)
	}
	srv.Start()
	if err := awaitReady(ctx, srv, cfg.ReadyTimeout); err != nil {
		return err
	}
	nc, err := nats.Connect("", nats.InProcessServer(srv), nats.Name("orchard-"+opts.ServerName),
		nats.MaxReconnects(-1))
	if err != nil {
		return fmt.Errorf("natsengine: connect: %w", err)
	}
	e.nc = nc
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("natsengine: jetstream: %w", err)
	}
	e.js = js
	return nil
}

// awaitReady waits for srv to accept connections. ReadyForConnections
// blocks without a context, so the wait is cut into short slices that
// check ctx in between.
func awaitReady(ctx context.Context, srv *server.Server, timeout time.Duration) error {
	if timeout == 0 {
		timeout = DefaultReadyTimeout
	}
	deadline := time.Now().Add(timeout)
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("natsengine: start: %w", err)
		}
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("%w after %v", ErrNotReady, timeout)
		}
		if srv.ReadyForConnections(min(left, 25*time.Millisecond)) {
			return nil
		}
	}
}

// Dir returns the absolute data directory.
func (e *Engine) Dir() string { return e.dir }

// Conn returns the engine's in-process client connection. It is closed by
// Shutdown; do not close it yourself.
func (e *Engine) Conn() *nats.Conn { return e.nc }

// JetStream returns a JetStream context on [Engine.Conn].
func (e *Engine) JetStream() jetstream.JetStream { return e.js }

// Server returns the embedded server, for callers that need more than the
// client connection (client URL when listening, monitoring).
func (e *Engine) Server() *server.Server { return e.srv }

// Shutdown stops the engine, in this order: close the client connection,
// shut the server down (JetStream syncs and closes its files), wait until
// it has stopped, release the data directory. nats-server's shutdown takes
// no context and is bounded by the server itself (it closes its clients
// and files; it does not wait for peers), so ctx is checked only before it
// starts: an ended ctx returns its error and leaves the engine running.
// Later calls return the first call's result.
func (e *Engine) Shutdown(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("natsengine: shutdown: %w", err)
	}
	e.once.Do(e.release)
	return nil
}

// release stops the server and frees the data directory.
func (e *Engine) release() {
	e.stopServer()
	e.unlock()
	dirs.Delete(e.dir)
}

func (e *Engine) stopServer() {
	if e.nc != nil {
		e.nc.Close()
	}
	if e.srv != nil {
		e.srv.Shutdown()
		e.srv.WaitForShutdown()
	}
}
