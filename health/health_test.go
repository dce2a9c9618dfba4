package health_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/health"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// events records telemetry events as "name check from->to" lines.
type events struct {
	mu    sync.Mutex // protects lines
	lines []string
}

func (e *events) attach(t *testing.T) *telemetry.Registry {
	t.Helper()
	r := telemetry.New()
	names := []string{health.EventCheckStatusChanged, health.EventServiceStatusChanged, health.EventStatusChanged, health.EventCheckTimeout}
	if err := r.Attach("test", names, func(ev string, _ telemetry.Measurements, md telemetry.Metadata) {
		e.mu.Lock()
		defer e.mu.Unlock()
		item, _ := md["check"].(string)
		if s, ok := md["service"].(string); ok {
			item = s
		}
		line := ev + " " + item
		if from, ok := md["from"].(string); ok {
			line += " " + from + "->" + md["to"].(string)
		}
		e.lines = append(e.lines, line)
	}); err != nil {
		t.Fatal(err)
	}
	return r
}

func (e *events) list() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.lines...)
}

// switchable is a check whose outcome the test sets.
type switchable struct{ err atomic.Pointer[error] }

func (s *switchable) set(err error) { s.err.Store(&err) }

func (s *switchable) check(context.Context) error {
	if p := s.err.Load(); p != nil {
		return *p
	}
	return nil
}

func get(t *testing.T, pid process.PID) health.Report {
	t.Helper()
	rep, err := health.Get(context.Background(), pid)
	if err != nil {
		t.Fatalf("Get = %v", err)
	}
	return rep
}

func checkOf(t *testing.T, rep health.Report, name string) health.CheckReport {
	t.Helper()
	for _, c := range rep.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", name, rep)
	return health.CheckReport{}
}

// runNow triggers a run of name and waits (fake time) for it to end.
func runNow(t *testing.T, pid process.PID, name string) {
	t.Helper()
	if err := health.RunNow(context.Background(), pid, name); err != nil {
		t.Fatalf("RunNow(%s) = %v", name, err)
	}
	synctest.Wait()
}

func TestCheckTransitions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ev events
		node := otptest.NewNode(t)
		var db, cache switchable
		pid, err := health.Start(node, health.Config{Telemetry: ev.attach(t), Checks: []health.Check{
			{Name: "db", Func: db.check, Interval: time.Minute},
			{Name: "cache", Func: cache.check, Interval: time.Minute, NonCritical: true},
		}})
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if rep := get(t, pid); rep.Status != health.Healthy {
			t.Fatalf("first report = %v; want healthy", rep.Status)
		}
		// Not ready until both pending critical checks passed; they
		// finish in either order.
		first := ev.list()
		if len(first) < 4 || first[0] != "orchard.health.status_changed  unknown->unhealthy" ||
			first[len(first)-1] != "orchard.health.status_changed  degraded->healthy" && first[len(first)-1] != "orchard.health.status_changed  unhealthy->healthy" {
			t.Errorf("start events = %v; want unknown->unhealthy first, ->healthy last", first)
		}
		steps := []struct {
			name       string
			check      string
			set        func()
			wantCheck  health.Status
			wantStatus health.Status
		}{
			{"cache fails", "cache", func() { cache.set(errors.New("cold")) }, health.Unhealthy, health.Degraded},
			{"db degraded", "db", func() { db.set(health.Degrade(errors.New("replica lag"))) }, health.Degraded, health.Degraded},
			{"db fails", "db", func() { db.set(errors.New("down")) }, health.Unhealthy, health.Unhealthy},
			{"db back", "db", func() { db.set(nil) }, health.Healthy, health.Degraded},
			{"cache back", "cache", func() { cache.set(nil) }, health.Healthy, health.Healthy},
		}
		for _, s := range steps {
			s.set()
			runNow(t, pid, s.check)
			rep := get(t, pid)
			if got := checkOf(t, rep, s.check).Status; got != s.wantCheck || rep.Status != s.wantStatus {
				t.Errorf("%s: check %v, overall %v; want %v, %v", s.name, got, rep.Status, s.wantCheck, s.wantStatus)
			}
		}
		want := []string{
			"orchard.health.check.status_changed cache healthy->unhealthy",
			"orchard.health.status_changed  healthy->degraded",
			"orchard.health.check.status_changed db healthy->degraded",
			"orchard.health.check.status_changed db degraded->unhealthy",
			"orchard.health.status_changed  degraded->unhealthy",
			"orchard.health.check.status_changed db unhealthy->healthy",
			"orchard.health.status_changed  unhealthy->degraded",
			"orchard.health.check.status_changed cache unhealthy->healthy",
			"orchard.health.status_changed  degraded->healthy",
		}
		got := ev.list()[len(first):]
		if d := otptest.Diff(want, got); d != "" {
			t.Errorf("events:\n%s", d)
		}
	})
}

func TestChecksRunOnTheirInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		var fast, slow atomic.Int32
		count := func(n *atomic.Int32) func(context.Context) error {
			return func(context.Context) error { n.Add(1); return nil }
		}
		_, err := health.Start(node, health.Config{Checks: []health.Check{
			{Name: "fast", Func: count(&fast), Interval: time.Second},
			{Name: "slow", Func: count(&slow), Interval: 10 * time.Second},
		}})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(30*time.Second + time.Millisecond)
		synctest.Wait()
		if f, s := fast.Load(), slow.Load(); f != 31 || s != 4 {
			t.Errorf("runs in 30 s: fast %d, slow %d; want 31, 4", f, s)
		}
	})
}

func TestCheckTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ev events
		node := otptest.NewNode(t)
		release := make(chan struct{})
		defer close(release)
		pid, err := health.Start(node, health.Config{Telemetry: ev.attach(t), Checks: []health.Check{
			// honours its context: ends with it.
			{Name: "polite", Interval: time.Hour, Timeout: time.Second, Func: func(ctx context.Context) error {
				<-ctx.Done()
				return ctx.Err()
			}},
			// ignores its context: the monitor gives up and kills it.
			{Name: "stuck", Interval: time.Hour, Timeout: 2 * time.Second, Func: func(context.Context) error {
				<-release
				return nil
			}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if rep := get(t, pid); rep.Status != health.Unhealthy || len(rep.Checks[0].History) != 0 {
			t.Fatalf("before the timeouts: %+v; want unhealthy (pending checks), no history", rep)
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		rep := get(t, pid)
		for _, c := range rep.Checks {
			var te *health.TimeoutError
			if c.Status != health.Unhealthy || !errors.As(c.Err, &te) || te.Check != c.Name {
				t.Errorf("%s: %v, %v; want unhealthy with a *TimeoutError", c.Name, c.Status, c.Err)
			}
			if d := c.History[0].Duration; d < time.Second {
				t.Errorf("%s: duration %v; want at least its timeout", c.Name, d)
			}
		}
		if got := ev.list(); !contains(got, "orchard.health.check.timeout stuck") || !contains(got, "orchard.health.check.timeout polite") {
			t.Errorf("events %v; want a timeout event per check", got)
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestCrashingCheckIsUnhealthy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		pid, err := health.Start(node, health.Config{Checks: []health.Check{
			{Name: "boom", Func: func(context.Context) error { panic("bug") }},
		}})
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		c := get(t, pid).Checks[0]
		var pe *process.PanicError
		if c.Status != health.Unhealthy || !errors.Is(c.Err, health.ErrCrashed) || !errors.As(c.Err, &pe) {
			t.Errorf("boom: %v, %v; want unhealthy, crashed with a panic", c.Status, c.Err)
		}
		if !node.IsAlive(pid) {
			t.Error("the monitor died with its check")
		}
	})
}

func TestHistoryIsBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		var n atomic.Int32
		pid, err := health.Start(node, health.Config{History: 3, Checks: []health.Check{
			{Name: "flip", Interval: time.Hour, Func: func(context.Context) error {
				if n.Add(1)%2 == 0 {
					return errors.New("even")
				}
				return nil
			}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		for range 4 {
			runNow(t, pid, "flip")
		}
		c := get(t, pid).Checks[0]
		got := []health.Status{}
		for _, r := range c.History {
			got = append(got, r.Status)
		}
		// runs 1..5: healthy, unhealthy, healthy, unhealthy, healthy; last 3 kept
		want := []health.Status{health.Healthy, health.Unhealthy, health.Healthy}
		if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Errorf("history = %v; want %v", got, want)
		}
		for i := 1; i < len(c.History); i++ {
			if c.History[i].At.Before(c.History[i-1].At) {
				t.Errorf("history not oldest first: %v", c.History)
			}
		}
	})
}

func TestRegisterUnregister(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		pid, err := health.Start(node, health.Config{})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		ok := func(context.Context) error { return nil }
		bad := []health.Check{{Name: "", Func: ok}, {Name: "a b", Func: ok}, {Name: "x"}, {Name: "x", Func: ok, Interval: -1}}
		for _, c := range bad {
			if err := health.Register(ctx, pid, c); !errors.Is(err, health.ErrInvalidCheck) {
				t.Errorf("Register(%+v) = %v; want ErrInvalidCheck", c, err)
			}
		}
		if err := health.Register(ctx, pid, health.Check{Name: "x", Func: ok}); err != nil {
			t.Fatal(err)
		}
		if err := health.Register(ctx, pid, health.Check{Name: "x", Func: ok}); !errors.Is(err, health.ErrDuplicate) {
			t.Errorf("second Register = %v; want ErrDuplicate", err)
		}
		synctest.Wait()
		if rep := get(t, pid); len(rep.Checks) != 1 || rep.Status != health.Healthy {
			t.Errorf("report = %+v; want x healthy", rep)
		}
		if err := health.Unregister(ctx, pid, "x"); err != nil {
			t.Fatal(err)
		}
		if err := health.Unregister(ctx, pid, "x"); !errors.Is(err, health.ErrNotFound) {
			t.Errorf("second Unregister = %v; want ErrNotFound", err)
		}
		if err := health.RunNow(ctx, pid, "x"); !errors.Is(err, health.ErrNotFound) {
			t.Errorf("RunNow = %v; want ErrNotFound", err)
		}
		if _, err := health.Start(node, health.Config{Checks: []health.Check{{Name: "d", Func: ok}, {Name: "d", Func: ok}}}); !errors.Is(err, health.ErrDuplicate) {
			t.Errorf("Start with duplicates = %v; want ErrDuplicate", err)
		}
	})
}

func TestMonitorUnderSupervisor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		cfg := health.Config{Name: "health", Checks: []health.Check{{Name: "ok", Func: func(context.Context) error { return nil }}}}
		sup, err := supervisor.Start(node, supervisor.Spec{Flags: supervisor.DefaultFlags(), Children: []supervisor.ChildSpec{
			{ID: "health", Start: health.StartFunc(cfg)},
		}})
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		rep, err := health.Get(context.Background(), node.Name("health"))
		if err != nil || rep.Status != health.Healthy {
			t.Fatalf("Get = %+v, %v; want healthy", rep, err)
		}
		if err := supervisor.Stop(sup, process.Shutdown, time.Second); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAggregate(t *testing.T) {
	c := func(s health.Status, nonCritical, live bool) health.CheckReport {
		return health.CheckReport{Status: s, NonCritical: nonCritical, Liveness: live}
	}
	cases := []struct {
		name     string
		checks   []health.CheckReport
		liveOnly bool
		want     health.Status
	}{
		{"none", nil, false, health.Healthy},
		{"all healthy", []health.CheckReport{c(health.Healthy, false, false), c(health.Healthy, true, false)}, false, health.Healthy},
		{"critical unhealthy", []health.CheckReport{c(health.Unhealthy, false, false)}, false, health.Unhealthy},
		{"critical pending", []health.CheckReport{c(health.Unknown, false, false)}, false, health.Unhealthy},
		{"non-critical unhealthy", []health.CheckReport{c(health.Unhealthy, true, false)}, false, health.Degraded},
		{"non-critical pending", []health.CheckReport{c(health.Unknown, true, false)}, false, health.Degraded},
		{"degraded wins over healthy", []health.CheckReport{c(health.Healthy, false, false), c(health.Degraded, false, false)}, false, health.Degraded},
		{"liveness ignores readiness checks", []health.CheckReport{c(health.Unhealthy, false, false), c(health.Healthy, false, true)}, true, health.Healthy},
		{"liveness check fails", []health.CheckReport{c(health.Unhealthy, false, true)}, true, health.Unhealthy},
		{"liveness check pending passes liveness", []health.CheckReport{c(health.Unknown, false, true)}, true, health.Healthy},
		{"liveness check pending fails readiness", []health.CheckReport{c(health.Unknown, false, true)}, false, health.Unhealthy},
		{"pending liveness check beside a failed one", []health.CheckReport{c(health.Unknown, false, true), c(health.Unhealthy, false, true)}, true, health.Unhealthy},
		{"liveness degraded", []health.CheckReport{c(health.Degraded, false, true)}, true, health.Degraded},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := health.Aggregate(tc.checks, tc.liveOnly); got != tc.want {
				t.Errorf("Aggregate(%v) = %v; want %v", tc.checks, got, tc.want)
			}
		})
	}
}
