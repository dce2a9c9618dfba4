package bench_test

import (
	"context"
	"fmt"
	"os/exec"
	"testing"

	"github.com/seed-fe72f376/orchard/osproc"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// BenchmarkOSProcTrue: one op starts the command `true` and waits for its
// end. orchard: a temporary child of a supervisor (osproc.Child), started
// with supervisor.StartChild, its Exited message awaited by an owner
// process; the command's process, its waiter and its two output readers
// are made and joined each time. orchard-unsupervised: osproc.Start
// without a supervisor. rawgo: exec.Command("true").Run(). Reports
// starts/s; read the ratio of the sides from one run.
func BenchmarkOSProcTrue(b *testing.B) {
	truePath, err := exec.LookPath("true")
	if err != nil {
		b.Skipf("osproc: no true command: %v", err)
	}
	family(b, func(b *testing.B) { osprocOrchard(b, truePath, true) }, func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command(truePath).Run(); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b, "starts/s")
	}, side{"orchard-unsupervised", func(b *testing.B) { osprocOrchard(b, truePath, false) }})
}

func osprocOrchard(b *testing.B, truePath string, supervised bool) {
	n := newNode(b)
	exited := make(chan error, 1)
	owner, err := n.Spawn(func(p *process.Proc) error {
		for {
			m, err := p.Receive(p.Context())
			if err != nil {
				return nil
			}
			if e, ok := m.(osproc.Exited); ok {
				exited <- e.Reason
			}
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	cmd := osproc.Command{Path: truePath, Owner: owner}
	var sup process.PID
	if supervised {
		if sup, err = supervisor.Start(n, supervisor.Spec{}); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if supervised {
			i++
			spec := osproc.Child(fmt.Sprint("true-", i), cmd).WithRestart(supervisor.Temporary)
			if _, err := supervisor.StartChild(ctx, sup, spec); err != nil {
				b.Fatal(err)
			}
		} else if _, err := osproc.Start(n, cmd); err != nil {
			b.Fatal(err)
		}
		if reason := <-exited; reason != process.Normal {
			b.Fatalf("true ended with %v", reason)
		}
	}
	perSecond(b, "starts/s")
}
