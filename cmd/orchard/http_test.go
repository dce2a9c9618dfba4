package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/bridge"
)

// httpGet fetches url with a client that keeps no connection (no
// goroutine outlives the request).
func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	defer client.CloseIdleConnections()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, string(body)
}

// idleServer is a genserver that does nothing until it crashes on "crash".
type idleServer struct{}

func (idleServer) Init(*genserver.Self) error { return nil }

func (idleServer) HandleCast(_ *genserver.Self, msg any) error {
	return errors.New("crash on " + msg.(string))
}

func TestHTTPEndpoints(t *testing.T) {
	tel := telemetry.New()
	node := otptest.NewNode(t, bridge.NodeEvents(tel))
	var events []supervisor.Event
	opts := []supervisor.Option{
		bridge.SupervisorEvents(tel),
		supervisor.WithEventHook(func(e supervisor.Event) { events = append(events, e) }),
		supervisor.WithLogger(discard),
	}

	stop, addr, err := startHTTP(node, "127.0.0.1:0", tel, []process.Dest{node.Name(healthName), node.Name(servicesName)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := stop(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	base := "http://" + addr

	// Before the monitors start, neither probe passes.
	if code, _ := httpGet(t, base+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz without monitors = %d; want 503", code)
	}

	worker := supervisor.ChildSpec{ID: "stage", Start: func(p *process.Proc) (process.PID, error) {
		return genserver.StartLink(p, idleServer{}, genserver.WithName("stage"))
	}}
	probe := otptest.NewProbe(t, node)
	spec := supervisor.Spec{Flags: supervisor.DefaultFlags(), Children: append([]supervisor.ChildSpec{worker}, healthChildren(node, tel, []string{"stage"})...)}
	spec.Flags.MaxRestarts = 5
	sup, err := supervisor.Start(node, spec, append(opts, supervisor.WithName("web-root"))...)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = supervisor.Stop(sup, process.Shutdown, 5*time.Second) }()

	otptest.Eventually(t, 5*time.Second, func() bool { // the first check run
		code, _ := httpGet(t, base+"/readyz")
		return code == http.StatusOK
	}, "/readyz never became ready")
	if code, body := httpGet(t, base+"/healthz?verbose"); code != http.StatusOK || !strings.Contains(body, "[+]zombies ok") {
		t.Errorf("/healthz?verbose = %d %q; want 200 with [+]zombies ok", code, body)
	}

	// Crash the stage: the supervisor restarts it.
	stage, _ := node.WhereIs("stage")
	probe.Monitor(stage)
	_ = genserver.Cast(stage, "purpose")
	probe.ExpectDown(t, time.Second)
	if _, err := supervisor.WhichChildren(context.Background(), sup); err != nil { // after the restart
		t.Fatal(err)
	}

	code, body := httpGet(t, base+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d", code)
	}
	for _, want := range []string{
		`orchard_supervisor_restarts_total{supervisor="web-root"} 1`, // its name, not its PID
		`orchard_processes_exited_total{normal="false"} 1`,
		"orchard_processes ",
		"orchard_mailbox_messages_max ",
		"orchard_mailbox_length{name=\"stage\"} 0",
		"orchard_health_service_status_changes_total{service=\"stage\",to=\"healthy\"}",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, `supervisor="<`) {
		t.Errorf("/metrics labels a supervisor by its PID:\n%s", body)
	}
	if len(events) == 0 {
		t.Error("the next hook received no supervisor event")
	}

	// Without the monitors the service is not ready, but it is alive
	// (Kubernetes would otherwise kill a pod whose monitors restart).
	if err := supervisor.Stop(sup, process.Shutdown, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]int{"/healthz": http.StatusOK, "/readyz": http.StatusServiceUnavailable} {
		if code, _ := httpGet(t, base+path); code != want {
			t.Errorf("%s after the monitors stopped = %d; want %d", path, code, want)
		}
	}
}

func TestHTTPStops(t *testing.T) {
	node := otptest.NewNode(t)
	tel := telemetry.New()
	if _, _, err := startHTTP(node, "256.0.0.1:0", tel, nil); err == nil {
		t.Error("startHTTP on a bad address succeeded")
	}
	if n := len(tel.Handlers()); n != 0 {
		t.Errorf("%d telemetry handlers left after a failed start; want 0", n)
	}
	stop, addr, err := startHTTP(node, "127.0.0.1:0", tel, nil)
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := httpGet(t, "http://"+addr+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz with no monitors = %d; want 200 (nothing to check)", code)
	}
	before := node.Stats().Processes
	if err := stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := stop(context.Background()); err != nil {
		t.Errorf("second stop = %v; want nil", err)
	}
	if after := node.Stats().Processes; after != before-1 {
		t.Errorf("processes %d → %d; want the server's process gone", before, after)
	}
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	if _, err := client.Get("http://" + addr + "/readyz"); err == nil {
		t.Error("the server still answers after stop")
	}
	if addr == defaultHTTPAddr {
		t.Errorf("bound %s; want an ephemeral port", addr)
	}
}
