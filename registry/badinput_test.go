package registry_test

import (
	"context"
	"errors"
	"testing"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
)

// zeroOr returns an error unless ok.
func zeroOr(ok bool, what string) error {
	if ok {
		return nil
	}
	return errors.New("got " + what)
}

func TestBadInput(t *testing.T) {
	inv := registry.ErrInvalidArgument
	node := otptest.NewNode(t)
	pid := otptest.SpawnIdle(t, node)
	r, err := registry.New(node)
	if err != nil {
		t.Fatal(err)
	}
	dup, err := registry.New(node, registry.WithKeys(registry.Duplicate))
	if err != nil {
		t.Fatal(err)
	}
	stopped, err := process.NewNode()
	if err != nil {
		t.Fatal(err)
	}
	if err := stopped.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	var nilReg *registry.Registry
	zeroReg := new(registry.Registry)
	badKey := []int{1}

	cases := []struct {
		name string
		call func() error
		want error // nil: call returns an error only when it misbehaves
	}{
		{"ErrInvalidKey", func() error { return registry.ErrInvalidKey }, inv},
		{"ErrInvalidOption", func() error { return registry.ErrInvalidOption }, inv},
		{"same sentinel", func() error { return process.ErrInvalidArgument }, inv},

		{"New(nil node)", func() error { _, err := registry.New(nil); return err }, inv},
		{"New(nil option)", func() error { _, err := registry.New(node, nil); return err }, inv},
		{"New(WithKeys(7))", func() error { _, err := registry.New(node, registry.WithKeys(7)); return err }, inv},
		{"New(WithPartitions(0))", func() error { _, err := registry.New(node, registry.WithPartitions(0)); return err }, inv},
		{"New(WithListener(nil))", func() error { _, err := registry.New(node, registry.WithListener(nil)); return err }, inv},
		{"New(stopped node)", func() error { _, err := registry.New(stopped); return err }, process.ErrNodeStopped},

		{"Register(zero PID)", func() error { return r.Register(process.PID{}, "k", nil) }, inv},
		{"Register(bad key)", func() error { return r.Register(pid, badKey, nil) }, inv},
		{"UpdateValue(zero PID)", func() error { return r.UpdateValue(process.PID{}, "k", func(v any) any { return v }) }, inv},
		{"UpdateValue(nil update)", func() error { return r.UpdateValue(pid, "k", nil) }, inv},
		{"UpdateValue(bad key)", func() error { return r.UpdateValue(pid, badKey, func(v any) any { return v }) }, inv},
		{"Lookup(bad key)", func() error { return zeroOr(r.Lookup(badKey) == nil, "entries") }, nil},
		{"WhereIs(bad key)", func() error { _, ok := r.WhereIs(badKey); return zeroOr(!ok, "a pid") }, nil},
		{"CountKey(bad key)", func() error { return zeroOr(r.CountKey(badKey) == 0, "entries") }, nil},
		{"Unregister(bad key)", func() error { r.Unregister(pid, badKey); return nil }, nil},
		{"Match(nil)", func() error { return zeroOr(dup.Match("k", nil) == nil, "entries") }, nil},
		{"Dispatch(nil)", func() error { dup.Dispatch("k", nil); return nil }, nil},

		{"Via(nil).Resolve", func() error { _, err := registry.Via(nil, "k").Resolve(); return err }, inv},
		{"Via(nil).RegisterName", func() error { return registry.Via(nil, "k").RegisterName(pid) }, inv},
		{"zero ViaName.Resolve", func() error { _, err := registry.ViaName{}.Resolve(); return err }, inv},
		{"zero ViaName.String", func() error { return zeroOr(registry.ViaName{}.String() == "via(<nil>)", "another text") }, nil},
		{"Via(r, bad key).Resolve", func() error { _, err := registry.Via(r, badKey).Resolve(); return err }, inv},
		{"Via(r).RegisterName(zero PID)", func() error { return registry.Via(r, "k").RegisterName(process.PID{}) }, inv},
		{"send to Via(nil)", func() error { return node.SendDest(registry.Via(nil, "k"), "x") }, inv},

		{"nil Close", func() error { return nilReg.Close() }, inv},
		{"nil Register", func() error { return nilReg.Register(pid, "k", nil) }, inv},
		{"nil UpdateValue", func() error { return nilReg.UpdateValue(pid, "k", func(v any) any { return v }) }, inv},
		{"nil Kind", func() error { return zeroOr(nilReg.Kind() == registry.Unique, "another kind") }, nil},
		{"nil Lookup", func() error { return zeroOr(nilReg.Lookup("k") == nil, "entries") }, nil},
		{"nil WhereIs", func() error { _, ok := nilReg.WhereIs("k"); return zeroOr(!ok, "a pid") }, nil},
		{"nil Keys", func() error { return zeroOr(nilReg.Keys(pid) == nil, "keys") }, nil},
		{"nil Values", func() error { return zeroOr(nilReg.Values("k", pid) == nil, "values") }, nil},
		{"nil Match", func() error { return zeroOr(nilReg.Match("k", func(any) bool { return true }) == nil, "entries") }, nil},
		{"nil Count", func() error { return zeroOr(nilReg.Count() == 0, "entries") }, nil},
		{"nil CountKey", func() error { return zeroOr(nilReg.CountKey("k") == 0, "entries") }, nil},
		{"nil Dispatch", func() error { nilReg.Dispatch("k", func([]registry.Entry) {}); return nil }, nil},
		{"nil Unregister", func() error { nilReg.Unregister(pid, "k"); return nil }, nil},

		{"zero Close", func() error { return zeroReg.Close() }, inv},
		{"zero Register", func() error { return zeroReg.Register(pid, "k", nil) }, inv},
		{"zero Lookup", func() error { return zeroOr(zeroReg.Lookup("k") == nil, "entries") }, nil},
		{"zero Keys", func() error { return zeroOr(zeroReg.Keys(pid) == nil, "keys") }, nil},
		{"zero Count", func() error { return zeroOr(zeroReg.Count() == 0, "entries") }, nil},
		{"zero Via.Resolve", func() error { _, err := registry.Via(zeroReg, "k").Resolve(); return err }, inv},
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
	if n := r.Count(); n != 0 {
		t.Fatalf("Count() = %d after bad registrations; want 0", n)
	}
}
