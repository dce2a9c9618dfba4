package health_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/health"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// Checks can be added, run on demand and removed while the monitor runs.
func ExampleRegister() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	tel, done := settled()
	mon, _ := health.Start(node, health.Config{Telemetry: tel})
	ctx := context.Background()
	calls := 0
	_ = health.Register(ctx, mon, health.Check{Name: "disk", Interval: time.Hour, Func: func(context.Context) error {
		calls++
		if calls > 1 {
			return errors.New("full")
		}
		return nil
	}})
	<-done
	_ = health.RunNow(ctx, mon, "disk")
	<-done
	rep, _ := health.Get(ctx, mon)
	c := rep.Checks[0]
	fmt.Println(c.Name, c.Status, c.ConsecutiveFailures, len(c.History))
	_ = health.Unregister(ctx, mon, "disk")
	rep, _ = health.Get(ctx, mon)
	fmt.Println(len(rep.Checks), rep.Status)
	// Output:
	// disk unhealthy 1 2
	// 0 healthy
}

// A monitor is a supervisor child like any other.
func ExampleStartFunc() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	cfg := health.Config{Name: "health"}
	sup, err := supervisor.Start(node, supervisor.Spec{Flags: supervisor.DefaultFlags(), Children: []supervisor.ChildSpec{
		{ID: "health", Start: health.StartFunc(cfg)},
		{ID: "services", Start: health.ServiceStartFunc(health.ServiceConfig{Name: "services"})},
	}})
	if err != nil {
		panic(err)
	}
	defer supervisor.Stop(sup, process.Shutdown, time.Second)
	for _, name := range []string{"health", "services"} {
		rep, err := health.Get(context.Background(), node.Name(name))
		fmt.Println(name, rep.Status, err)
	}
	// Output:
	// health healthy <nil>
	// services healthy <nil>
}

// Watch adds a service to a running service monitor.
func ExampleWatch() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	mon, _ := health.StartServiceMonitor(node, health.ServiceConfig{})
	err := health.Watch(context.Background(), mon, health.Service{Name: "cache", Dest: node.Name("cache")})
	rep, _ := health.Get(context.Background(), mon)
	fmt.Println(err, rep.Status, rep.Checks[0].Err)
	// Output: <nil> unhealthy health: service "cache" not found: process: no process registered as "cache"
}

// Aggregate: a failing non-critical check degrades; a pending critical
// one is not ready.
func ExampleAggregate() {
	fmt.Println(health.Aggregate([]health.CheckReport{
		{Name: "db", Status: health.Healthy},
		{Name: "cache", Status: health.Unhealthy, NonCritical: true},
	}, false))
	fmt.Println(health.Aggregate([]health.CheckReport{{Name: "db", Status: health.Unknown}}, false))
	// A liveness check that has not run yet does not fail liveness.
	fmt.Println(health.Aggregate([]health.CheckReport{{Name: "ping", Status: health.Unknown, Liveness: true}}, true))
	// Output:
	// degraded
	// unhealthy
	// healthy
}
