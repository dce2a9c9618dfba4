package clusterbench

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/cluster"
	"github.com/seed-fe72f376/orchard/process"
)

// TestClusterRegistry prints the global registry's registrations and
// lookups per second on three node OS processes (this one and two
// others; Replicas 3), against floors on the same topology: a raw
// JetStream KV Create on an R3 bucket of three embedded nats-servers
// with JetStream (one in each process, joined by routes, an in-process
// connection here) for a registration, and a local process-registry
// lookup (process.Node.WhereIs) for a lookup, which the global registry
// serves from the cache its KV watch keeps. ergo has no global registry
// and no peer of bench/peers has one to compare. Orchard and the floor
// alternate, several rounds.
func TestClusterRegistry(t *testing.T) {
	if os.Getenv("ORCHARD_CLUSTER_BENCH") == "" {
		t.Skip("set ORCHARD_CLUSTER_BENCH=1 to run the cluster workloads (three OS processes)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	a, stopA := startBenchNode(ctx, t, cluster.Config{Name: "reg-a", Replicas: 3})
	srv, nc, rawRoute, err := rawServer("raw-reg-a", nil, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	t.Cleanup(nc.Close)
	b := startNode(t, "reg-b", a.RouteURL(), rawRoute, "")
	c := startNode(t, "reg-c", a.RouteURL(), rawRoute, "")
	awaitCluster(t, a, a.Name(), b.name, c.name)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	raw := rawKV(t, js, "raw_registry", 3)
	// A second raw bucket is watched on every node, as the registry
	// bucket is by every node's cache.
	watched := rawKV(t, js, "raw_watched", 3)
	stopWatch, err := drainWatch(js, "raw_watched")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stopWatch)
	b.ask(t, "WATCH raw_watched")
	c.ask(t, "WATCH raw_watched")
	holder, err := a.Process().Spawn(idle)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.RegisterGlobal(ctx, "warm", holder); err != nil { // makes the bucket
		t.Fatal(err)
	}
	for _, kv := range []jetstream.KeyValue{raw, watched} {
		if _, err := kv.Create(ctx, "warm", []byte(`{"n":1,"i":1}`)); err != nil {
			t.Fatal(err)
		}
	}

	// Registrations, one at a time: RegisterGlobal (a KV create, then
	// the local cache and an exit hook) against a raw KV Create of a
	// value of the same size, on a bucket nobody watches and on one
	// that every node watches. The names of one caller are held by one
	// idle process.
	const workers = 16
	holders := []process.PID{holder}
	for range workers - 1 {
		h, err := a.Process().Spawn(idle)
		if err != nil {
			t.Fatal(err)
		}
		holders = append(holders, h)
	}
	val := []byte(fmt.Sprintf(`{"n":%d,"i":%d}`, holder.Node(), holder.ID()))
	regs := [3]func(w int, name string) error{
		func(w int, name string) error { _, err := a.RegisterGlobal(ctx, name, holders[w]); return err },
		func(_ int, name string) error { _, err := raw.Create(ctx, name, val); return err },
		func(_ int, name string) error { _, err := watched.Create(ctx, name, val); return err },
	}
	kinds := []string{"orchard RegisterGlobal:", "raw KV Create:", "raw KV Create, watched:"}
	const rounds, batch = 5, 200
	var rates [3][]float64
	var lat [3][]time.Duration
	for r := range rounds {
		for k, reg := range regs {
			start := time.Now()
			for i := range batch {
				s := time.Now()
				if err := reg(0, fmt.Sprintf("s%d.%d", r, i)); err != nil {
					t.Fatal(err)
				}
				lat[k] = append(lat[k], time.Since(s))
			}
			rates[k] = append(rates[k], batch/time.Since(start).Seconds())
		}
	}
	for k, what := range kinds {
		slices.Sort(lat[k])
		n := len(lat[k])
		t.Logf("registry sequential %-24s median %.0f registrations/s over %d rounds of %d (p50 %v p99 %v)",
			what, median(rates[k]), rounds, batch, lat[k][n/2].Round(time.Microsecond), lat[k][n*99/100].Round(time.Microsecond))
	}
	t.Logf("registry sequential orchard/raw: %.2f, orchard/raw watched: %.2f (medians of the per-round ratios)",
		ratio(rates[0], rates[1]), ratio(rates[0], rates[2]))

	// Registrations from 16 concurrent callers.
	const each, crounds = 50, 3
	rates = [3][]float64{}
	for r := range crounds {
		for k, reg := range regs {
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			start := time.Now()
			for w := range workers {
				wg.Go(func() {
					for i := range each {
						if err := reg(w, fmt.Sprintf("c%d.%d.%d", r, w, i)); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			el := time.Since(start)
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			rates[k] = append(rates[k], workers*each/el.Seconds())
		}
	}
	for k, what := range kinds {
		t.Logf("registry %d callers %-24s median %.0f registrations/s over %d rounds of %d", workers, what, median(rates[k]), crounds, workers*each)
	}
	t.Logf("registry %d callers orchard/raw: %.2f, orchard/raw watched: %.2f", workers, ratio(rates[0], rates[1]), ratio(rates[0], rates[2]))

	// Lookups of names another node registered, from this node's cache,
	// against local process-registry lookups of as many names.
	const names = 100
	b.ask(t, "REGISTER "+strconv.Itoa(names)+" b.")
	var global, local []string
	for i := range names {
		global = append(global, "b."+strconv.Itoa(i))
		l := "l." + strconv.Itoa(i)
		if _, err := a.Process().Spawn(idle, process.WithName(l)); err != nil {
			t.Fatal(err)
		}
		local = append(local, l)
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		all := true
		for _, g := range global {
			if _, _, ok := a.WhereIsGlobal(g); !ok {
				all = false
				break
			}
		}
		if all {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the names registered on reg-b are not all in reg-a's cache after 30 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	const lookups = 1_000_000
	lookupsOf := [3]func(i int) bool{
		func(i int) bool { _, _, ok := a.WhereIsGlobal(global[i%names]); return ok },
		func(i int) bool { _, err := cluster.Global(a, global[i%names]).Resolve(); return err == nil },
		func(i int) bool { _, ok := a.Process().WhereIs(local[i%names]); return ok },
	}
	var lrates [3][]float64
	for range rounds {
		for k, look := range lookupsOf {
			start := time.Now()
			for i := range lookups {
				if !look(i) {
					t.Fatalf("lookup %d of kind %d failed", i, k)
				}
			}
			lrates[k] = append(lrates[k], lookups/time.Since(start).Seconds())
		}
	}
	for k, what := range []string{"orchard WhereIsGlobal:", "orchard Global(n, name).Resolve:", "local process.Node.WhereIs:"} {
		t.Logf("registry lookups %-33s median %.3g lookups/s over %d rounds of %d", what, median(lrates[k]), rounds, lookups)
	}
	t.Logf("registry lookups WhereIsGlobal/local: %.2f, Resolve/local: %.2f", ratio(lrates[0], lrates[2]), ratio(lrates[1], lrates[2]))

	// For scale: a lookup that asks the name's node (RemoteName.Resolve,
	// OTP's {Name, Node}) takes a round trip.
	const remote = 2000
	start := time.Now()
	for range remote {
		if _, err := a.RemoteName(b.name, "idle").Resolve(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("registry remote lookup RemoteName.Resolve (a round trip to reg-b): %.0f lookups/s", remote/time.Since(start).Seconds())
	stopA()
}

// median returns the median of xs (not empty).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// ratio returns the median of the ratios xs[i]/ys[i].
func ratio(xs, ys []float64) float64 {
	rs := make([]float64, len(xs))
	for i := range xs {
		rs[i] = xs[i] / ys[i]
	}
	return median(rs)
}
