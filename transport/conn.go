package transport

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"time"
)

// Conn is one accepted connection as its [Handler] sees it: frames in, frames
// out, with the listener's limits applied. ReadFrame must be called from one
// goroutine at a time; WriteFrame and Write are safe for concurrent use.
type Conn struct {
	id  uint64
	key string // rate-limit key
	nc  net.Conn
	br  *bufio.Reader
	cfg *Config

	drainCtx context.Context
	drain    context.CancelFunc

	wmu sync.Mutex // serialises writes
}

func newConn(id uint64, nc net.Conn, cfg *Config, listenerDrain context.Context) *Conn {
	c := &Conn{
		id:  id,
		key: "conn-" + strconv.FormatUint(id, 10),
		nc:  nc,
		br:  bufio.NewReaderSize(nc, 4096),
		cfg: cfg,
	}
	c.drainCtx, c.drain = context.WithCancel(listenerDrain)
	// Draining unblocks a waiting read; the deadline is set after the
	// context is marked done, and ReadFrame checks the mark after setting
	// its own deadline, so no read outlives the drain.
	context.AfterFunc(c.drainCtx, func() { _ = nc.SetReadDeadline(time.Unix(1, 0)) })
	return c
}

// ID returns the connection's number, unique within its listener.
func (c *Conn) ID() uint64 { return c.id }

// RemoteAddr returns the client's address.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// Draining returns a channel closed when the connection is asked to finish:
// from then on ReadFrame returns ErrDraining, writes still work.
func (c *Conn) Draining() <-chan struct{} { return c.drainCtx.Done() }

// Close closes the socket now. The connection's process ends when its
// handler returns.
func (c *Conn) Close() error { return c.nc.Close() }

// ReadFrame reads the next newline-delimited frame, without its line end;
// empty lines are skipped. The returned slice is valid until the next call.
// It waits at most IdleTimeout for a frame to start and ReadTimeout for it
// to end. It returns io.EOF at a clean end of stream, io.ErrUnexpectedEOF
// inside a frame, [ErrIdleTimeout], [ErrReadTimeout], [ErrDraining], or the
// recoverable [ErrFrameTooLarge] and [ErrRateLimited] (the frame was
// dropped; the next call reads the next one).
func (c *Conn) ReadFrame() ([]byte, error) {
	for {
		frame, err := c.readLine()
		if err != nil {
			return nil, err
		}
		if len(frame) == 0 {
			continue
		}
		if c.cfg.RateLimit != nil && !c.cfg.RateLimit.Allow(c.key) {
			return nil, ErrRateLimited
		}
		return frame, nil
	}
}

func (c *Conn) readLine() ([]byte, error) {
	if c.drainCtx.Err() != nil {
		return nil, ErrDraining
	}
	_ = c.nc.SetReadDeadline(deadline(c.cfg.IdleTimeout))
	if c.drainCtx.Err() != nil {
		return nil, ErrDraining
	}
	if _, err := c.br.Peek(1); err != nil {
		return nil, c.readErr(err, ErrIdleTimeout, false)
	}
	_ = c.nc.SetReadDeadline(deadline(c.cfg.ReadTimeout))
	var buf []byte
	tooLarge := false
	for {
		chunk, err := c.br.ReadSlice('\n')
		if !tooLarge {
			if len(buf)+len(chunk) > c.cfg.MaxMessageSize+2 {
				tooLarge, buf = true, nil
			} else if err == nil && buf == nil {
				return c.limit(trimEOL(chunk)) // the common case: no copy
			} else {
				buf = append(buf, chunk...)
			}
		}
		switch {
		case err == nil && tooLarge:
			return nil, ErrFrameTooLarge
		case err == nil:
			return c.limit(trimEOL(buf))
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return nil, c.readErr(err, ErrReadTimeout, true)
		}
	}
}

func (c *Conn) readErr(err, timeout error, inFrame bool) error {
	switch {
	case c.drainCtx.Err() != nil:
		return ErrDraining
	case errors.Is(err, os.ErrDeadlineExceeded):
		return timeout
	case errors.Is(err, io.EOF) && inFrame:
		return io.ErrUnexpectedEOF
	}
	return err
}

func (c *Conn) limit(frame []byte) ([]byte, error) {
	if len(frame) > c.cfg.MaxMessageSize {
		return nil, ErrFrameTooLarge
	}
	return frame, nil
}

func trimEOL(b []byte) []byte {
	b = b[:len(b)-1]
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

// WriteFrame writes b followed by a newline, as one write bounded by
// WriteTimeout. It is safe for concurrent use; frames never interleave.
func (c *Conn) WriteFrame(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.nc.SetWriteDeadline(deadline(c.cfg.WriteTimeout))
	if len(b) > 0 && b[len(b)-1] == '\n' {
		_, err := c.nc.Write(b)
		return err
	}
	// One write keeps the frame atomic on the wire for the reader.
	buf := make([]byte, 0, len(b)+1)
	buf = append(append(buf, b...), '\n')
	_, err := c.nc.Write(buf)
	return err
}

// quietClose reports whether err ends a connection without it being a
// failure worth a crash report.
func quietClose(err error) bool {
	return err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, ErrIdleTimeout) || errors.Is(err, ErrReadTimeout) ||
		errors.Is(err, ErrDraining) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, context.Canceled)
}
