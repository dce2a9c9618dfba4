package health_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/seed-fe72f376/orchard/health"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// settled returns a telemetry registry and a channel that receives one
// value per completed check run.
func settled() (*telemetry.Registry, chan struct{}) {
	tel := telemetry.New()
	done := make(chan struct{}, 16)
	_ = tel.Attach("example", []string{health.EventCheckCompleted}, func(string, telemetry.Measurements, telemetry.Metadata) {
		done <- struct{}{}
	})
	return tel, done
}

// A monitor with a critical and a non-critical check.
func ExampleStart() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	tel, done := settled()
	mon, err := health.Start(node, health.Config{Telemetry: tel, Checks: []health.Check{
		{Name: "db", Func: func(context.Context) error { return nil }},
		{Name: "cache", Func: func(context.Context) error { return errors.New("cold") }, NonCritical: true},
	}})
	if err != nil {
		panic(err)
	}
	<-done
	<-done
	rep, _ := health.Get(context.Background(), mon)
	fmt.Println("overall:", rep.Status)
	for _, c := range rep.Checks {
		fmt.Println(c.Name, c.Status, c.Err)
	}
	// Output:
	// overall: degraded
	// cache unhealthy cold
	// db healthy <nil>
}

// A check that returns an error wrapped with Degrade is degraded.
func ExampleDegrade() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	tel, done := settled()
	mon, _ := health.Start(node, health.Config{Telemetry: tel, Checks: []health.Check{
		{Name: "replicas", Func: func(context.Context) error { return health.Degrade(errors.New("1 of 3 down")) }},
	}})
	<-done
	rep, _ := health.Get(context.Background(), mon)
	fmt.Println(rep.Status, rep.Checks[0].Err)
	// Output: degraded degraded: 1 of 3 down
}

// A check that overruns its timeout is unhealthy.
func ExampleCheck_timeout() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	tel, done := settled()
	mon, _ := health.Start(node, health.Config{Telemetry: tel, Checks: []health.Check{
		{Name: "slow", Timeout: 10 * time.Millisecond, Func: func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		}},
	}})
	<-done
	rep, _ := health.Get(context.Background(), mon)
	fmt.Println(rep.Checks[0].Status, errors.Is(rep.Checks[0].Err, health.ErrTimeout))
	// Output: unhealthy true
}

// The Kubernetes endpoints, verbose.
func ExampleMount() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	tel, done := settled()
	mon, _ := health.Start(node, health.Config{Telemetry: tel, Checks: []health.Check{
		{Name: "ping", Func: func(context.Context) error { return nil }, Liveness: true},
		{Name: "db", Func: func(context.Context) error { return errors.New("refused") }},
	}})
	<-done
	<-done
	mux := http.NewServeMux()
	if err := health.Mount(mux, []process.Dest{mon}); err != nil {
		fmt.Println(err)
	}
	for _, target := range []string{"/healthz", "/readyz?verbose"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		fmt.Printf("%s %d\n%s\n", target, rec.Code, rec.Body)
	}
	// Output:
	// /healthz 200
	// ok
	// /readyz?verbose 503
	// [-]db failed: reason withheld
	// [+]ping ok
	// readyz check failed
}

// A service monitor notices a death through a process monitor.
func ExampleStartServiceMonitor() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	tel := telemetry.New()
	changed := make(chan string, 4)
	_ = tel.Attach("example", []string{health.EventServiceStatusChanged}, func(_ string, _ telemetry.Measurements, md telemetry.Metadata) {
		changed <- fmt.Sprint(md["service"], " ", md["from"], " -> ", md["to"])
	})
	db, _ := node.Spawn(func(p *process.Proc) error {
		_, err := p.Receive(p.Context())
		return err
	}, process.WithName("db"))
	mon, _ := health.StartServiceMonitor(node, health.ServiceConfig{Telemetry: tel, Services: []health.Service{
		{Name: "db", Dest: node.Name("db")},
	}})
	fmt.Println(<-changed)
	_ = node.Exit(db, process.Kill)
	fmt.Println(<-changed)
	rep, _ := health.Get(context.Background(), mon)
	fmt.Println(rep.Status)
	// Output:
	// db unknown -> healthy
	// db healthy -> unhealthy
	// unhealthy
}
