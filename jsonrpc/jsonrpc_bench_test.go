package jsonrpc_test

import (
	"bufio"
	"context"
	"net"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/jsonrpc"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/transport"
)

// plainServer is the baseline: a goroutine-per-connection server doing the
// same work as Orchard's (frames, decode, dispatch, encode), with no
// supervision. The bare go statements are the point of the comparison.
func plainServer(b *testing.B, srv *jsonrpc.Server) (addr string, stop func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, nc)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer nc.Close()
				br := bufio.NewReaderSize(nc, 4096)
				for {
					line, err := br.ReadSlice('\n')
					if err != nil {
						return
					}
					out := srv.HandleMessage(context.Background(), line)
					if out != nil {
						if _, err := nc.Write(append(out, '\n')); err != nil {
							return
						}
					}
				}
			}()
		}
	}()
	return ln.Addr().String(), func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	}
}

func echoServer() *jsonrpc.Server {
	srv := jsonrpc.NewServer(nil, nil)
	_ = srv.Handle("echo", jsonrpc.Method{Inline: true, Handler: func(_ context.Context, r *jsonrpc.Request) (any, error) {
		return r.Params, nil
	}})
	return srv
}

// benchClients runs b.N echo calls spread over `clients` connections and
// reports requests/s and the p99 latency.
func benchClients(b *testing.B, addr string, clients int) {
	conns := make([]net.Conn, clients)
	for i := range conns {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		defer nc.Close()
		conns[i] = nc
	}
	per := b.N/clients + 1
	lat := make([][]time.Duration, clients)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for i, nc := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			br := bufio.NewReader(nc)
			req := []byte(`{"jsonrpc":"2.0","id":1,"method":"echo","params":["hello"]}` + "\n")
			l := make([]time.Duration, 0, per)
			for range per {
				t0 := time.Now()
				if _, err := nc.Write(req); err != nil {
					b.Error(err)
					return
				}
				if _, err := br.ReadSlice('\n'); err != nil {
					b.Error(err)
					return
				}
				l = append(l, time.Since(t0))
			}
			lat[i] = l
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
	}
}

// BenchmarkEchoTCP compares Orchard's supervised server (a process per
// connection, inline handler) with the plain goroutine-per-connection
// server, 64 clients each.
func BenchmarkEchoTCP(b *testing.B) {
	const clients = 64
	b.Run("server=orchard/clients=64", func(b *testing.B) {
		node := otptest.NewNode(b)
		srv := echoServer()
		l, err := transport.Listen(node, transport.Config{Addr: "127.0.0.1:0", Handler: srv.ServeConn})
		if err != nil {
			b.Fatal(err)
		}
		defer l.Stop(10 * time.Second)
		benchClients(b, l.Addr().String(), clients)
	})
	b.Run("server=plain/clients=64", func(b *testing.B) {
		addr, stop := plainServer(b, echoServer())
		defer stop()
		benchClients(b, addr, clients)
	})
}

// BenchmarkIdleConnection reports the server-side memory of an idle
// connection: Orchard's (owner process + reader process) against the plain
// server's goroutine. b.N is ignored beyond 1; 500 connections are held.
func BenchmarkIdleConnection(b *testing.B) {
	const n = 500
	measure := func(b *testing.B, addr string, live func() int) {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		g0 := runtime.NumGoroutine()
		conns := make([]net.Conn, 0, n)
		for range n {
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, nc)
		}
		deadline := time.Now().Add(30 * time.Second)
		for live() < n && time.Now().Before(deadline) {
			runtime.Gosched()
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc+after.StackInuse-before.StackInuse)/n, "B/conn")
		b.ReportMetric(float64(runtime.NumGoroutine()-g0)/n, "goroutines/conn")
		for _, c := range conns {
			_ = c.Close()
		}
	}
	b.Run("server=orchard", func(b *testing.B) {
		node := otptest.NewNode(b)
		l, err := transport.Listen(node, transport.Config{Addr: "127.0.0.1:0", Handler: echoServer().ServeConn})
		if err != nil {
			b.Fatal(err)
		}
		defer l.Stop(10 * time.Second)
		measure(b, l.Addr().String(), func() int {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			c, _ := l.Connections(ctx)
			return c
		})
	})
	b.Run("server=plain", func(b *testing.B) {
		base := runtime.NumGoroutine()
		addr, stop := plainServer(b, echoServer())
		defer stop()
		measure(b, addr, func() int { return runtime.NumGoroutine() - base - 1 })
	})
}
