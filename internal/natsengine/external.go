package natsengine

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Connect returns an Engine on an external NATS server at url, with
// JetStream enabled, instead of starting an embedded one: the same
// client side (Conn, JetStream) for the services, no data directory, no
// loss records (the external server keeps its own). It waits for the
// connection and for JetStream to answer, bounded by readyTimeout (zero:
// [DefaultReadyTimeout]) and ctx, and fails with an error matching
// [ErrNotReady] otherwise; nothing is left open then. Shutdown closes
// only the connection.
func Connect(ctx context.Context, url string, readyTimeout time.Duration) (*Engine, error) {
	return connect(ctx, url, readyTimeout, nil)
}

// connect is Connect with auth's credentials and TLS.
func connect(ctx context.Context, url string, readyTimeout time.Duration, auth *ClientAuth) (*Engine, error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w: nil ctx", ErrInvalidConfig)
	}
	if url == "" {
		return nil, fmt.Errorf("%w: empty URL", ErrInvalidConfig)
	}
	if readyTimeout < 0 {
		return nil, fmt.Errorf("%w: negative duration", ErrInvalidConfig)
	}
	if readyTimeout == 0 {
		readyTimeout = DefaultReadyTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	extra, err := auth.options()
	if err != nil {
		return nil, err
	}
	opts := append([]nats.Option{nats.Name("orchard"), nats.Timeout(readyTimeout), nats.MaxReconnects(-1)}, extra...)
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: connect %s: %w", ErrNotReady, url, err)
	}
	js, err := jetstream.New(nc)
	if err == nil {
		_, err = js.AccountInfo(ctx)
	}
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("%w: JetStream at %s: %w", ErrNotReady, url, err)
	}
	e := &Engine{url: url, nc: nc, js: js}
	return e, nil
}
