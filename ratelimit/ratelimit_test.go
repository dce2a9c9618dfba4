package ratelimit_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/time/rate"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/ratelimit"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

func newLimiter(t testing.TB, def ratelimit.Limit, opts ...ratelimit.Option) *ratelimit.Limiter {
	t.Helper()
	l, err := ratelimit.New(def, opts...)
	if err != nil {
		t.Fatalf("New(%v) = %v", def, err)
	}
	return l
}

// rejections attaches a handler counting EventRejected per key.
func rejections(t testing.TB) (*telemetry.Registry, func(key string) int) {
	t.Helper()
	reg := telemetry.New()
	var mu sync.Mutex
	byKey := map[string]int{}
	err := reg.Attach("test", []string{ratelimit.EventRejected}, func(_ string, _ telemetry.Measurements, md telemetry.Metadata) {
		mu.Lock()
		byKey[md["key"].(string)]++
		mu.Unlock()
	})
	if err != nil {
		t.Fatalf("Attach: %v", err)
	}
	return reg, func(key string) int {
		mu.Lock()
		defer mu.Unlock()
		return byKey[key]
	}
}

func TestAllowBurstAndRefill(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg, rejected := rejections(t)
		l := newLimiter(t, ratelimit.Limit{Rate: 1, Burst: 2}, ratelimit.WithTelemetry(reg))
		got := []bool{l.Allow("a"), l.Allow("a"), l.Allow("a"), l.Allow("b")}
		if want := []bool{true, true, false, true}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Allow a,a,a,b = %v; want %v", got, want)
		}
		time.Sleep(time.Second)
		if !l.Allow("a") {
			t.Errorf("Allow(a) after 1s = false; want true")
		}
		if l.Allow("a") {
			t.Errorf("second Allow(a) after 1s = true; want false")
		}
		if n := rejected("a"); n != 2 {
			t.Errorf("rejected events for a = %d; want 2", n)
		}
		if s := l.Stats(); s.Keys != 2 || s.Rejected != 2 {
			t.Errorf("Stats() = %+v; want 2 keys, 2 rejected", s)
		}
	})
}

func TestPerKeyLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		vip := ratelimit.Limit{Rate: 10, Burst: 3}
		l := newLimiter(t, ratelimit.Limit{Rate: 1, Burst: 1}, ratelimit.WithLimit("vip", vip))
		if got := l.LimitOf("vip"); got != vip {
			t.Errorf("LimitOf(vip) = %v; want %v", got, vip)
		}
		if n := allowed(l, "vip", 10); n != 3 {
			t.Errorf("vip allowed %d of 10; want 3", n)
		}
		if n := allowed(l, "other", 10); n != 1 {
			t.Errorf("other allowed %d of 10; want 1", n)
		}
		// SetLimit changes an existing bucket: burst 5 at 5/s.
		if err := l.SetLimit("other", ratelimit.Limit{Rate: 5, Burst: 5}); err != nil {
			t.Fatalf("SetLimit = %v", err)
		}
		time.Sleep(time.Second)
		if n := allowed(l, "other", 10); n != 5 {
			t.Errorf("other allowed %d of 10 after SetLimit; want 5", n)
		}
		err := l.SetLimit("other", ratelimit.Limit{Rate: -1, Burst: 1})
		var le *ratelimit.LimitError
		if !errors.As(err, &le) || le.Key != "other" || !errors.Is(err, ratelimit.ErrInvalidLimit) {
			t.Errorf("SetLimit(rate -1) = %v; want *LimitError for other", err)
		}
	})
}

func allowed(l *ratelimit.Limiter, key string, n int) int {
	ok := 0
	for range n {
		if l.Allow(key) {
			ok++
		}
	}
	return ok
}

func TestWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg, rejected := rejections(t)
		l := newLimiter(t, ratelimit.Limit{Rate: 1, Burst: 1},
			ratelimit.WithTelemetry(reg), ratelimit.WithLimit("blocked", ratelimit.Limit{}))
		ctx := context.Background()
		start := time.Now()
		if err := l.Wait(ctx, "k"); err != nil || time.Since(start) != 0 {
			t.Fatalf("first Wait = %v after %v; want nil at once", err, time.Since(start))
		}
		if err := l.Wait(ctx, "k"); err != nil || time.Since(start) != time.Second {
			t.Fatalf("second Wait = %v after %v; want nil after 1s", err, time.Since(start))
		}

		short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		defer cancel()
		err := l.Wait(short, "k")
		var re *ratelimit.RejectedError
		if !errors.As(err, &re) || !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ratelimit.ErrRejected) ||
			re.Delay != time.Second || time.Since(start) != time.Second {
			t.Errorf("Wait(deadline 500ms) = %v at %v; want rejected at once, DeadlineExceeded", err, time.Since(start))
		}

		cctx, cancelNow := context.WithCancel(ctx)
		time.AfterFunc(300*time.Millisecond, cancelNow)
		if err := l.Wait(cctx, "k"); !errors.Is(err, context.Canceled) || time.Since(start) != 1300*time.Millisecond {
			t.Errorf("Wait(cancelled) = %v at %v; want Canceled at 1.3s", err, time.Since(start))
		}
		// The cancelled wait gave its token back: the next one is due at 2s.
		if err := l.Wait(ctx, "k"); err != nil || time.Since(start) != 2*time.Second {
			t.Errorf("Wait after cancel = %v at %v; want nil at 2s", err, time.Since(start))
		}

		done, cancelDone := context.WithCancel(ctx)
		cancelDone()
		if err := l.Wait(done, "fresh"); !errors.Is(err, context.Canceled) || l.Allow("fresh") != true {
			t.Errorf("Wait(cancelled ctx) = %v; want Canceled without taking the token", err)
		}
		if err := l.Wait(ctx, "blocked"); !errors.Is(err, ratelimit.ErrExceedsBurst) {
			t.Errorf("Wait(blocked) = %v; want ErrExceedsBurst", err)
		}
		//lint:ignore SA1012 a nil context is the bad input under test
		if err := l.Wait(nil, "k"); !errors.Is(err, ratelimit.ErrInvalidOption) {
			t.Errorf("Wait(nil ctx) = %v; want ErrInvalidOption", err)
		}
		if rejected("k") != 2 || rejected("blocked") != 1 || rejected("fresh") != 1 {
			t.Errorf("rejected events k=%d blocked=%d; want 2, 1", rejected("k"), rejected("blocked"))
		}
	})
}

func TestReserve(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(t, ratelimit.Limit{Rate: 2, Burst: 1}, ratelimit.WithLimit("blocked", ratelimit.Limit{}))
		if r := l.Reserve("k"); !r.OK() || r.Delay() != 0 {
			t.Errorf("first Reserve: OK %v delay %v; want OK now", r.OK(), r.Delay())
		}
		r := l.Reserve("k")
		if !r.OK() || r.Delay() != 500*time.Millisecond {
			t.Errorf("second Reserve: OK %v delay %v; want OK in 500ms", r.OK(), r.Delay())
		}
		r.Cancel()
		if r := l.Reserve("k"); r.Delay() != 500*time.Millisecond {
			t.Errorf("Reserve after Cancel: delay %v; want 500ms", r.Delay())
		}
		if r := l.Reserve("blocked"); r.OK() {
			t.Errorf("Reserve(blocked).OK() = true; want false")
		}
		if s := l.Stats(); s.Rejected != 1 {
			t.Errorf("Stats().Rejected = %d; want 1", s.Rejected)
		}
	})
}

func TestBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		lim  ratelimit.Limit
	}{
		{"negative rate", ratelimit.Limit{Rate: -1, Burst: 1}},
		{"NaN rate", ratelimit.Limit{Rate: rate.Limit(math.NaN()), Burst: 1}},
		{"negative burst", ratelimit.Limit{Rate: 1, Burst: -1}},
		{"zero burst", ratelimit.Limit{Rate: 1, Burst: 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ratelimit.New(tc.lim); !errors.Is(err, ratelimit.ErrInvalidLimit) {
				t.Errorf("New(%v) = %v; want ErrInvalidLimit", tc.lim, err)
			}
			_, err := ratelimit.New(ratelimit.Limit{Rate: 1, Burst: 1}, ratelimit.WithLimit("k", tc.lim))
			var le *ratelimit.LimitError
			if !errors.As(err, &le) || le.Key != "k" {
				t.Errorf("WithLimit(k, %v) = %v; want *LimitError for k", tc.lim, err)
			}
		})
	}
	for _, tc := range []struct {
		name string
		opt  ratelimit.Option
	}{
		{"idle", ratelimit.WithIdleTimeout(0)},
		{"sweep", ratelimit.WithSweepInterval(-1)},
		{"shards", ratelimit.WithShards(0)},
		{"nil", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ratelimit.New(ratelimit.Limit{Rate: 1, Burst: 1}, tc.opt); !errors.Is(err, ratelimit.ErrInvalidOption) {
				t.Errorf("New(%s) = %v; want ErrInvalidOption", tc.name, err)
			}
		})
	}
	for _, ok := range []ratelimit.Limit{{}, {Rate: rate.Inf}, {Rate: 0, Burst: 3}} {
		if _, err := ratelimit.New(ok); err != nil {
			t.Errorf("New(%v) = %v; want nil", ok, err)
		}
	}
}

func TestJanitorExpiresIdleKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		reg := telemetry.New()
		var expired atomic.Int64
		_ = reg.Attach("test", []string{ratelimit.EventExpired}, func(_ string, m telemetry.Measurements, _ telemetry.Metadata) {
			expired.Add(int64(m["keys"]))
		})
		l := newLimiter(t, ratelimit.Limit{Rate: 10, Burst: 10}, ratelimit.WithTelemetry(reg),
			ratelimit.WithIdleTimeout(time.Minute), ratelimit.WithLimit("quota", ratelimit.Limit{Rate: 0, Burst: 5}))
		if _, err := l.Start(node); err != nil {
			t.Fatalf("Start = %v", err)
		}
		for i := range 100 {
			l.Allow(fmt.Sprintf("one-off-%d", i))
		}
		l.Allow("quota") // never refills, so never expires
		time.Sleep(30 * time.Second)
		l.Allow("busy")
		if s := l.Stats(); s.Keys != 102 {
			t.Fatalf("Stats().Keys = %d; want 102", s.Keys)
		}
		time.Sleep(31 * time.Second) // sweeps at 30 s and 60 s
		synctest.Wait()
		if s := l.Stats(); s.Keys != 2 || s.Expired != 100 || expired.Load() != 100 {
			t.Errorf("Stats() = %+v, expired events %d; want quota and busy left, 100 expired", s, expired.Load())
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if s := l.Stats(); s.Keys != 1 {
			t.Errorf("Stats().Keys = %d; want 1 (quota)", s.Keys)
		}
		if l.Allow("quota") != true {
			t.Errorf("quota lost its state")
		}
	})
}

func TestSupervisedJanitor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		node := otptest.NewNode(t)
		l := newLimiter(t, ratelimit.Limit{Rate: 1, Burst: 1})
		sup, err := supervisor.Start(node, supervisor.Spec{Flags: supervisor.DefaultFlags(),
			Children: []supervisor.ChildSpec{l.ChildSpec("ratelimit")}})
		if err != nil {
			t.Fatalf("supervisor.Start = %v", err)
		}
		first := l.Janitor()
		if first.IsZero() {
			t.Fatalf("Janitor() = zero after the supervisor started")
		}
		_, err = l.Start(node)
		var already *ratelimit.AlreadyStartedError
		if !errors.As(err, &already) || already.PID != first {
			t.Errorf("Start while running = %v; want *AlreadyStartedError{%v}", err, first)
		}
		l.Allow("k")
		_ = node.Exit(first, process.Kill)
		synctest.Wait()
		second := l.Janitor()
		if second.IsZero() || second == first {
			t.Errorf("Janitor() after kill = %v; want a restarted janitor", second)
		}
		if l.Allow("k") {
			t.Errorf("Allow(k) after restart = true; want false (buckets outlive the janitor)")
		}
		if err := node.Exit(sup, process.Shutdown); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if pid := l.Janitor(); !pid.IsZero() {
			t.Errorf("Janitor() = %v after the supervisor stopped; want zero", pid)
		}
	})
}

func TestConcurrentHotKey(t *testing.T) {
	l := newLimiter(t, ratelimit.Limit{Rate: 0, Burst: 100})
	var wg sync.WaitGroup
	var ok atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if l.Allow("hot") {
					ok.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 100 {
		t.Errorf("allowed %d of 400; want exactly the burst, 100", ok.Load())
	}
}

func TestStartBadInput(t *testing.T) {
	l := newLimiter(t, ratelimit.Limit{Rate: 1, Burst: 1})
	if _, err := l.Start(nil); !errors.Is(err, ratelimit.ErrInvalidOption) {
		t.Errorf("Start(nil) = %v; want ErrInvalidOption", err)
	}
	if _, err := l.StartLink(nil); !errors.Is(err, ratelimit.ErrInvalidOption) {
		t.Errorf("StartLink(nil) = %v; want ErrInvalidOption", err)
	}
}
