package transport_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/ratelimit"
	"github.com/seed-fe72f376/orchard/transport"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// echo replies to each frame with the frame, and to a recoverable error with
// "error: <err>".
func echo(_ context.Context, c *transport.Conn) error {
	for {
		frame, err := c.ReadFrame()
		switch {
		case errors.Is(err, transport.ErrFrameTooLarge), errors.Is(err, transport.ErrRateLimited):
			if err := c.WriteFrame([]byte("error: " + err.Error())); err != nil {
				return err
			}
			continue
		case err != nil:
			return err
		}
		if err := c.WriteFrame(frame); err != nil {
			return err
		}
	}
}

func listen(t *testing.T, cfg transport.Config) (*process.Node, *transport.Listener) {
	t.Helper()
	node := otptest.NewNode(t)
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Handler == nil {
		cfg.Handler = echo
	}
	l, err := transport.Listen(node, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Stop(5 * time.Second) })
	return node, l
}

type client struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

func dial(t *testing.T, l *transport.Listener) *client {
	t.Helper()
	nc, err := net.DialTimeout("tcp", l.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	return &client{t: t, nc: nc, br: bufio.NewReader(nc)}
}

func (c *client) send(s string) {
	c.t.Helper()
	_ = c.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c.nc, s); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// line reads one line, waiting at most d.
func (c *client) line(d time.Duration) (string, error) {
	_ = c.nc.SetReadDeadline(time.Now().Add(d))
	s, err := c.br.ReadString('\n')
	return strings.TrimSuffix(s, "\n"), err
}

func (c *client) expect(want string) {
	c.t.Helper()
	got, err := c.line(5 * time.Second)
	if err != nil || got != want {
		c.t.Fatalf("read = %q, %v; want %q", got, err, want)
	}
}

// expectClosed waits up to d for the server to close the connection.
func (c *client) expectClosed(d time.Duration) {
	c.t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(d))
	if _, err := io.Copy(io.Discard, c.br); err != nil {
		c.t.Fatalf("connection not closed by the server within %v: %v", d, err)
	}
}

func connections(t *testing.T, l *transport.Listener) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := l.Connections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEchoFramesAndSplitWrites(t *testing.T) {
	_, l := listen(t, transport.Config{})
	c := dial(t, l)
	c.send("hello\r\n\nworld\n")
	c.expect("hello")
	c.expect("world")
	c.send("split ")
	c.send("frame\n")
	c.expect("split frame")
	if n := connections(t, l); n != 1 {
		t.Fatalf("Connections = %d; want 1", n)
	}
	_ = c.nc.Close()
	otptest.Eventually(t, 5*time.Second, func() bool { return connections(t, l) == 0 }, "connection process did not end")
}

func TestOversizedFrameIsDroppedAndConnectionGoesOn(t *testing.T) {
	_, l := listen(t, transport.Config{MaxMessageSize: 16})
	c := dial(t, l)
	c.send(strings.Repeat("x", 100) + "\nok\n")
	c.expect("error: " + transport.ErrFrameTooLarge.Error())
	c.expect("ok")
}

func TestMaxConnectionsRefusedPromptly(t *testing.T) {
	_, l := listen(t, transport.Config{
		MaxConnections: 2,
		Refuse:         func(w io.Writer) { _, _ = io.WriteString(w, "busy\n") },
	})
	a, b := dial(t, l), dial(t, l)
	a.send("a\n")
	a.expect("a")
	b.send("b\n")
	b.expect("b")
	start := time.Now()
	for range 5 {
		c := dial(t, l)
		c.expect("busy")
		c.expectClosed(2 * time.Second)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("refusing 5 connections took %v", d)
	}
	if n := connections(t, l); n != 2 {
		t.Fatalf("Connections = %d; want 2", n)
	}
	_ = a.nc.Close()
	otptest.Eventually(t, 5*time.Second, func() bool { return connections(t, l) == 1 })
	c := dial(t, l)
	c.send("c\n")
	c.expect("c")
}

