package health_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/health"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// TestBadInput walks the exported API with nil, zero, empty and invalid
// inputs: every call returns an error matching ErrInvalidArgument (and
// its more precise error where one is documented), and nothing panics
// (docs/ERRORS.md).
func TestBadInput(t *testing.T) {
	node := otptest.NewNode(t)
	mon, err := health.Start(node, health.Config{})
	if err != nil {
		t.Fatal(err)
	}
	svcMon, err := health.StartServiceMonitor(node, health.ServiceConfig{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var nilCtx context.Context
	ok := func(context.Context) error { return nil }
	check := health.Check{Name: "c", Func: ok}
	svc := health.Service{Name: "s", Dest: mon}
	var nilOpt health.HandlerOption
	pidErr := func(f func() (process.PID, error)) func() error {
		return func() error { _, err := f(); return err }
	}
	start := func(cfg health.Config) func() error {
		return pidErr(func() (process.PID, error) { return health.Start(node, cfg) })
	}
	startSvc := func(cfg health.ServiceConfig) func() error {
		return pidErr(func() (process.PID, error) { return health.StartServiceMonitor(node, cfg) })
	}
	handler := func(p health.Probe, src []process.Dest, opts ...health.HandlerOption) func() error {
		return func() error {
			h, err := health.Handler(p, src, opts...)
			if h != nil {
				return errors.New("a handler was returned with the error")
			}
			return err
		}
	}
	cases := []struct {
		name    string
		call    func() error
		precise error
	}{
		{"Start/nil node", pidErr(func() (process.PID, error) { return health.Start(nil, health.Config{}) }), nil},
		{"Start/negative history", start(health.Config{History: -1}), health.ErrInvalidCheck},
		{"Start/empty check name", start(health.Config{Checks: []health.Check{{Func: ok}}}), health.ErrInvalidCheck},
		{"Start/slash in name", start(health.Config{Checks: []health.Check{{Name: "a/b", Func: ok}}}), health.ErrInvalidCheck},
		{"Start/nil Func", start(health.Config{Checks: []health.Check{{Name: "c"}}}), health.ErrInvalidCheck},
		{"Start/negative interval", start(health.Config{Checks: []health.Check{{Name: "c", Func: ok, Interval: -1}}}), health.ErrInvalidCheck},
		{"Start/negative timeout", start(health.Config{Checks: []health.Check{{Name: "c", Func: ok, Timeout: -1}}}), health.ErrInvalidCheck},
		{"StartLink/nil parent", pidErr(func() (process.PID, error) { return health.StartLink(nil, health.Config{}) }), nil},
		{"StartFunc/nil parent", pidErr(func() (process.PID, error) { return health.StartFunc(health.Config{})(nil) }), nil},
		{"StartServiceMonitor/nil node", pidErr(func() (process.PID, error) {
			return health.StartServiceMonitor(nil, health.ServiceConfig{})
		}), nil},
		{"StartServiceMonitor/negative retry", startSvc(health.ServiceConfig{Retry: -time.Second}), health.ErrInvalidCheck},
		{"StartServiceMonitor/negative history", startSvc(health.ServiceConfig{History: -1}), health.ErrInvalidCheck},
		{"StartServiceMonitor/nil Dest", startSvc(health.ServiceConfig{Services: []health.Service{{Name: "s"}}}), health.ErrInvalidCheck},
		{"StartServiceMonitor/zero PID Dest", startSvc(health.ServiceConfig{Services: []health.Service{{Name: "s", Dest: process.PID{}}}}), health.ErrInvalidCheck},
		{"StartServiceMonitor/empty name", startSvc(health.ServiceConfig{Services: []health.Service{{Dest: mon}}}), health.ErrInvalidCheck},
		{"StartServiceMonitorLink/nil parent", pidErr(func() (process.PID, error) {
			return health.StartServiceMonitorLink(nil, health.ServiceConfig{})
		}), nil},
		{"ServiceStartFunc/nil parent", pidErr(func() (process.PID, error) { return health.ServiceStartFunc(health.ServiceConfig{})(nil) }), nil},
		{"Register/nil ctx", func() error { return health.Register(nilCtx, mon, check) }, nil},
		{"Register/nil dest", func() error { return health.Register(ctx, nil, check) }, nil},
		{"Register/zero PID", func() error { return health.Register(ctx, process.PID{}, check) }, nil},
		{"Register/bad check", func() error { return health.Register(ctx, mon, health.Check{Name: "c"}) }, health.ErrInvalidCheck},
		{"RunNow/nil ctx", func() error { return health.RunNow(nilCtx, mon, "c") }, nil},
		{"RunNow/nil dest", func() error { return health.RunNow(ctx, nil, "c") }, nil},
		{"RunNow/empty name", func() error { return health.RunNow(ctx, mon, "") }, nil},
		{"Unregister/nil ctx", func() error { return health.Unregister(nilCtx, mon, "c") }, nil},
		{"Unregister/nil dest", func() error { return health.Unregister(ctx, nil, "c") }, nil},
		{"Unregister/empty name", func() error { return health.Unregister(ctx, mon, "") }, nil},
		{"Get/nil ctx", func() error { _, err := health.Get(nilCtx, mon); return err }, nil},
		{"Get/nil dest", func() error { _, err := health.Get(ctx, nil); return err }, nil},
		{"Watch/nil ctx", func() error { return health.Watch(nilCtx, svcMon, svc) }, nil},
		{"Watch/nil dest", func() error { return health.Watch(ctx, nil, svc) }, nil},
		{"Watch/bad service", func() error { return health.Watch(ctx, svcMon, health.Service{Name: "s"}) }, health.ErrInvalidCheck},
		{"Handler/unknown probe", handler(health.Probe(7), []process.Dest{mon}), nil},
		{"Handler/nil source", handler(health.Readiness, []process.Dest{mon, nil}), nil},
		{"Handler/zero PID source", handler(health.Readiness, []process.Dest{process.PID{}}), nil},
		{"Handler/nil option", handler(health.Readiness, []process.Dest{mon}, nilOpt), nil},
		{"Handler/zero timeout", handler(health.Liveness, []process.Dest{mon}, health.WithHandlerTimeout(0)), nil},
		{"Mount/nil mux", func() error { return health.Mount(nil, []process.Dest{mon}) }, nil},
		{"Mount/nil source", func() error { return health.Mount(http.NewServeMux(), []process.Dest{nil}) }, nil},
		{"Mount/twice", func() error {
			mux := http.NewServeMux()
			if err := health.Mount(mux, []process.Dest{mon}); err != nil {
				return err
			}
			return health.Mount(mux, []process.Dest{mon})
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, health.ErrInvalidArgument) {
				t.Fatalf("%s = %v; want an error matching ErrInvalidArgument", tc.name, err)
			}
			if tc.precise != nil && !errors.Is(err, tc.precise) {
				t.Fatalf("%s = %v; want an error matching %v too", tc.name, err, tc.precise)
			}
			var ae *health.ArgumentError
			if !errors.As(err, &ae) {
				t.Fatalf("%s = %v; want an *ArgumentError", tc.name, err)
			}
		})
	}

	// A stopped node: nothing is started.
	stopped, err := process.NewNode()
	if err != nil {
		t.Fatal(err)
	}
	if err := stopped.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := health.Start(stopped, health.Config{}); !errors.Is(err, process.ErrNodeStopped) {
		t.Fatalf("Start(stopped node) = %v; want ErrNodeStopped", err)
	}
	if _, err := health.StartServiceMonitor(stopped, health.ServiceConfig{}); !errors.Is(err, process.ErrNodeStopped) {
		t.Fatalf("StartServiceMonitor(stopped node) = %v; want ErrNodeStopped", err)
	}
	// A parent whose node stopped: nothing is started either.
	procs := make(chan *process.Proc, 1)
	stopping, err := process.NewNode()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stopping.Spawn(func(p *process.Proc) error {
		procs <- p
		<-p.Context().Done()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	parent := <-procs
	if err := stopping.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := health.StartLink(parent, health.Config{}); !errors.Is(err, process.ErrNodeStopped) {
		t.Fatalf("StartLink(parent on a stopped node) = %v; want ErrNodeStopped", err)
	}
	if _, err := health.StartServiceMonitorLink(parent, health.ServiceConfig{}); !errors.Is(err, process.ErrNodeStopped) {
		t.Fatalf("StartServiceMonitorLink(parent on a stopped node) = %v; want ErrNodeStopped", err)
	}
	// The refused calls registered nothing.
	rep, err := health.Get(ctx, mon)
	if err != nil || len(rep.Checks) != 0 {
		t.Fatalf("Get after refused calls = %+v, %v; want no checks", rep, err)
	}
}
