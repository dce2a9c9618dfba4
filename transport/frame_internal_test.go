package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// FuzzReadFrame checks the framing against a simple model on any input and
// any frame limit: the frames read are the input's non-empty lines (line
// ends stripped) in order, each line over the limit is one ErrFrameTooLarge
// and the next line is still read, and the stream ends with io.EOF, or
// io.ErrUnexpectedEOF when it stops inside a line.
func FuzzReadFrame(f *testing.F) {
	f.Add([]byte("a\nbb\r\n\nccc\n"), 2)
	f.Add([]byte("partial"), 10)
	f.Add(bytes.Repeat([]byte("x"), 5000), 4096)
	f.Add([]byte("\n\n\r\n"), 1)
	f.Fuzz(func(t *testing.T, data []byte, limit int) {
		if limit <= 0 || limit > 1<<16 || len(data) > 1<<16 {
			t.Skip()
		}
		srv, cli := net.Pipe()
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = cli.Write(data)
			_ = cli.Close()
		}()
		defer func() { _ = srv.Close(); <-done }()
		cfg := Config{MaxMessageSize: limit, IdleTimeout: 5 * time.Second, ReadTimeout: 5 * time.Second}.withDefaults()
		c := newConn(1, srv, &cfg, context.Background())
		defer c.drain()

		lines := bytes.Split(data, []byte("\n"))
		last := lines[len(lines)-1]
		lines = lines[:len(lines)-1]
		for _, line := range lines {
			line = bytes.TrimSuffix(line, []byte("\r"))
			if len(line) == 0 {
				continue
			}
			got, err := c.ReadFrame()
			if len(line) > limit {
				if !errors.Is(err, ErrFrameTooLarge) {
					t.Fatalf("line of %d > %d: got %q, %v; want ErrFrameTooLarge", len(line), limit, got, err)
				}
				continue
			}
			if err != nil || !bytes.Equal(got, line) {
				t.Fatalf("ReadFrame = %q, %v; want %q", got, err, line)
			}
		}
		_, err := c.ReadFrame()
		want := io.EOF
		if len(last) > 0 {
			want = io.ErrUnexpectedEOF
		}
		if !errors.Is(err, want) {
			t.Fatalf("end: %v; want %v", err, want)
		}
	})
}
