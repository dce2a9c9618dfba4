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
	// ErrStartFailed is returned by Start when nats-server aborted its
	// start: JetStream could not be enabled (an unusable store directory,
	// for one) or a listener failed. The server's own reason is in its log
	// ([Config.Logger]).
	ErrStartFailed = errors.New("natsengine: server start failed")
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
	// [DefaultReadyTimeout]. nats-server starts synchronously, so a server
	// not ready a second after its start returned has failed: Start then
	// returns [ErrStartFailed] without waiting for the rest of the timeout.
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
	// Cluster joins this server to other nodes' servers by routes; nil:
	// a server of its own. A clustered server should have a ServerName
	// unique in the cluster (JetStream requires it).
	Cluster *Cluster
}

// Engine is one running embedded nats-server and its in-process client
// connection. Its methods are safe from any goroutine.
type Engine struct {
	dir string
	url string // external server ([Connect]); empty for an embedded one
	srv *server.Server
	nc  *nats.Conn
	js  jetstream.JetStream

	unlock func()
	once   sync.Once

	// unclean is set once by start (see [Engine.Unclean]).
	unclean bool
	// lossMu serialises reads and rewrites of the loss file.
	lossMu sync.Mutex
	// started is set once start has checked the losses and marked the
	// directory running: only such an engine records a clean shutdown.
	started bool
}

// dirs holds the data directories with a running Engine in this process.
var dirs sync.Map // absolute dir -> *Engine

// Start starts an embedded server on cfg.Dir and connects to it in
// process. It returns once the server accepts connections with JetStream
// enabled, or an error (matching [ErrStartFailed] when the server aborted
// its start, [ErrNotReady] after a ready timeout shorter than that check,
// ctx's error if ctx ends first); on error nothing is left running.
func Start(ctx context.Context, cfg Config) (*Engine, error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w: nil ctx", ErrInvalidConfig)
	}
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
	if err := cfg.Cluster.apply(opts); err != nil {
		return nil, "", err
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
	srv.Start() // synchronous: returns once started, or early on a failure
	if err := awaitReady(ctx, srv, cfg.ReadyTimeout); err != nil {
		return err
	}
	if err := checkJetStream(srv, e.dir); err != nil {
		return err
	}
	// Before the engine's own connection, so that nothing of Orchard has
	// written yet. Without Listen (the default) no other client can
	// connect either. With Listen, a network client may connect as soon
	// as the server is ready and write before this check: a write to a
	// stream (a higher last sequence) takes it out of the comparison, so
	// a loss may go unreported; a delete or purge then reads as a loss
	// (a false report). Listen is for tools and tests, not for stores
	// whose losses matter.
	if err := e.checkLosses(); err != nil {
		return err
	}
	e.started = true
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

// checkJetStream fails with ErrStartFailed when srv runs without
// JetStream.
func checkJetStream(srv *server.Server, dir string) error {
	if srv.JetStreamEnabled() {
		return nil
	}
	return fmt.Errorf("%w: JetStream not enabled in %s (see the server log)", ErrStartFailed, dir)
}

// startGrace is how long awaitReady waits before it concludes that the
// server aborted its start. nats-server's Start is synchronous: it returns
// once the server is ready (listeners open, startup complete), or early
// when enabling JetStream or a listener failed, in which case the server
// only logs why (nothing without a logger) and never becomes ready.
const startGrace = time.Second

// awaitReady waits for srv, whose Start has returned, to accept
// connections. ReadyForConnections blocks without a context, so the wait
// is cut into short slices that check ctx in between. A server not ready
// after startGrace aborted its start (ErrStartFailed); a timeout below
// startGrace gives ErrNotReady.
func awaitReady(ctx context.Context, srv *server.Server, timeout time.Duration) error {
	if timeout == 0 {
		timeout = DefaultReadyTimeout
	}
	start := time.Now()
	deadline := start.Add(min(timeout, startGrace))
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("natsengine: start: %w", err)
		}
		left := time.Until(deadline)
		if left <= 0 && timeout <= startGrace {
			return fmt.Errorf("%w after %v", ErrNotReady, timeout)
		}
		if left <= 0 {
			return fmt.Errorf("%w: not ready %v after nats-server's Start returned (see the server log)", ErrStartFailed, time.Since(start).Round(time.Millisecond))
		}
		if srv.ReadyForConnections(min(left, 25*time.Millisecond)) {
			return nil
		}
	}
}

// Dir returns the absolute data directory ("" for an engine connected to
// an external server).
func (e *Engine) Dir() string { return e.dir }

// URL returns the external server's URL, "" for an embedded server.
func (e *Engine) URL() string { return e.url }

// external reports whether the engine is a connection to an external
// server ([Connect]) rather than an embedded one.
func (e *Engine) external() bool { return e.url != "" }

// Conn returns the engine's in-process client connection. It is closed by
// Shutdown; do not close it yourself.
func (e *Engine) Conn() *nats.Conn { return e.nc }

// JetStream returns a JetStream context on [Engine.Conn].
func (e *Engine) JetStream() jetstream.JetStream { return e.js }

// Server returns the embedded server, for callers that need more than the
// client connection (client URL when listening, monitoring); nil for an
// engine connected to an external server.
func (e *Engine) Server() *server.Server { return e.srv }

// Shutdown stops the engine, in this order: close the client connection,
// (for an engine of [Connect] that is all: the external server runs on),
// shut the server down, release the data directory. It always does all
// three, even when ctx has already ended, so a later Start on the same
// directory succeeds.
//
// nats-server's Shutdown takes no context but is synchronous and bounded
// by the server itself: it returns once its clients (all in-process) are
// closed, JetStream has flushed, synced and closed its files and its
// goroutines have ended; it waits for no peer. Its WaitForShutdown, which
// has no timeout, therefore adds nothing and is not called. ctx is
// accepted for the application's shutdown order and is not needed: the
// result is nil. Do not shut [Engine.Server] down yourself. Later calls
// return nil at once.
func (e *Engine) Shutdown(context.Context) error {
	e.once.Do(e.release)
	return nil
}

// release stops the server and frees the data directory. An engine that
// started reads the size of every stream once its own connection is
// closed, stops the server, then records the sizes, which marks the
// shutdown clean for the next start's loss check ([Engine.Losses]). With
// Config.Listen a network client can still write or delete between the
// reading and the stop: its writes make the next check skip the stream,
// and its deletes read as a loss there (see Start).
func (e *Engine) release() {
	if e.nc != nil {
		e.nc.Close()
	}
	var sizes []streamSize
	var sized bool
	if e.started {
		var err error
		sizes, _, err = streamSizes(e.srv)
		sized = err == nil
	}
	if e.external() {
		return // nothing of the server is ours
	}
	if e.srv != nil {
		e.srv.Shutdown()
	}
	if sized {
		// A failed write leaves the record "running": the next start
		// then treats this shutdown as unclean, which only weakens its
		// check.
		_ = recordClean(e.dir, sizes)
	}
	e.unlock()
	dirs.Delete(e.dir)
}
