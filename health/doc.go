// Package health implements health checks and service monitors: supervised
// processes that run registered checks on intervals or watch named
// processes, keep each one's status with a bounded history, aggregate them,
// and serve them on Kubernetes-style /healthz and /readyz endpoints.
//
// # Foundation mapping
//
// Health monitoring has no OTP module; it comes from Elixir Foundation's
// foundation services:
//
//	Foundation (Elixir)                    Orchard
//	-------------------------------------  ------------------------------------------
//	Foundation.HealthMonitor (GenServer)   Start, StartLink, StartFunc (Config)
//	HealthMonitor.register_check/3         Register(ctx, monitor, Check)
//	HealthMonitor.unregister_check/2       Unregister(ctx, monitor, name)
//	HealthMonitor.get_health/1             Get(ctx, monitor) -> Report
//	HealthMonitor.run_check/2              RunNow(ctx, monitor, name)
//	:healthy | :degraded | :unhealthy      Healthy, Degraded, Unhealthy (+ Unknown)
//	Foundation.ServiceMonitor              StartServiceMonitor(Link), ServiceStartFunc
//	ServiceMonitor.monitor_service/2       Watch(ctx, monitor, Service)
//	Process.monitor + {:DOWN, ...}         a process monitor per watched service
//	Plug health endpoint                   Handler, Mount (/healthz, /readyz)
//	:telemetry events                      EventCheckStatusChanged, EventStatusChanged, ...
//
// # Semantics
//
// A health monitor is a genserver. Each [Check] runs in its own process,
// linked to the monitor (which traps exits), with a context bounded by the
// check's Timeout: a check that returns nil is Healthy, one that returns an
// error wrapped with [Degrade] is Degraded, any other error, a panic
// (*[CrashError]) or an overrun (*[TimeoutError]) is Unhealthy. A check that
// ignores its context is killed when its timeout passes; its result is the
// timeout. The next run starts Interval after the end of the previous one,
// so runs of one check never overlap and a slow check does not pile up.
// The first runs start right after [Start] returns; until a check has
// completed once its status is Unknown.
//
// Every check keeps its last History results (a ring, oldest first in
// [CheckReport.History]) and its count of consecutive failures. The
// aggregate status ([Aggregate]) is the worst of the checks, where an
// Unknown critical check counts as Unhealthy (not ready until it passed
// once) and an unhealthy or unknown [Check.NonCritical] one counts as
// Degraded. Liveness is more forgiving, as Kubernetes expects: only
// [Check.Liveness] checks count, and one that is still Unknown (not run
// yet), like a monitor that does not answer the HTTP handler, does not
// fail it.
//
// A service monitor watches processes named by a [process.Dest] (a PID, a
// local name, a registry via-name). It monitors each one: a death is
// noticed through the Down message, at once and without polling, and makes
// the service Unhealthy with a *[ServiceDownError] carrying the exit
// reason. A service that is down or not registered is resolved again every
// Retry, so a process restarted by its supervisor under the same name is
// found again. Its history records changes only.
//
// Both monitors emit telemetry ([EventCheckStatusChanged],
// [EventServiceStatusChanged], [EventStatusChanged], [EventCheckCompleted],
// [EventCheckTimeout]) on the registry of their config, and answer [Get]
// with a [Report]; [Handler] turns the reports of any number of monitors
// into an HTTP endpoint. /healthz ([Liveness]) counts only checks marked
// Liveness and the monitors' answering at all; /readyz ([Readiness]) counts
// every check. Both answer 200 (Healthy or Degraded) or 503 (Unhealthy);
// "?verbose" lists every check as kube-apiserver does ("[+]db ok"), and
// "Accept: application/json" gives JSON. Error text is withheld unless the
// handler is built with [WithReasons].
//
// Bad input (an empty name, a nil function or destination, a negative
// duration) returns an error matching [ErrInvalidCheck]; a taken name
// [ErrDuplicate]; an unknown one [ErrNotFound].
//
// # Differences from Foundation
//
//   - Checks run in processes of their own with a hard timeout, instead of
//     inside the monitor's GenServer, so a stuck check never blocks the
//     monitor or the HTTP handlers.
//   - A degraded result is an error wrapped with [Degrade] rather than a
//     returned atom, so a check has the plain func(ctx) error shape.
//   - Statuses include Unknown (no result yet), and critical checks that
//     are Unknown make the monitor not ready, as a Kubernetes readiness
//     probe expects at start-up.
//
// # Errors
//
// Bad input is an error, never a panic (docs/ERRORS.md): every error
// about a value the caller gave matches [ErrInvalidArgument] (a bad check,
// service or configuration matches [ErrInvalidCheck] as well), and
// errors.As finds an *[ArgumentError]. This covers a nil context or
// destination, an empty name, an unknown probe and a nil option. Starting
// a monitor on a stopped node returns process.ErrNodeStopped and starts
// nothing. [Handler] and [Mount] return an error rather than an endpoint
// that cannot ask its monitors.
//
// # Example
//
//	mon, _ := health.Start(node, health.Config{Checks: []health.Check{
//		{Name: "db", Func: db.PingContext, Interval: 5 * time.Second, Timeout: time.Second},
//		{Name: "cache", Func: pingCache, NonCritical: true},
//	}})
//	mux := http.NewServeMux()
//	health.Mount(mux, []process.Dest{mon})
package health
