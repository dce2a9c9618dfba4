package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/app"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// nilCtx is a nil context, passed on purpose: it is bad input.
var nilCtx context.Context

func TestBadInput(t *testing.T) {
	inv := app.ErrInvalidArgument
	node := otptest.NewNode(t)
	var tr otptest.Trace
	good := app.Spec{Name: "shop", Parts: parts(&tr, "storage")}
	a := newApp(t, node, good.Parts)
	stopped, err := process.NewNode()
	if err != nil {
		t.Fatal(err)
	}
	if err := stopped.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	start := func(*process.Node) (process.PID, error) { return process.PID{}, nil }
	newWith := func(spec app.Spec, opts ...app.Option) func() error {
		return func() error { _, err := app.New(node, spec, opts...); return err }
	}
	var nilApp *app.App
	zeroApp := new(app.App)
	bg := context.Background()

	cases := []struct {
		name string
		call func() error
		want error
	}{
		{"ErrInvalidSpec", func() error { return app.ErrInvalidSpec }, inv},
		{"ErrInvalidOption", func() error { return app.ErrInvalidOption }, inv},

		{"New(nil node)", func() error { _, err := app.New(nil, good); return err }, inv},
		{"New(stopped node)", func() error { _, err := app.New(stopped, good); return err }, process.ErrNodeStopped},
		{"New(empty name)", newWith(app.Spec{Parts: good.Parts}), inv},
		{"New(no parts)", newWith(app.Spec{Name: "shop"}), inv},
		{"New(empty part name)", newWith(app.Spec{Name: "shop", Parts: []app.Part{{Start: start}}}), inv},
		{"New(duplicate part)", newWith(app.Spec{Name: "shop", Parts: []app.Part{{Name: "a", Start: start}, {Name: "a", Start: start}}}), inv},
		{"New(Start and Tree)", newWith(app.Spec{Name: "shop", Parts: []app.Part{{
			Name: "a", Start: start, TreeOptions: []supervisor.Option{supervisor.WithName("x")},
		}}}), inv},
		{"New(nil TreeOptions entry)", newWith(app.Spec{Name: "shop", Parts: []app.Part{{
			Name: "a", TreeOptions: []supervisor.Option{nil},
		}}}), inv},
		{"New(nil option)", newWith(good, nil), inv},
		{"WithLogger(nil)", newWith(good, app.WithLogger(nil)), inv},
		{"WithShutdownTimeout(0)", newWith(good, app.WithShutdownTimeout(0)), inv},
		{"WithSignals(nil)", newWith(good, app.WithSignals(nil)), inv},
		{"WithStopHook(nil)", newWith(good, app.WithStopHook(nil)), inv},

		{"RegisterOnStop(nil)", func() error { return a.RegisterOnStop(nil) }, inv},
		{"Start(nil ctx)", func() error { return a.Start(nilCtx) }, inv},
		{"Stop(nil ctx)", func() error { return a.Stop(nilCtx) }, inv},
		{"Run(nil ctx)", func() error { return a.Run(nilCtx) }, inv},

		{"nil Start", func() error { return nilApp.Start(bg) }, inv},
		{"nil Stop", func() error { return nilApp.Stop(bg) }, inv},
		{"nil Run", func() error { return nilApp.Run(bg) }, inv},
		{"nil RegisterOnStop", func() error { return nilApp.RegisterOnStop(func() {}) }, inv},
		{"zero Start", func() error { return zeroApp.Start(bg) }, inv},
		{"zero Stop", func() error { return zeroApp.Stop(bg) }, inv},
		{"zero RegisterOnStop", func() error { return zeroApp.RegisterOnStop(func() {}) }, inv},
		{"nil and zero getters", func() error {
			nilApp.Kill()
			zeroApp.Kill()
			if _, ok := nilApp.PID("storage"); ok || nilApp.Name() != "" {
				return errors.New("a nil App has a part or a name")
			}
			return nil
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := otptest.NoPanic(tc.call)
			switch {
			case tc.want == nil && err != nil:
				t.Fatalf("%s = %v; want nil", tc.name, err)
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Fatalf("%s = %v; want an error matching %v", tc.name, err, tc.want)
			}
		})
	}
	// The bad calls left a usable, unstarted application behind.
	ctx, cancel := context.WithTimeout(bg, 5*time.Second)
	defer cancel()
	if err := a.Start(ctx); err != nil {
		t.Fatalf("Start after bad calls = %v; want nil", err)
	}
	if err := a.Stop(ctx); err != nil {
		t.Fatalf("Stop = %v; want nil", err)
	}
}
