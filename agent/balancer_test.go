package agent_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

func TestBalancer(t *testing.T) {
	_, sys := startSystem(t, agent.WithStore(agent.NewMemoryStore()))
	ctx := ctxT(t)
	k := testKind(t, nil)
	for _, id := range []string{"w1", "w2", "w3"} {
		if _, err := sys.Spawn(ctx, agent.Config{ID: id, Kind: k, Capabilities: []string{"work"}}); err != nil {
			t.Fatal(err)
		}
	}
	rr, _ := sys.Balancer("work", agent.BalancerOptions{Strategy: agent.RoundRobin})
	var got []string
	for range 6 {
		_, id, err := agent.Dispatch[int](ctx, rr, "", "add", addIn{By: 1})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, id)
	}
	if fmt.Sprint(got) != "[w1 w2 w3 w1 w2 w3]" {
		t.Errorf("round robin = %v", got)
	}
	ch, _ := sys.Balancer("work", agent.BalancerOptions{Strategy: agent.ConsistentHash})
	first := map[string]string{}
	for i := range 20 {
		key := fmt.Sprint("k", i)
		id, _ := ch.Pick(key)
		if again, _ := ch.Pick(key); again != id {
			t.Fatalf("key %s went to %s then %s", key, id, again)
		}
		first[key] = id
	}
	// a hibernated agent is skipped (cold); only its keys move
	if err := sys.Hibernate(ctx, "w2"); err != nil {
		t.Fatal(err)
	}
	for key, was := range first {
		id, _ := ch.Pick(key)
		if id == "w2" || (was != "w2" && id != was) {
			t.Errorf("key %s: %s then %s", key, was, id)
		}
	}
	// least in flight, with a bound: a busy agent is skipped
	li, _ := sys.Balancer("work", agent.BalancerOptions{MaxInFlight: 1})
	started := make(chan struct{}, 1)
	runCtx, cancel := context.WithCancel(agent.WithProgress(ctx, func(agent.Progress) { started <- struct{}{} }))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, _ = agent.Run[int](runCtx, sys, "w1", "slow", struct{}{})
	}()
	<-started
	for range 3 {
		if id, err := li.Pick(""); err != nil || id != "w3" {
			t.Errorf("least in flight = %s, %v; want w3", id, err)
		}
	}
	cancel()
	wg.Wait()
	none, _ := sys.Balancer("fly", agent.BalancerOptions{})
	if _, err := none.Pick(""); !errors.Is(err, agent.ErrNoAgent) {
		t.Errorf("no agent: %v", err)
	}
	cold, _ := sys.Balancer("work", agent.BalancerOptions{WakeCold: true})
	_ = sys.StopAgent(ctx, "w1")
	_ = sys.StopAgent(ctx, "w3")
	if _, id, err := agent.Dispatch[int](ctx, cold, "", "get", struct{}{}); err != nil || id != "w2" {
		t.Errorf("wake cold = %s, %v", id, err)
	}
}

func TestPerfMonitorAndTelemetry(t *testing.T) {
	reg := telemetry.New()
	var mu sync.Mutex
	events := map[string]int{}
	if err := reg.Attach("t", []string{agent.EventActionStop, agent.EventStatusChanged, agent.EventCrashed}, func(ev string, m telemetry.Measurements, md telemetry.Metadata) {
		mu.Lock()
		events[ev+"/"+fmt.Sprint(md["outcome"])]++
		mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	node := otptest.NewNode(t, process.Config{Telemetry: reg})
	sys, err := agent.Start(node)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	defer sys.Stop(ctx)
	if _, err := sys.Spawn(ctx, agent.Config{ID: "p", Kind: testKind(t, nil)}); err != nil {
		t.Fatal(err)
	}
	for range 9 {
		_, _ = agent.Run[int](ctx, sys, "p", "add", addIn{By: 1})
	}
	_, _ = agent.Run[int](ctx, sys, "p", "fail", struct{}{})
	_, _ = agent.Run[int](ctx, sys, "p", "crash", struct{}{})
	st, err := sys.AgentStats("p")
	if err != nil || st.Count != 10 || st.Errors != 1 || st.ErrorRate != 0.1 || st.Throughput <= 0 {
		t.Errorf("agent stats = %+v, %v", st, err)
	}
	var add agent.Stats
	for _, s := range sys.ActionStats() {
		if s.Action == "add" {
			add = s
		}
	}
	if add.Kind != "counter" || add.Count != 9 || add.P50 <= 0 || add.P99 < add.P50 {
		t.Errorf("add stats = %+v", add)
	}
	otptest.Eventually(t, 5*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return events[agent.EventActionStop+"/ok"] == 9 && events[agent.EventActionStop+"/error"] == 1 &&
			events[agent.EventCrashed+"/<nil>"] == 1 && events[agent.EventStatusChanged+"/<nil>"] >= 5
	}, "telemetry events")
}
