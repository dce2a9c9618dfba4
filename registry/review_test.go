package registry_test

import (
	"errors"
	"testing"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
)

// TestInvalidKey: a key that cannot be a map key is refused with a typed
// error and leaves the registry usable (it used to panic under a lock).
func TestInvalidKey(t *testing.T) {
	n := otptest.NewNode(t)
	r := newRegistry(t, n, registry.WithPartitions(1))
	pid := otptest.SpawnIdle(t, n)
	if err := r.Register(pid, []string{"not", "comparable"}, nil); !errors.Is(err, registry.ErrInvalidKey) {
		t.Fatalf("Register(slice key) = %v; want ErrInvalidKey", err)
	}
	r.Unregister(pid, map[string]int{})
	if err := r.Register(pid, "ok", nil); err != nil {
		t.Fatalf("Register after a bad key = %v; want nil", err)
	}
	kill(t, n, pid, process.Kill)
}

// TestGoneBeforeDown: a monitor's Down handler never finds the dead
// process still registered.
func TestGoneBeforeDown(t *testing.T) {
	n := otptest.NewNode(t)
	r := newRegistry(t, n)
	pid := otptest.SpawnIdle(t, n)
	if err := r.Register(pid, "svc", nil); err != nil {
		t.Fatal(err)
	}
	found := make(chan bool, 1)
	_, err := n.Spawn(func(p *process.Proc) error {
		if _, err := p.Monitor(pid); err != nil {
			return err
		}
		if _, err := p.Receive(p.Context()); err != nil {
			return err
		}
		_, ok := r.WhereIs("svc")
		found <- ok
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	otptest.Eventually(t, timeout, func() bool {
		info, err := n.Info(pid)
		return err == nil && len(info.MonitoredBy) == 1
	})
	kill(t, n, pid, process.Kill)
	if <-found {
		t.Fatal("WhereIs found the dead process when its Down arrived")
	}
}
