package natsengine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/process"
)

var (
	// ErrNotConfigured is returned by [ForNode] for a node whose engine
	// was never configured ([Configure]: a data directory or a URL).
	ErrNotConfigured = errors.New("natsengine: the node has no engine configured (a data directory or a server URL)")
	// ErrConfigured is returned by [Configure] for a node configured
	// differently before, or whose engine already runs.
	ErrConfigured = errors.New("natsengine: the node's engine is configured already")
)

// NodeConfig says where a node's one engine keeps its data: an embedded
// server on Dir, or an external server at URL; exactly one of the two.
// The other fields apply to an embedded server (ReadyTimeout to both).
type NodeConfig struct {
	Dir          string
	URL          string
	SyncAlways   bool
	SyncInterval time.Duration
	ReadyTimeout time.Duration
	Logger       *slog.Logger // the embedded server's log; nil: quiet
	// ServerName names the embedded server (default "orchard"); a
	// clustered server needs one unique in its cluster.
	ServerName string
	// Cluster joins the embedded server to other nodes' (package
	// cluster); nil: alone.
	Cluster *Cluster
	// Auth authenticates the connection to the external server at URL.
	Auth *ClientAuth
}

func (c NodeConfig) validate() error {
	// Reported as engine.Configure's bad input (the public entry point);
	// ErrInvalidConfig still matches.
	const op = "engine: Configure"
	switch {
	case c.Dir == "" && c.URL == "":
		return argerr.Also(ErrInvalidConfig, op, "cfg", "sets neither Dir nor URL")
	case c.Dir != "" && c.URL != "":
		return argerr.Also(ErrInvalidConfig, op, "cfg", "sets both Dir and URL")
	case c.SyncInterval < 0:
		return argerr.Also(ErrInvalidConfig, op, "cfg.SyncInterval", "is negative")
	case c.ReadyTimeout < 0:
		return argerr.Also(ErrInvalidConfig, op, "cfg.ReadyTimeout", "is negative")
	}
	return nil
}

// nodeKey is the nodeenv resource key of a node's engine.
type nodeKey struct{}

// nodeEngine is a node's engine slot, a nodeenv resource: its
// configuration and, once started, the engine.
type nodeEngine struct {
	mu     sync.Mutex // protects the fields below; held while the engine starts
	cfg    *NodeConfig
	eng    *Engine
	closed bool
}

// Close shuts the node's engine down, if it started; later ForNode calls
// fail.
func (h *nodeEngine) Close(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	if h.eng == nil {
		return nil
	}
	return h.eng.Shutdown(ctx)
}

func slotOf(n *process.Node) (*nodeEngine, error) {
	r, err := nodeenv.Open(n, nodeKey{}, func() (nodeenv.Resource, error) { return &nodeEngine{}, nil })
	if err != nil {
		return nil, fmt.Errorf("natsengine: %w", err)
	}
	return r.(*nodeEngine), nil
}

// Configure sets how node's engine starts. It starts nothing: the
// engine starts on the first [ForNode]. Configuring again with the same
// configuration does nothing; with another one it fails with
// [ErrConfigured], and so does any configuration after the engine
// started. A bad configuration matches [ErrInvalidConfig].
func Configure(node *process.Node, cfg NodeConfig) error {
	if node == nil {
		return fmt.Errorf("%w: nil node", ErrInvalidConfig)
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	h, err := slotOf(node)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cfg != nil {
		if *h.cfg == cfg {
			return nil
		}
		return ErrConfigured
	}
	h.cfg = &cfg
	return nil
}

// ForNode returns node's one engine, starting it on first need (an
// embedded server on the configured directory, or a connection to the
// configured URL); every later call, from any service, gets the same
// engine. The engine belongs to the node: it is closed with the node's
// resources (nodeenv.Close, which app.Stop calls after every part
// stopped, and process.Node.Stop once every process is gone), never by
// its users. It fails with [ErrNotConfigured] before
// [Configure], with nodeenv.ErrClosed once the node's resources are
// closed, and with Start's or Connect's error when the engine cannot
// start (a later call tries again).
func ForNode(ctx context.Context, node *process.Node) (*Engine, error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w: nil ctx", ErrInvalidConfig)
	}
	if node == nil {
		return nil, fmt.Errorf("%w: nil node", ErrInvalidConfig)
	}
	h, err := slotOf(node)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closed:
		return nil, fmt.Errorf("natsengine: %w", nodeenv.ErrClosed)
	case h.eng != nil:
		return h.eng, nil
	case h.cfg == nil:
		return nil, ErrNotConfigured
	}
	c := *h.cfg
	var e *Engine
	if c.URL != "" {
		e, err = connect(ctx, c.URL, c.ReadyTimeout, c.Auth)
	} else {
		e, err = Start(ctx, Config{Dir: c.Dir, SyncAlways: c.SyncAlways, SyncInterval: c.SyncInterval,
			ReadyTimeout: c.ReadyTimeout, Logger: c.Logger, ServerName: c.ServerName, Cluster: c.Cluster})
	}
	if err != nil {
		return nil, err
	}
	h.eng = e
	return e, nil
}
