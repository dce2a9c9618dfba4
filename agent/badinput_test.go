package agent_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/otptest"
)

// TestBadInput walks the exported API with nil, zero, empty and invalid
// inputs: each call returns an *ArgumentError matching
// ErrInvalidArgument (docs/ERRORS.md), and none panics.
func TestBadInput(t *testing.T) {
	node, sys := startSystem(t)
	k := testKind(t, nil)
	var nilSys *agent.System
	var nilMem *agent.MemoryStore
	var nilCtx context.Context
	ctx := context.Background()
	noop := func(_ context.Context, _ *counter, _ struct{}) (int, []agent.Directive, error) { return 0, nil, nil }
	sensorNoop := func(ctx context.Context, _ func(agent.Signal) error) error { <-ctx.Done(); return nil }
	kindOf := func(s agent.Spec[counter]) error { _, err := agent.NewKind(s); return err }

	cases := []struct {
		name string
		call func() error
	}{
		{"Start nil node", func() error { _, err := agent.Start(nil); return err }},
		{"Start nil option", func() error { _, err := agent.Start(node, nil); return err }},
		{"WithStore nil", func() error { _, err := agent.Start(node, agent.WithStore(nil)); return err }},
		{"WithErrorStore nil", func() error { _, err := agent.Start(node, agent.WithErrorStore(nil)); return err }},
		{"WithSender nil", func() error { _, err := agent.Start(node, agent.WithSender(nil)); return err }},
		{"WithDeadLetters nil", func() error { _, err := agent.Start(node, agent.WithDeadLetters(nil)); return err }},
		{"WithStatusListener nil", func() error { _, err := agent.Start(node, agent.WithStatusListener(nil)); return err }},
		{"WithLogger nil", func() error { _, err := agent.Start(node, agent.WithLogger(nil)); return err }},
		{"WithConfirm bad level", func() error { _, err := agent.Start(node, agent.WithConfirm(7)); return err }},
		{"NewKind empty name", func() error { return kindOf(agent.Spec[counter]{}) }},
		{"NewKind negative buffer", func() error { return kindOf(agent.Spec[counter]{Name: "x", Buffer: -1}) }},
		{"NewKind zero action", func() error { return kindOf(agent.Spec[counter]{Name: "x", Actions: []agent.Action[counter]{{}}}) }},
		{"NewKind empty action name", func() error {
			return kindOf(agent.Spec[counter]{Name: "x", Actions: []agent.Action[counter]{agent.NewAction("", "", noop)}})
		}},
		{"NewKind nil action func", func() error {
			return kindOf(agent.Spec[counter]{Name: "x", Actions: []agent.Action[counter]{agent.NewAction[counter, struct{}, int]("a", "", nil)}})
		}},
		{"NewKind unschemable input", func() error {
			bad := agent.NewAction("a", "", func(_ context.Context, _ *counter, _ chan int) (int, []agent.Directive, error) { return 0, nil, nil })
			return kindOf(agent.Spec[counter]{Name: "x", Actions: []agent.Action[counter]{bad}})
		}},
		{"NewKind duplicate action", func() error {
			return kindOf(agent.Spec[counter]{Name: "x", Actions: []agent.Action[counter]{agent.NewAction("a", "", noop), agent.NewAction("a", "", noop)}})
		}},
		{"NewKind bad route pattern", func() error {
			return kindOf(agent.Spec[counter]{Name: "x", Actions: []agent.Action[counter]{agent.NewAction("a", "", noop)}, Routes: []agent.Route{{Pattern: "a..b", Action: "a"}}})
		}},
		{"NewKind route to unknown action", func() error {
			return kindOf(agent.Spec[counter]{Name: "x", Routes: []agent.Route{{Pattern: "a", Action: "a"}}})
		}},
		{"Register empty id", func() error { return sys.Register(agent.Config{Kind: k}) }},
		{"Register nil kind", func() error { return sys.Register(agent.Config{ID: "x"}) }},
		{"Register nil system", func() error { return nilSys.Register(agent.Config{ID: "x", Kind: k}) }},
		{"Spawn nil ctx", func() error { _, err := sys.Spawn(nilCtx, agent.Config{ID: "x", Kind: k}); return err }},
		{"StartAgent nil ctx", func() error { _, err := sys.StartAgent(nilCtx, "x"); return err }},
		{"StartAgent nil system", func() error { _, err := nilSys.StartAgent(ctx, "x"); return err }},
		{"StopAgent nil ctx", func() error { return sys.StopAgent(nilCtx, "x") }},
		{"StopAgent nil system", func() error { return nilSys.StopAgent(ctx, "x") }},
		{"Hibernate nil ctx", func() error { return sys.Hibernate(nilCtx, "x") }},
		{"Hibernate without store", func() error { return sys.Hibernate(ctx, "x") }},
		{"Unregister nil system", func() error { return nilSys.Unregister(ctx, "x") }},
		{"Status nil system", func() error { _, err := nilSys.Status("x"); return err }},
		{"Whereis nil system", func() error { _, err := nilSys.Whereis("x"); return err }},
		{"Actions nil system", func() error { _, err := nilSys.Actions("x"); return err }},
		{"Run nil system", func() error { _, err := agent.Run[int](ctx, nilSys, "x", "a", nil); return err }},
		{"Run nil ctx", func() error { _, err := agent.Run[int](nilCtx, sys, "x", "a", nil); return err }},
		{"Run empty id", func() error { _, err := agent.Run[int](ctx, sys, "", "a", nil); return err }},
		{"Run empty action", func() error { _, err := agent.Run[int](ctx, sys, "x", "", nil); return err }},
		{"RunJSON nil system", func() error { _, err := nilSys.RunJSON(ctx, "x", "a", nil); return err }},
		{"RunJSON nil ctx", func() error { _, err := sys.RunJSON(nilCtx, "x", "a", nil); return err }},
		{"Publish nil system", func() error { _, err := nilSys.Publish(ctx, agent.Signal{Type: "a"}); return err }},
		{"Publish nil ctx", func() error { _, err := sys.Publish(nilCtx, agent.Signal{Type: "a"}); return err }},
		{"Publish empty type", func() error { _, err := sys.Publish(ctx, agent.Signal{}); return err }},
		{"PublishTo nil system", func() error { _, err := nilSys.PublishTo(ctx, "x", agent.Signal{Type: "a"}); return err }},
		{"PublishTo nil ctx", func() error { _, err := sys.PublishTo(nilCtx, "x", agent.Signal{Type: "a"}); return err }},
		{"PublishTo empty id", func() error { _, err := sys.PublishTo(ctx, "", agent.Signal{Type: "a"}); return err }},
		{"PublishTo empty type", func() error { _, err := sys.PublishTo(ctx, "x", agent.Signal{}); return err }},
		{"Stop nil system", func() error { return nilSys.Stop(ctx) }},
		{"Stop nil ctx", func() error { return sys.Stop(nilCtx) }},
		{"Balancer nil system", func() error { _, err := nilSys.Balancer("c", agent.BalancerOptions{}); return err }},
		{"Balancer empty capability", func() error { _, err := sys.Balancer("", agent.BalancerOptions{}); return err }},
		{"Balancer bad strategy", func() error { _, err := sys.Balancer("c", agent.BalancerOptions{Strategy: 9}); return err }},
		{"Balancer negative bound", func() error { _, err := sys.Balancer("c", agent.BalancerOptions{MaxInFlight: -1}); return err }},
		{"Pick nil balancer", func() error { var b *agent.Balancer; _, err := b.Pick(""); return err }},
		{"Dispatch nil balancer", func() error { _, _, err := agent.Dispatch[int](ctx, nil, "", "a", nil); return err }},
		{"StartSensor nil system", func() error { _, err := nilSys.StartSensor(ctx, "s", sensorNoop); return err }},
		{"StartSensor nil ctx", func() error { _, err := sys.StartSensor(nilCtx, "s", sensorNoop); return err }},
		{"StartSensor empty id", func() error { _, err := sys.StartSensor(ctx, "", sensorNoop); return err }},
		{"StartSensor nil fn", func() error { _, err := sys.StartSensor(ctx, "s", nil); return err }},
		{"StartTimerSensor nil system", func() error { _, err := nilSys.StartTimerSensor(ctx, "s", "t", time.Second); return err }},
		{"StartTimerSensor nil ctx", func() error { _, err := sys.StartTimerSensor(nilCtx, "s", "t", time.Second); return err }},
		{"StartTimerSensor empty id", func() error { _, err := sys.StartTimerSensor(ctx, "", "t", time.Second); return err }},
		{"StartTimerSensor empty type", func() error { _, err := sys.StartTimerSensor(ctx, "s", "", time.Second); return err }},
		{"StartTimerSensor zero interval", func() error { _, err := sys.StartTimerSensor(ctx, "s", "t", 0); return err }},
		{"StartTimerSensor negative interval", func() error { _, err := sys.StartTimerSensor(ctx, "s", "t", -time.Second); return err }},
		{"MemoryStore.Save nil", func() error { return nilMem.Save(ctx, "x", agent.Snapshot{}) }},
		{"MemoryStore.Load nil", func() error { _, err := nilMem.Load(ctx, "x"); return err }},
		{"MemoryStore.Delete nil", func() error { return nilMem.Delete(ctx, "x") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := otptest.NoPanic(c.call)
			var ae *agent.ArgumentError
			if !errors.Is(err, agent.ErrInvalidArgument) || !errors.As(err, &ae) {
				t.Errorf("got %v, want an *ArgumentError", err)
			}
		})
	}
	// nil receivers of the query methods answer empty
	if nilSys.FindByCapability("x") != nil || nilSys.Errors(agent.CrashFilter{}) != nil {
		t.Error("nil system answered something")
	}
	var nilErrs *agent.MemoryErrorStore
	nilErrs.Record(agent.CrashRecord{})
	if nilErrs.Query(agent.CrashFilter{}) != nil || nilMem.Len() != 0 {
		t.Error("nil stores answered something")
	}
}