func TestIdleAndSlowlorisClosedAtDeadline(t *testing.T) {
	_, l := listen(t, transport.Config{IdleTimeout: 200 * time.Millisecond, ReadTimeout: 200 * time.Millisecond})
	idle := dial(t, l)
	slow := dial(t, l)
	slow.send("a partial frame that never ends")
	start := time.Now()
	idle.expectClosed(5 * time.Second)
	slow.expectClosed(5 * time.Second)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("closed after %v; before the deadline", d)
	}
	otptest.Eventually(t, 5*time.Second, func() bool { return connections(t, l) == 0 })
}

func TestKilledConnectionClosesSocket(t *testing.T) {
	node, l := listen(t, transport.Config{})
	c := dial(t, l)
	c.send("x\n")
	c.expect("x")
	var conn process.PID
	for _, pid := range node.Processes() {
		if info, err := node.Info(pid); err == nil && info.Behaviour == "transport.conn" {
			conn = pid
		}
	}
	if conn == (process.PID{}) {
		t.Fatal("no transport.conn process")
	}
	if err := node.Exit(conn, process.Kill); err != nil {
		t.Fatal(err)
	}
	c.expectClosed(5 * time.Second)
}

func TestDrainLetsInFlightWorkFinish(t *testing.T) {
	release := make(chan struct{})
	got := make(chan struct{})
	_, l := listen(t, transport.Config{
		ShutdownTimeout: 5 * time.Second,
		Handler: func(ctx context.Context, c *transport.Conn) error {
			frame, err := c.ReadFrame()
			if err != nil {
				return err
			}
			close(got)
			<-release // in-flight work
			if err := c.WriteFrame(append([]byte("done "), frame...)); err != nil {
				return err
			}
			_, err = c.ReadFrame()
			if !errors.Is(err, transport.ErrDraining) {
				return fmt.Errorf("second read: %v; want ErrDraining", err)
			}
			return c.WriteFrame([]byte("drained"))
		},
	})
	c := dial(t, l)
	c.send("job\n")
	<-got
	stopped := make(chan error, 1)
	go func() { stopped <- l.Stop(10 * time.Second) }()
	otptest.Eventually(t, 5*time.Second, func() bool {
		nc, err := net.DialTimeout("tcp", l.Addr().String(), time.Second)
		if err == nil {
			_ = nc.Close()
		}
		return err != nil // the listener closed first
	}, "listener still accepting")
	close(release)
	c.expect("done job")
	c.expect("drained")
	c.expectClosed(5 * time.Second)
	if err := <-stopped; err != nil {
		t.Fatalf("Stop = %v", err)
	}
	if err := l.Stop(time.Second); !errors.Is(err, transport.ErrStopped) {
		t.Fatalf("second Stop = %v; want ErrStopped", err)
	}
}

func TestRateLimitPerConnection(t *testing.T) {
	node := otptest.NewNode(t)
	lim, err := ratelimit.New(ratelimit.Limit{Rate: rate.Every(time.Hour), Burst: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lim.Start(node); err != nil {
		t.Fatal(err)
	}
	l, err := transport.Listen(node, transport.Config{Addr: "127.0.0.1:0", Handler: echo, RateLimit: lim})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Stop(5 * time.Second) })
	c := dial(t, l)
	c.send("1\n2\n3\n")
	c.expect("1")
	c.expect("2")
	c.expect("error: " + transport.ErrRateLimited.Error())
	other := dial(t, l) // its own bucket
	other.send("x\n")
	other.expect("x")
}

func TestTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	_, l := listen(t, transport.Config{TLS: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}})
	nc, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", l.Addr().String(),
		&tls.Config{RootCAs: pool, ServerName: "localhost", MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	c := &client{t: t, nc: nc, br: bufio.NewReader(nc)}
	c.send("secret\n")
	c.expect("secret")
}

func TestHandlerPanicEndsOnlyItsConnection(t *testing.T) {
	_, l := listen(t, transport.Config{Handler: func(ctx context.Context, c *transport.Conn) error {
		frame, err := c.ReadFrame()
		if err != nil {
			return err
		}
		if string(frame) == "panic" {
			panic("boom")
		}
		if err := c.WriteFrame(frame); err != nil {
			return err
		}
		return echo(ctx, c)
	}})
	good, bad := dial(t, l), dial(t, l)
	good.send("hi\n")
	bad.send("panic\n")
	bad.expectClosed(5 * time.Second)
	good.expect("hi")
	good.send("still\n")
	good.expect("still")
}
