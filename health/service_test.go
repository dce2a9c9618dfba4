package health_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/health"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// idle is a process that waits for its context.
func idle(p *process.Proc) error {
	<-p.Context().Done()
	return nil
}

func TestServiceMonitorSeesDeathAndRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ev events
		node := otptest.NewNode(t)
		db, err := node.Spawn(idle, process.WithName("db"))
		if err != nil {
			t.Fatal(err)
		}
		worker, err := node.Spawn(idle)
		if err != nil {
			t.Fatal(err)
		}
		mon, err := health.StartServiceMonitor(node, health.ServiceConfig{Telemetry: ev.attach(t), Retry: time.Second, Services: []health.Service{
			{Name: "db", Dest: node.Name("db")},
			{Name: "worker", Dest: worker, NonCritical: true},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if rep := get(t, mon); rep.Status != health.Healthy {
			t.Fatalf("at start: %+v; want healthy", rep)
		}

		// A death is noticed through the monitor, with no time passing.
		if err := node.Exit(db, errors.New("disk on fire")); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		rep := get(t, mon)
		c := checkOf(t, rep, "db")
		var down *health.ServiceDownError
		if rep.Status != health.Unhealthy || !errors.As(c.Err, &down) || down.PID != db || down.Reason.Error() != "disk on fire" {
			t.Fatalf("after the crash: %v, %v; want unhealthy, down with its reason", rep.Status, c.Err)
		}

		// A restarted process under the same name is found on the next retry.
		if _, err := node.Spawn(idle, process.WithName("db")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if rep := get(t, mon); rep.Status != health.Healthy {
			t.Fatalf("after the restart: %+v; want healthy", rep)
		}

		// A non-critical service's death degrades.
		if err := node.Exit(worker, process.Kill); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if rep := get(t, mon); rep.Status != health.Degraded {
			t.Fatalf("after the worker's death: %v; want degraded", rep.Status)
		}
		want := []string{
			"orchard.health.service.status_changed db healthy->unhealthy",
			"orchard.health.status_changed  healthy->unhealthy",
			"orchard.health.service.status_changed db unhealthy->healthy",
			"orchard.health.status_changed  unhealthy->healthy",
			"orchard.health.service.status_changed worker healthy->unhealthy",
			"orchard.health.status_changed  healthy->degraded",
		}
		got := ev.list()
		if len(got) >= len(want) {
			got = got[len(got)-len(want):]
		}
		if d := otptest.Diff(want, got); d != "" {
			t.Errorf("events:\n%s", d)
		}
	})
}

func TestServiceMonitorUnresolved(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		mon, err := health.StartServiceMonitor(node, health.ServiceConfig{})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if err := health.Watch(ctx, mon, health.Service{Name: "cache", Dest: node.Name("cache")}); err != nil {
			t.Fatal(err)
		}
		c := checkOf(t, get(t, mon), "cache")
		var down *health.ServiceDownError
		if c.Status != health.Unhealthy || !errors.As(c.Err, &down) || !down.PID.IsZero() || !errors.Is(c.Err, process.NoProc) {
			t.Fatalf("unregistered service: %v, %v; want unhealthy, not found", c.Status, c.Err)
		}
		if err := health.Watch(ctx, mon, health.Service{Name: "cache", Dest: node.Name("cache")}); !errors.Is(err, health.ErrDuplicate) {
			t.Errorf("second Watch = %v; want ErrDuplicate", err)
		}
		if err := health.Watch(ctx, mon, health.Service{Name: "nil"}); !errors.Is(err, health.ErrInvalidCheck) {
			t.Errorf("Watch(nil Dest) = %v; want ErrInvalidCheck", err)
		}
		if err := health.Unregister(ctx, mon, "cache"); err != nil {
			t.Fatal(err)
		}
		if rep := get(t, mon); rep.Status != health.Healthy || len(rep.Checks) != 0 {
			t.Errorf("after Unregister: %+v; want empty and healthy", rep)
		}
	})
}
