package nodeenv_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"

	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/timeouts"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

func TestDefaultsOutsideAndOnAPlainNode(t *testing.T) {
	plain := otptest.NewNode(t)
	for _, n := range []*process.Node{nil, plain} {
		if got := nodeenv.Timeouts(n); got != timeouts.Default() {
			t.Errorf("Timeouts(%v) = %p; want timeouts.Default()", n, got)
		}
		if got := nodeenv.Logger(n); got != slog.Default() {
			t.Errorf("Logger(%v) = %p; want slog.Default()", n, got)
		}
		if got := nodeenv.Telemetry(n); got != telemetry.Default() {
			t.Errorf("Telemetry(%v) = %p; want telemetry.Default()", n, got)
		}
	}
}

func TestNodeOptions(t *testing.T) {
	cfg, err := timeouts.New(timeouts.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	reg := telemetry.New()
	n := otptest.NewNode(t, process.Config{Timeouts: cfg, Logger: log, Telemetry: reg})
	if got := nodeenv.Timeouts(n); got != cfg {
		t.Errorf("Timeouts = %p; want the node's %p", got, cfg)
	}
	if got := nodeenv.Logger(n); got != log {
		t.Errorf("Logger = %p; want the node's %p", got, log)
	}
	if got := nodeenv.Telemetry(n); got != reg {
		t.Errorf("Telemetry = %p; want the node's %p", got, reg)
	}
}

// TestConfigsCompose: several process.Configs given to one node compose,
// field by field, the later ones winning; a zero field leaves what an
// earlier Config set.
func TestConfigsCompose(t *testing.T) {
	cfg, err := timeouts.New(timeouts.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	first, last := slog.New(slog.DiscardHandler), slog.New(slog.DiscardHandler)
	reg := telemetry.New()
	n := otptest.NewNode(t,
		process.Config{Logger: first, Timeouts: cfg},
		process.Config{Telemetry: reg},
		&process.Config{Logger: last},
		process.Config{})
	if got := nodeenv.Timeouts(n); got != cfg {
		t.Errorf("Timeouts = %p; want the first Config's %p", got, cfg)
	}
	if got := nodeenv.Logger(n); got != last {
		t.Errorf("Logger = %p; want the last Config's %p", got, last)
	}
	if got := nodeenv.Telemetry(n); got != reg {
		t.Errorf("Telemetry = %p; want the second Config's %p", got, reg)
	}
	var aerr *process.ArgumentError
	if _, err := process.NewNode(process.Config{Logger: first}, process.Config{StopGrace: -1}); !errors.As(err, &aerr) ||
		aerr.Op != "process: NewNode" || aerr.Arg != "Config.StopGrace" {
		t.Errorf("NewNode(Config{StopGrace: -1}) = %v; want an *ArgumentError for Config.StopGrace", err)
	}
}

// res records its closing in a shared log.
type res struct {
	name string
	log  *[]string
	mu   *sync.Mutex
}

func (r res) Close(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	*r.log = append(*r.log, r.name)
	return nil
}

type keyA struct{}
type keyB struct{}

// TestResourcesSharedAndClosedInReverse: concurrent users of one key
// share one open; Close closes in reverse opening order, once; Open then
// fails with ErrClosed.
func TestResourcesSharedAndClosedInReverse(t *testing.T) {
	n := otptest.NewNode(t)
	var mu sync.Mutex
	var closed []string
	opens := 0
	openA := func() (nodeenv.Resource, error) {
		mu.Lock()
		opens++
		mu.Unlock()
		return res{"a", &closed, &mu}, nil
	}
	var wg sync.WaitGroup
	got := make([]nodeenv.Resource, 8)
	for i := range got {
		wg.Go(func() {
			r, err := nodeenv.Open(n, keyA{}, openA)
			if err != nil {
				t.Error(err)
			}
			got[i] = r
		})
	}
	wg.Wait()
	if opens != 1 {
		t.Fatalf("opens = %d; want 1 shared open", opens)
	}
	if _, err := nodeenv.Open(n, keyB{}, func() (nodeenv.Resource, error) { return nil, errors.New("boom") }); err == nil {
		t.Fatal("failing open succeeded")
	}
	if _, ok := nodeenv.Lookup(n, keyB{}); ok {
		t.Fatal("a failed open is listed")
	}
	if _, err := nodeenv.Open(n, keyB{}, func() (nodeenv.Resource, error) { return res{"b", &closed, &mu}, nil }); err != nil {
		t.Fatalf("open after a failed open = %v", err)
	}
	if err := nodeenv.Close(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	if err := nodeenv.Close(context.Background(), n); err != nil {
		t.Fatalf("second Close = %v; want nil", err)
	}
	if want := []string{"b", "a"}; !slices.Equal(closed, want) {
		t.Errorf("closed %v; want %v (reverse opening order, once)", closed, want)
	}
	if _, err := nodeenv.Open(n, keyA{}, openA); !errors.Is(err, nodeenv.ErrClosed) {
		t.Errorf("Open after Close = %v; want ErrClosed", err)
	}
}

// TestNodeStopClosesResources: on a node without an application, the
// node's Stop closes its resources once its processes are gone.
func TestNodeStopClosesResources(t *testing.T) {
	n := otptest.NewNode(t)
	var mu sync.Mutex
	var closed []string
	if _, err := n.Spawn(func(p *process.Proc) error {
		<-p.Context().Done()
		mu.Lock()
		closed = append(closed, "process")
		mu.Unlock()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := nodeenv.Open(n, keyA{}, func() (nodeenv.Resource, error) { return res{"a", &closed, &mu}, nil }); err != nil {
		t.Fatal(err)
	}
	if err := n.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if want := []string{"process", "a"}; !slices.Equal(closed, want) {
		t.Errorf("closed %v; want %v (the resource after the node's processes)", closed, want)
	}
}
