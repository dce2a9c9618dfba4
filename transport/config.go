package transport

import (
	"context"
	"crypto/tls"
	"io"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/ratelimit"
)

// Defaults applied to the zero fields of a [Config].
const (
	DefaultMaxMessageSize  = 4 << 20
	DefaultIdleTimeout     = 5 * time.Minute
	DefaultReadTimeout     = 30 * time.Second
	DefaultWriteTimeout    = 10 * time.Second
	DefaultShutdownTimeout = 5 * time.Second
	// refuseTimeout bounds the write of Config.Refuse to a refused socket, so
	// the acceptor never waits on a client it turns away.
	refuseTimeout = 500 * time.Millisecond
)

// Handler serves one connection. It runs in the connection's reader
// process; ctx is cancelled when the connection's process dies (the socket
// is closed then too). Returning ends the connection: nil, io.EOF and the
// package's timeout and draining errors close it quietly, any other error
// becomes the connection's exit reason.
type Handler func(ctx context.Context, c *Conn) error

// Config describes a listener. Write it as a literal; zero values are the
// documented defaults, and a negative duration means "no limit".
type Config struct {
	// Addr is the TCP address to listen on ("127.0.0.1:0" picks a port).
	// Required.
	Addr string
	// TLS, when set, serves TLS with this configuration.
	TLS *tls.Config
	// Handler serves each connection. Required.
	Handler Handler
	// MaxConnections caps the live connections (the connections
	// supervisor's MaxChildren); zero means no cap. A connection over the
	// cap is refused at once.
	MaxConnections int
	// Refuse, when set, writes a last word (such as a JSON-RPC error) to a
	// connection refused over MaxConnections before it is closed; the
	// write has a short deadline.
	Refuse func(w io.Writer)
	// IdleTimeout is how long a connection may send nothing between frames
	// (zero: DefaultIdleTimeout).
	IdleTimeout time.Duration
	// ReadTimeout is how long a frame may take to arrive once its first
	// byte has (zero: DefaultReadTimeout).
	ReadTimeout time.Duration
	// WriteTimeout bounds each write (zero: DefaultWriteTimeout).
	WriteTimeout time.Duration
	// MaxMessageSize is the longest frame in bytes (zero:
	// DefaultMaxMessageSize).
	MaxMessageSize int
	// RateLimit, when set, limits the frames of each connection (one bucket
	// per connection, keyed by its ID); frames over it get ErrRateLimited.
	// The caller starts the limiter (its janitor) under its own tree.
	RateLimit *ratelimit.Limiter
	// ShutdownTimeout is how long a draining connection may take to finish
	// its in-flight work before it is killed (zero: DefaultShutdownTimeout).
	ShutdownTimeout time.Duration
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.IdleTimeout, DefaultIdleTimeout)
	def(&c.ReadTimeout, DefaultReadTimeout)
	def(&c.WriteTimeout, DefaultWriteTimeout)
	def(&c.ShutdownTimeout, DefaultShutdownTimeout)
	if c.MaxMessageSize == 0 {
		c.MaxMessageSize = DefaultMaxMessageSize
	}
	return c
}

func (c Config) validate(op string) error {
	switch {
	case c.Addr == "":
		return argerr.Empty(op, "Config.Addr")
	case c.Handler == nil:
		return argerr.Nil(op, "Config.Handler")
	case c.MaxConnections < 0:
		return argerr.New(op, "Config.MaxConnections", "negative")
	case c.MaxMessageSize < 0:
		return argerr.New(op, "Config.MaxMessageSize", "negative")
	}
	return nil
}

// deadline returns the absolute deadline for d from now, or the zero time
// for a negative d (no limit).
func deadline(d time.Duration) time.Time {
	if d < 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}
