package genserver_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/timeouts"
)

func TestDeliverRunsHandleInfo(t *testing.T) {
	node := otptest.NewNode(t)
	var got []any
	pid := start(t, node, &srv{info: func(_ *genserver.Self, msg any) error {
		got = append(got, msg)
		return nil
	}})
	for _, m := range []string{"a", "b"} {
		if err := genserver.Deliver(context.Background(), pid, m, 0); err != nil {
			t.Fatalf("Deliver(%q) = %v; want nil", m, err)
		}
	}
	// The calls below are ordered after the deliveries, so got is stable.
	if _, err := genserver.Call[any](context.Background(), pid, "sync"); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("HandleInfo saw %v; want [a b]", got)
	}
}

func TestDeliverCrashReportsReason(t *testing.T) {
	for _, tc := range []struct {
		name string
		info func(*genserver.Self, any) error
		want func(error) bool
	}{
		{"error", func(*genserver.Self, any) error { return errBoom }, func(err error) bool { return errors.Is(err, errBoom) }},
		{"panic", func(*genserver.Self, any) error { panic("bang") }, func(err error) bool {
			var pe *process.PanicError
			return errors.As(err, &pe) && pe.Value == "bang"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			node := otptest.NewNode(t)
			pid := start(t, node, &srv{info: tc.info})
			err := genserver.Deliver(context.Background(), pid, "x", 0)
			var ce *genserver.CallError
			if !errors.As(err, &ce) || !tc.want(err) {
				t.Fatalf("Deliver = %v; want a *CallError with the crash reason", err)
			}
		})
	}
}

func TestDeliverDeadServer(t *testing.T) {
	node := otptest.NewNode(t)
	pid := start(t, node, &srv{})
	if err := genserver.Stop(pid, nil, genserver.Infinity); err != nil {
		t.Fatal(err)
	}
	if err := genserver.Deliver(context.Background(), pid, "x", 0); !errors.Is(err, process.NoProc) {
		t.Fatalf("Deliver to dead = %v; want NoProc", err)
	}
}

func TestDeliverWithoutHandleInfo(t *testing.T) {
	node := otptest.NewNode(t)
	pid := start(t, node, initOnly{})
	if err := genserver.Deliver(context.Background(), pid, "x", 0); !errors.Is(err, genserver.ErrNotImplemented) {
		t.Fatalf("Deliver = %v; want ErrNotImplemented", err)
	}
	if !node.IsAlive(pid) {
		t.Fatal("server died; want it running")
	}
}

func TestDeliverBadTimeout(t *testing.T) {
	node := otptest.NewNode(t)
	pid := start(t, node, &srv{})
	if err := genserver.Deliver(context.Background(), pid, "x", -5); !errors.Is(err, genserver.ErrInvalidOption) {
		t.Fatalf("Deliver(timeout -5) = %v; want ErrInvalidOption", err)
	}
}

func TestDeliverTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		release := make(chan struct{})
		pid := start(t, node, &srv{info: func(*genserver.Self, any) error { <-release; return nil }})
		err := genserver.Deliver(context.Background(), pid, "x", time.Second)
		close(release)
		if !errors.Is(err, genserver.ErrTimeout) {
			t.Fatalf("Deliver = %v; want ErrTimeout", err)
		}
	})
}

// TestCallDefaultTimeoutFromConfig checks that a call with no deadline
// takes its timeout from the default timeouts configuration.
func TestCallDefaultTimeoutFromConfig(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := timeouts.Default()
		if err := cfg.Override(genserver.CallTimeoutKey, 2*time.Second); err != nil {
			t.Fatal(err)
		}
		defer cfg.ClearOverride(genserver.CallTimeoutKey)
		node := otptest.NewNode(t)
		release := make(chan struct{})
		pid := start(t, node, &srv{call: func(*genserver.Self, genserver.From, any) (any, error) {
			<-release
			return nil, nil
		}})
		begin := time.Now()
		_, err := genserver.Call[any](context.Background(), pid, "x")
		close(release)
		var ce *genserver.CallError
		want := time.Duration(float64(2*time.Second) * cfg.Factor())
		if !errors.As(err, &ce) || ce.Timeout != want || time.Since(begin) < want {
			t.Fatalf("Call = %v after %v; want a timeout after %v", err, time.Since(begin), want)
		}
	})
}

// TestCallDefaultTimeoutFromNode checks that a call with no deadline
// takes its timeout from the callee node's configuration
// (process.Config.Timeouts), not from timeouts.Default(), and that two nodes
// with different configurations do not share it.
func TestCallDefaultTimeoutFromNode(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, err := timeouts.New(timeouts.Spec{Operations: map[string]time.Duration{genserver.CallTimeoutKey: 300 * time.Millisecond}},
			timeouts.WithFactor(1))
		if err != nil {
			t.Fatal(err)
		}
		configured := otptest.NewNode(t, process.Config{Timeouts: cfg})
		plain := otptest.NewNode(t)
		release := make(chan struct{})
		defer close(release)
		block := func(*genserver.Self, genserver.From, any) (any, error) { <-release; return nil, nil }
		for _, tc := range []struct {
			name string
			node *process.Node
			want time.Duration
		}{
			{"configured", configured, 300 * time.Millisecond},
			{"default", plain, timeouts.Default().Get(genserver.CallTimeoutKey)},
		} {
			pid := start(t, tc.node, &srv{call: block})
			begin := time.Now()
			_, err := genserver.Call[any](context.Background(), pid, "x")
			var ce *genserver.CallError
			if !errors.As(err, &ce) || ce.Timeout != tc.want || time.Since(begin) != tc.want {
				t.Errorf("%s: Call = %v after %v; want a timeout after %v", tc.name, err, time.Since(begin), tc.want)
			}
		}
	})
}
