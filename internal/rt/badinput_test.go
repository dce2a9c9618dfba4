package rt_test

import (
	"errors"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// These cases were process's own until the plumbing moved here: bad input
// never panics, and errors match process.ErrInvalidArgument
// (docs/ERRORS.md).

type nopHandler struct{}

func (nopHandler) HandleMessage(*process.Proc, process.Msg) error { return nil }

// starterHandler is a handler with HandleStart that does nothing.
type starterHandler struct{ nopHandler }

func (starterHandler) HandleStart(*process.Proc) error { return nil }

type nopExpirer struct{ expired chan struct{} }

func (e nopExpirer) Expire() { close(e.expired) }

// zeroOr returns an error unless ok.
func zeroOr(ok bool, what string) error {
	if ok {
		return nil
	}
	return errors.New("got " + what)
}

func TestBadInput(t *testing.T) {
	inv := process.ErrInvalidArgument
	var nilNode *process.Node
	node := otptest.NewNode(t)
	live := otptest.SpawnIdle(t, node)
	fn := func(*process.Proc) error { return nil }

	cases := []struct {
		name string
		call func() error
		want error
	}{
		{"SpawnSuspended(nil node)", func() error { _, err := rt.SpawnSuspended(nilNode, live, nopHandler{}); return err }, inv},
		{"LookupOn(nil node)", func() error { _, err := rt.LookupOn(nilNode, live); return err }, inv},
		{"OnExit(nil node)", func() error { _, err := rt.OnExit(nilNode, live, func(process.PID, error) {}); return err }, inv},
		{"StopDeadline(nil node)", func() error { return zeroOr(!rt.StopDeadline(nilNode, new(rt.Deadline)), "true") }, nil},
		{"Value(nil node)", func() error { return zeroOr(rt.Value(nilNode, "k", func() any { return 1 }) == nil, "a value") }, nil},
		{"StartDeadline(nil node) expires at once", func() error {
			e := nopExpirer{make(chan struct{})}
			rt.StartDeadline(nilNode, new(rt.Deadline), time.Hour, e)
			select {
			case <-e.expired:
				return nil
			default:
				return errors.New("not expired")
			}
		}, nil},
		{"Spawn(Announce(nil))", func() error { _, err := node.Spawn(fn, rt.Announce(nil)); return err }, inv},
		{"SpawnSuspended(nil handler)", func() error { _, err := rt.SpawnSuspended(node, live, nil); return err }, inv},
		{"SpawnSuspended(zero parent)", func() error {
			_, err := rt.SpawnSuspended(node, process.PID{}, starterHandler{})
			return err
		}, inv},
		{"LookupOn(zero PID)", func() error { _, err := rt.LookupOn(node, process.PID{}); return err }, inv},
		{"rt.Lookup(zero PID)", func() error { _, err := rt.Lookup(process.PID{}); return err }, inv},
		{"OnExit(nil)", func() error { _, err := rt.OnExit(node, live, nil); return err }, inv},
		{"OnExit(zero PID)", func() error { _, err := rt.OnExit(node, process.PID{}, func(process.PID, error) {}); return err }, inv},
		{"Value(uncomparable key)", func() error { return zeroOr(rt.Value(node, []int{1}, func() any { return 1 }) == nil, "a value") }, nil},
		{"Value(nil init)", func() error { return zeroOr(rt.Value(node, struct{ badInputKey int }{}, nil) == nil, "a value") }, nil},
		{"StopDeadline(nil)", func() error { return zeroOr(!rt.StopDeadline(node, nil), "true") }, nil},
		{"StartDeadline(nil expirer)", func() error { rt.StartDeadline(node, new(rt.Deadline), time.Hour, nil); return nil }, nil},
		{"StartDeadline(nil deadline) expires at once", func() error {
			e := nopExpirer{make(chan struct{})}
			rt.StartDeadline(node, nil, time.Hour, e)
			select {
			case <-e.expired:
				return nil
			default:
				return errors.New("not expired")
			}
		}, nil},
		{"zero Suspended.Resume", func() error { rt.Suspended{}.Resume(); return nil }, nil},
		{"zero Target.Send", func() error { return rt.Target{}.Send("x") }, inv},
		{"zero Target.PID", func() error { return zeroOr(rt.Target{}.PID().IsZero(), "a pid") }, nil},
		{"zero Target.Node", func() error { return zeroOr(rt.Target{}.Node() == nil, "a node") }, nil},
		{"zero Target.Alive", func() error { return zeroOr(!rt.Target{}.Alive(), "alive") }, nil},
		{"zero Target.Reason", func() error { return zeroOr(rt.Target{}.Reason() == nil, "a reason") }, nil},
		{"zero Target.Done", func() error {
			select {
			case <-rt.Target{}.Done():
				return nil
			default:
				return errors.New("open channel")
			}
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
}
