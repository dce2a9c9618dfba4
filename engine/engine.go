package engine

import (
	"log/slog"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
	"github.com/seed-fe72f376/orchard/process"
)

// Config says where a node's engine keeps its data: an embedded
// nats-server with JetStream on the data directory Dir (in process, no
// network listener), or an external NATS server with JetStream at URL.
// Exactly one of Dir and URL is set; every other zero value means the
// documented default.
type Config struct {
	// Dir is the embedded server's data directory, created if missing.
	// Only one engine may run on a directory at a time, in this OS
	// process or (on Unix) another.
	Dir string
	// URL is an external server's client URL ("nats://host:4222"),
	// used instead of an embedded server.
	URL string
	// SyncAlways makes the embedded server fsync every write before
	// acknowledging it. Default false: writes reach the OS at once and
	// are fsynced every SyncInterval (see package deadletter's
	// Durability section).
	SyncAlways bool
	// SyncInterval is the fsync period without SyncAlways; zero means
	// nats-server's default (two minutes).
	SyncInterval time.Duration
	// ReadyTimeout bounds the wait for the engine to accept work (the
	// embedded server's start, the external server's connection and
	// JetStream); zero means ten seconds.
	ReadyTimeout time.Duration
	// Logger receives the embedded server's log lines; nil keeps it
	// quiet.
	Logger *slog.Logger
}

// Configure sets, once per node, where node's engine keeps its data. It
// starts nothing: the engine starts when the first durable service on the
// node needs it. Configuring a node again with the same Config does
// nothing; with another one, or after the engine started, it fails with
// [ErrConfigured]. A nil node, neither or both of Dir and URL, or a
// negative duration is an error matching [ErrInvalidArgument]; a stopped
// node is [process.ErrNodeStopped], and nothing is configured.
func Configure(node *process.Node, cfg Config) error {
	const op = "engine: Configure"
	switch {
	case node == nil:
		return argerr.Nil(op, "node")
	case node.Stopped():
		return process.ErrNodeStopped
	}
	// natsengine validates the rest (Dir or URL, durations) with the
	// same ArgumentErrors.
	return natsengine.Configure(node, natsengine.NodeConfig{
		Dir: cfg.Dir, URL: cfg.URL, SyncAlways: cfg.SyncAlways, SyncInterval: cfg.SyncInterval,
		ReadyTimeout: cfg.ReadyTimeout, Logger: cfg.Logger,
	})
}
