package genserver_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

// echo replies with its request and counts casts.
type echo struct{ casts int }

func (*echo) Init(*genserver.Self) error { return nil }

func (*echo) HandleCall(_ *genserver.Self, _ genserver.From, req any) (any, error) {
	return req, nil
}

func (e *echo) HandleCast(_ *genserver.Self, _ any) error {
	e.casts++
	return nil
}

// benchNode returns a node stopped when the benchmark ends.
func benchNode(b *testing.B) *process.Node {
	b.Helper()
	node, err := process.NewNode()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := node.Stop(context.Background()); err != nil {
			b.Errorf("node.Stop = %v", err)
		}
	})
	return node
}

// benchServer starts an echo server on a fresh node.
func benchServer(b *testing.B) (*process.Node, process.PID) {
	b.Helper()
	node := benchNode(b)
	pid, err := genserver.Start(node, &echo{})
	if err != nil {
		b.Fatal(err)
	}
	return node, pid
}

func BenchmarkCall(b *testing.B) {
	ctx := context.Background()
	deadlineCtx, cancel := context.WithTimeout(ctx, time.Hour)
	defer cancel()
	for _, bc := range []struct {
		name string
		ctx  context.Context
		opts []genserver.CallOption
	}{
		{"timeout=default", ctx, nil},
		{"timeout=infinity", ctx, []genserver.CallOption{genserver.WithTimeout(genserver.Infinity)}},
		{"timeout=option", ctx, []genserver.CallOption{genserver.WithTimeout(time.Minute)}},
		{"timeout=ctx", deadlineCtx, nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			_, pid := benchServer(b)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := genserver.Call[int](bc.ctx, pid, 1, bc.opts...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("caller=process", func(b *testing.B) {
		node, pid := benchServer(b)
		b.ReportAllocs()
		done := make(chan error, 1)
		b.ResetTimer()
		_, err := node.Spawn(func(p *process.Proc) error {
			ctx := p.Context()
			for range b.N {
				if _, err := genserver.Call[int](ctx, pid, 1); err != nil {
					done <- err
					return err
				}
			}
			done <- nil
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	})
	for _, callers := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("callers=%d", callers), func(b *testing.B) {
			_, pid := benchServer(b)
			b.ReportAllocs()
			b.SetParallelism(callers)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := genserver.Call[int](ctx, pid, 1); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

func BenchmarkCast(b *testing.B) {
	b.Run("sync=end", func(b *testing.B) {
		_, pid := benchServer(b)
		b.ReportAllocs()
		for b.Loop() {
			if err := genserver.Cast(pid, 1); err != nil {
				b.Fatal(err)
			}
		}
		// Wait for the casts to be handled, so the time covers them.
		if _, err := genserver.Call[int](context.Background(), pid, 0); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("dest=name", func(b *testing.B) {
		node := benchNode(b)
		if _, err := genserver.Start(node, &echo{}, genserver.WithName("echo")); err != nil {
			b.Fatal(err)
		}
		dest := node.Name("echo")
		b.ReportAllocs()
		for b.Loop() {
			if err := genserver.Cast(dest, 1); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := genserver.Call[int](context.Background(), dest, 0); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkStart measures a server's whole life: Start (spawn + Init +
// ack) and its end.
func BenchmarkStart(b *testing.B) {
	b.Run("end=kill", func(b *testing.B) {
		node := benchNode(b)
		b.ReportAllocs()
		for b.Loop() {
			pid, err := genserver.Start(node, &echo{})
			if err != nil {
				b.Fatal(err)
			}
			_ = node.Exit(pid, process.Kill)
		}
	})
	b.Run("end=stop", func(b *testing.B) {
		node := benchNode(b)
		b.ReportAllocs()
		for b.Loop() {
			pid, err := genserver.Start(node, &echo{})
			if err != nil {
				b.Fatal(err)
			}
			if err := genserver.Stop(pid, process.Normal, time.Second); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("name=registered", func(b *testing.B) {
		node := benchNode(b)
		b.ReportAllocs()
		for b.Loop() {
			pid, err := genserver.Start(node, &echo{}, genserver.WithName("bench"))
			if err != nil {
				b.Fatal(err)
			}
			// Exit returns after the name is released; Stop returns at
			// the death, which may be just before.
			_ = node.Exit(pid, process.Kill)
		}
	})
}
