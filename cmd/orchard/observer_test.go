package main

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/observer"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// The demo's server serves the observer at / next to /metrics and the
// probes; its actions need the token of the printed URL's fragment.
func TestDemoServesTheObserver(t *testing.T) {
	tel := telemetry.New()
	node := otptest.NewNode(t)
	obs, fragment, err := observerMount(node, tel, nil)
	if err != nil {
		t.Fatal(err)
	}
	token, ok := strings.CutPrefix(fragment, "#token=")
	if !ok || len(token) != 32 {
		t.Fatalf("fragment %q", fragment)
	}
	stop, addr, err := startHTTP(node, "127.0.0.1:0", tel, nil, obs)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := stop(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	base := "http://" + addr
	if code, body := httpGet(t, base+"/"); code != http.StatusOK || !strings.Contains(body, "Orchard observer") {
		t.Fatalf("GET / = %d %.80q", code, body)
	}
	if code, _ := httpGet(t, base+"/metrics"); code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", code)
	}
	victim, err := node.Spawn(func(p *process.Proc) error { <-p.Context().Done(); return nil })
	if err != nil {
		t.Fatal(err)
	}
	kill := func(tok string) int {
		client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		req, _ := http.NewRequest(http.MethodPost, base+"/api/kill?pid="+victim.String(), nil)
		if tok != "" {
			req.Header.Set(observer.TokenHeader, tok)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := kill(""); code != http.StatusForbidden || !node.IsAlive(victim) {
		t.Fatalf("kill without the token = %d", code)
	}
	if code := kill(token); code != http.StatusOK {
		t.Fatalf("kill with the token = %d", code)
	}
	otptest.Eventually(t, 5*time.Second, func() bool { return !node.IsAlive(victim) }, "the victim dies")
}

// A server that cannot start (its address is taken) closes the mounts
// it made, so the observer does not stay attached to telemetry.
func TestFailedServerClosesItsMounts(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	node := otptest.NewNode(t)
	closed := 0
	m := mount(func(*http.ServeMux) (func() error, error) {
		return func() error { closed++; return nil }, nil
	})
	if _, _, err := startHTTP(node, busy.Addr().String(), telemetry.New(), nil, m); err == nil {
		t.Fatal("startHTTP on a taken address succeeded")
	}
	if closed != 1 {
		t.Errorf("the mount was closed %d times; want 1", closed)
	}
}
