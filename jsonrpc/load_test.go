package jsonrpc_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/transport"
)

// idleConns is how many idle connections TestIdleConnectionsMemory holds;
// the default keeps CI short, -jsonrpc.idle=10000 is the figure.
var idleConns = flag.Int("jsonrpc.idle", 1000, "idle connections held by TestIdleConnectionsMemory")

// fdRoom reports whether the process may open n more descriptors.
func fdRoom(t *testing.T, n int) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && lim.Cur < uint64(n+256) {
		t.Skipf("descriptor limit %d is below the %d this test needs (ulimit -n)", lim.Cur, n+256)
	}
}

func listenFixture(t *testing.T, f *fixture, cfg transport.Config) *transport.Listener {
	t.Helper()
	cfg.Addr, cfg.Handler = "127.0.0.1:0", f.srv.ServeConn
	l, err := transport.Listen(f.node, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Stop(10 * time.Second) })
	return l
}

func liveConns(t *testing.T, l *transport.Listener) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := l.Connections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestThousandConcurrentConnections opens 1,000 connections that each
// issue calls at once (a task per call), checks every reply, and checks
// that every connection process ends when the clients leave.
func TestThousandConcurrentConnections(t *testing.T) {
	const conns, calls = 1000, 3
	fdRoom(t, 2*conns)
	f := newFixture(t)
	l := listenFixture(t, f, transport.Config{})
	errc := make(chan error, conns)
	release := make(chan struct{})
	for i := range conns {
		go func() {
			nc, err := net.DialTimeout("tcp", l.Addr().String(), 10*time.Second)
			if err != nil {
				errc <- err
				return
			}
			defer nc.Close()
			<-release
			_ = nc.SetDeadline(time.Now().Add(60 * time.Second))
			br := bufio.NewReader(nc)
			for c := range calls {
				fmt.Fprintf(nc, `{"jsonrpc":"2.0","id":%d,"method":"add","params":[%d,%d]}`+"\n", c, i, c)
				line, err := br.ReadString('\n')
				if want := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"result":%d}`+"\n", c, i+c); err != nil || line != want {
					errc <- fmt.Errorf("conn %d call %d: %q, %v; want %q", i, c, line, err, want)
					return
				}
			}
			errc <- nil
		}()
	}
	otptest.Eventually(t, 60*time.Second, func() bool { return liveConns(t, l) == conns }, "not all connections up")
	close(release)
	for range conns {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	otptest.Eventually(t, 60*time.Second, func() bool { return liveConns(t, l) == 0 }, "connection processes left")
}

// TestIdleConnectionsMemory holds -jsonrpc.idle idle connections (1,000 by
// default) and reports the memory and goroutines each costs on the server.
func TestIdleConnectionsMemory(t *testing.T) {
	n := *idleConns
	fdRoom(t, 2*n)
	f := newFixture(t)
	l := listenFixture(t, f, transport.Config{})
	before := heapAndGoroutines()
	clients := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range clients {
			_ = c.Close()
		}
	}()
	for range n {
		nc, err := net.DialTimeout("tcp", l.Addr().String(), 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, nc)
	}
	otptest.Eventually(t, 120*time.Second, func() bool { return liveConns(t, l) == n }, "not all connections up")
	after := heapAndGoroutines()
	t.Logf("%d idle connections: %.0f bytes of heap and %.2f goroutines per connection (client and server side both in this process)",
		n, float64(after.heap-before.heap)/float64(n), float64(after.goroutines-before.goroutines)/float64(n))
	for _, c := range clients {
		_ = c.Close()
	}
	clients = nil
	otptest.Eventually(t, 120*time.Second, func() bool { return liveConns(t, l) == 0 }, "connection processes left")
}

type memPoint struct {
	heap       int64
	goroutines int
}

func heapAndGoroutines() memPoint {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memPoint{heap: int64(ms.HeapAlloc), goroutines: runtime.NumGoroutine()}
}
