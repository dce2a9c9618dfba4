package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/seed-fe72f376/orchard/health"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/promexport"
)

// HTTP endpoints of `orchard demo`.
const (
	// defaultHTTPAddr is where the demo serves /metrics, /healthz and
	// /readyz.
	defaultHTTPAddr = "127.0.0.1:7600"
	// healthName and servicesName are the registered names of the demo's
	// health monitor and service monitor (see healthChildren).
	healthName   = "orchard.health"
	servicesName = "orchard.services"
	// httpShutdownGrace bounds the graceful part of the server's stop; it
	// stays under the node's zombie grace (1 s) so a slow client never
	// turns the server's process into a zombie.
	httpShutdownGrace = 500 * time.Millisecond
	// httpPromHandlerID is the telemetry handler id of the exporter.
	httpPromHandlerID = "orchard.demo.metrics"
)

// startHTTP listens on addr ("127.0.0.1:0" picks a port) and serves, from
// a process of node:
//
//   - /metrics: Prometheus text of the orchard_ metrics exported from the
//     events of tel (which node and the supervisors must publish to, see
//     bridge.NodeEvents and bridge.SupervisorEvents) and node's gauges;
//   - /healthz and /readyz: the reports of the monitors named by health
//     (for example node.Name(healthName), node.Name(servicesName)),
//     asked on every request, so the monitors may start after this.
//
// It returns once the listener is bound, with the bound address and a
// stop function that ends the process, waits (bounded by its ctx) until
// the server's goroutine has returned, and detaches the exporter; stop is
// idempotent. The server also stops when the node stops.
func startHTTP(node *process.Node, addr string, tel *telemetry.Registry, health []process.Dest, mounts ...mount) (stop func(context.Context) error, bound string, err error) {
	preg := prometheus.NewRegistry()
	mux, err := httpMux(preg, health)
	if err != nil {
		return nil, "", err
	}
	var closers []func() error // of mounts (the observer); run at stop
	closeMounts := func() error {
		var err error
		for _, c := range closers {
			err = errors.Join(err, c())
		}
		return err
	}
	for _, m := range mounts {
		c, err := m(mux)
		if err != nil {
			_ = closeMounts()
			return nil, "", fmt.Errorf("http: %w", err)
		}
		closers = append(closers, c)
	}
	exp, err := promexport.New(tel, preg, promexport.WithNode(node), promexport.WithHandlerID(httpPromHandlerID))
	if err != nil {
		_ = closeMounts()
		return nil, "", err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		_ = exp.Close()
		_ = closeMounts()
		return nil, "", fmt.Errorf("http: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan struct{})
	pid, err := node.Spawn(serveHTTP(srv, ln, served), rt.Behaviour("http.server"))
	if err != nil {
		_ = ln.Close()
		_ = exp.Close()
		_ = closeMounts()
		return nil, "", fmt.Errorf("http: %w", err)
	}
	var once sync.Once
	stop = func(ctx context.Context) error {
		var err error
		once.Do(func() {
			_ = node.Exit(pid, process.Shutdown) // NoProc when the node stopped it
			select {
			case <-served:
			case <-ctx.Done():
				err = fmt.Errorf("http: server did not stop: %w", ctx.Err())
			}
			err = errors.Join(err, exp.Close(), closeMounts())
		})
		return err
	}
	return stop, ln.Addr().String(), nil
}

func httpMux(preg *prometheus.Registry, sources []process.Dest) (*http.ServeMux, error) {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(preg, promhttp.HandlerOpts{}))
	if err := health.Mount(mux, sources, health.WithReasons()); err != nil {
		return nil, fmt.Errorf("http: %w", err)
	}
	return mux, nil
}

// serveHTTP is the server's process: it serves ln until the process's
// context ends, then shuts the server down (gracefully for
// httpShutdownGrace, then by closing connections) and returns once the
// shutdown is over, closing served.
func serveHTTP(srv *http.Server, ln net.Listener, served chan<- struct{}) process.Func {
	return func(p *process.Proc) error {
		defer close(served)
		shutDown := make(chan struct{})
		// The shutdown runs on context.AfterFunc's goroutine, which the
		// runtime owns; this process joins it below.
		stopWatch := context.AfterFunc(p.Context(), func() {
			defer close(shutDown)
			ctx, cancel := context.WithTimeout(context.Background(), httpShutdownGrace)
			defer cancel()
			if srv.Shutdown(ctx) != nil {
				_ = srv.Close()
			}
		})
		err := srv.Serve(ln)
		if stopWatch() { // Serve failed on its own: no shutdown is coming
			_ = srv.Close()
			return fmt.Errorf("http: %w", err)
		}
		<-shutDown
		return nil
	}
}

// healthChildren returns the child specs of the demo's monitors, to add
// to a supervisor: a health monitor (healthName) whose liveness check
// fails when the node has zombies, and a service monitor (servicesName)
// watching the named processes services as non-critical services (the
// demo crashes them on purpose: a crashed one degrades, it does not fail
// readiness).
func healthChildren(node *process.Node, tel *telemetry.Registry, services []string) []supervisor.ChildSpec {
	noZombies := func(context.Context) error {
		if z := node.Stats().Zombies; z > 0 {
			return fmt.Errorf("%s", plural(int(z), "zombie process", "zombie processes"))
		}
		return nil
	}
	var watched []health.Service
	for _, name := range services {
		watched = append(watched, health.Service{Name: name, Dest: node.Name(name), NonCritical: true})
	}
	return []supervisor.ChildSpec{
		{ID: healthName, Start: health.StartFunc(health.Config{Name: healthName, Telemetry: tel, Checks: []health.Check{
			{Name: "zombies", Func: noZombies, Interval: time.Second, Timeout: 100 * time.Millisecond, Liveness: true},
		}})},
		{ID: servicesName, Start: health.ServiceStartFunc(health.ServiceConfig{
			Name: servicesName, Telemetry: tel, Services: watched, Retry: 200 * time.Millisecond,
		})},
	}
}
