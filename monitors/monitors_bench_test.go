package monitors_test

import (
	"context"
	"testing"

	"github.com/seed-fe72f376/orchard/monitors"
	"github.com/seed-fe72f376/orchard/process"
)

// BenchmarkMonitorManager measures Monitor+Demonitor pairs from
// GOMAXPROCS goroutines. With distinct pairs each goroutine has its own
// caller and target; with shared target they all watch one process.
func BenchmarkMonitorManager(b *testing.B) {
	b.Run("pairs=distinct", func(b *testing.B) { benchPairs(b, false) })
	b.Run("pairs=shared-target", func(b *testing.B) { benchPairs(b, true) })
}

func benchPairs(b *testing.B, sharedTarget bool) {
	node, err := process.NewNode()
	if err != nil {
		b.Fatal(err)
	}
	defer node.Stop(context.Background())
	m, err := monitors.New(node)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	shared := benchIdle(b, node)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		caller, target := benchIdle(b, node), benchIdle(b, node)
		if sharedTarget {
			target = shared
		}
		for pb.Next() {
			ref, err := m.Monitor(caller, target, "bench")
			if err != nil {
				b.Error(err)
				return
			}
			if err := m.Demonitor(ref); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}

func benchIdle(b *testing.B, node *process.Node) process.PID {
	pid, err := node.Spawn(func(p *process.Proc) error {
		<-p.Done()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return pid
}
