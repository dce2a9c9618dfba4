package transport_test

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/transport"
)

// TestHTTPServerDrainsOnShutdown: stopping the supervisor of an HTTP server
// lets an in-flight request finish before the process ends.
func TestHTTPServerDrainsOnShutdown(t *testing.T) {
	node := otptest.NewNode(t)
	inside, release := make(chan struct{}), make(chan struct{})
	h, err := transport.NewHTTP("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(inside)
			<-release
		}
		_, _ = io.WriteString(w, "ok "+r.URL.Path)
	}), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	sup, err := supervisor.Start(node, supervisor.Spec{Children: []supervisor.ChildSpec{h.ChildSpec("http")}})
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	get := func(path string) (string, error) {
		resp, err := client.Get("http://" + h.Addr().String() + path)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	if got, err := get("/a"); err != nil || got != "ok /a" {
		t.Fatalf("GET /a = %q, %v", got, err)
	}
	slow := make(chan string, 1)
	go func() { got, _ := get("/slow"); slow <- got }()
	<-inside
	stopped := make(chan error, 1)
	go func() { stopped <- supervisor.Stop(sup, process.Shutdown, 10*time.Second) }()
	otptest.Eventually(t, 5*time.Second, func() bool { _, err := get("/b"); return err != nil }, "still accepting while draining")
	close(release)
	if got := <-slow; got != "ok /slow" {
		t.Fatalf("in-flight request got %q", got)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("Stop = %v", err)
	}
}

// TestHTTPServerShutdownClosesFreshConns: a connection that has not sent
// a request (a client's spare keep-alive connection) does not hold the
// graceful shutdown: net/http would count it busy for 5 seconds, past
// the supervisor's shutdown timeout here (2 × 1 s), and kill the server.
func TestHTTPServerShutdownClosesFreshConns(t *testing.T) {
	node := otptest.NewNode(t)
	h, err := transport.NewHTTP("127.0.0.1:0", answerOK, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	sup, err := supervisor.Start(node, supervisor.Spec{Children: []supervisor.ChildSpec{h.ChildSpec("http")}})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", h.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	otptest.Eventually(t, 5*time.Second, func() bool {
		for _, ci := range h.ConnectionList(0) {
			if ci.State == "new" {
				return true
			}
		}
		return false
	}, "the server sees the fresh connection")
	start := time.Now()
	if err := supervisor.Stop(sup, process.Shutdown, 10*time.Second); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	if took := time.Since(start); took >= time.Second {
		t.Errorf("shutdown took %v with a fresh connection open; want it under the 1 s drain", took)
	}
}

// answerOK answers every request with "ok".
var answerOK = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	_, _ = io.WriteString(w, "ok")
})
