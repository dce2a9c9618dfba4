package timeouts_test

import (
	"errors"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/timeouts"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

func env(v string) timeouts.Option {
	return timeouts.WithLookupEnv(func(key string) (string, bool) {
		if key != timeouts.EnvFactor || v == "" {
			return "", false
		}
		return v, true
	})
}

func spec() timeouts.Spec {
	return timeouts.Spec{
		Default:    time.Second,
		Services:   map[string]time.Duration{"db": 2 * time.Second, "cache": 3 * time.Second},
		Operations: map[string]time.Duration{"db.query": 4 * time.Second},
		Patterns: []timeouts.Pattern{
			{Glob: "db.*", Timeout: 5 * time.Second},
			{Glob: "*.slow", Timeout: time.Minute},
			{Glob: "db.q*", Timeout: 6 * time.Second}, // shadowed by db.*
		},
	}
}

func TestPrecedence(t *testing.T) {
	c, err := timeouts.New(spec(), env(""))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Override("db.query", 7*time.Second); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key    string
		want   time.Duration
		source timeouts.Source
	}{
		{"db.query", 7 * time.Second, timeouts.FromOverride},
		{"db.insert", 5 * time.Second, timeouts.FromPattern},
		{"cache.slow", time.Minute, timeouts.FromPattern},
		{"cache.get", 3 * time.Second, timeouts.FromService},
		{"cache", 3 * time.Second, timeouts.FromService},
		{"web.get", time.Second, timeouts.FromDefault},
	} {
		r := c.Lookup(tc.key)
		if r.Timeout != tc.want || r.Source != tc.source {
			t.Errorf("Lookup(%q) = %v from %v; want %v from %v", tc.key, r.Timeout, r.Source, tc.want, tc.source)
		}
	}
	if !c.ClearOverride("db.query") {
		t.Fatal("ClearOverride = false; want true")
	}
	if r := c.Lookup("db.query"); r.Timeout != 4*time.Second || r.Source != timeouts.FromOperation {
		t.Fatalf("after ClearOverride: %v from %v; want 4s from operation", r.Timeout, r.Source)
	}
	if c.ClearOverride("db.query") {
		t.Fatal("second ClearOverride = true; want false")
	}
}

func TestEmptySpecDefault(t *testing.T) {
	c, err := timeouts.New(timeouts.Spec{}, env(""))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Get("anything"); got != timeouts.DefaultTimeout {
		t.Fatalf("Get = %v; want %v", got, timeouts.DefaultTimeout)
	}
}

func TestEnvFactor(t *testing.T) {
	for _, tc := range []struct {
		env  string
		want time.Duration // for db.query (4s)
	}{
		{"", 4 * time.Second},
		{"2", 8 * time.Second},
		{" 0.5 ", 2 * time.Second},
		{"1e300", time.Duration(math.MaxInt64)},
	} {
		c, err := timeouts.New(spec(), env(tc.env))
		if err != nil {
			t.Fatalf("New(%s=%q) = %v", timeouts.EnvFactor, tc.env, err)
		}
		if got := c.Get("db.query"); got != tc.want {
			t.Errorf("%s=%q: Get = %v; want %v", timeouts.EnvFactor, tc.env, got, tc.want)
		}
	}
}

func TestEnvFactorFromProcessEnvironment(t *testing.T) {
	t.Setenv(timeouts.EnvFactor, "3")
	c, err := timeouts.New(timeouts.Spec{Default: time.Second})
	if err != nil || c.Get("x") != 3*time.Second || c.Factor() != 3 {
		t.Fatalf("New = %v, Get = %v; want 3s", err, c.Get("x"))
	}
}

func TestInvalidFactor(t *testing.T) {
	for _, v := range []string{"abc", "0", "-1", "NaN", "Inf", "+Inf"} {
		_, err := timeouts.New(spec(), env(v))
		var fe *timeouts.FactorError
		if !errors.Is(err, timeouts.ErrInvalidFactor) || !errors.As(err, &fe) || fe.Value != v || fe.Source != timeouts.EnvFactor {
			t.Errorf("New(%s=%q) = %v; want a *FactorError", timeouts.EnvFactor, v, err)
		}
	}
	if _, err := timeouts.New(spec(), timeouts.WithFactor(0)); !errors.Is(err, timeouts.ErrInvalidFactor) {
		t.Errorf("New(WithFactor(0)) = %v; want ErrInvalidFactor", err)
	}
}

func TestFactorAppliesToEverySourceButInfinity(t *testing.T) {
	s := spec()
	s.Operations["db.forever"] = timeouts.Infinity
	c, err := timeouts.New(s, timeouts.WithFactor(10))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Override("web.get", time.Second); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]time.Duration{
		"web.get": 10 * time.Second, "db.query": 40 * time.Second, "db.x": 50 * time.Second,
		"cache.get": 30 * time.Second, "other": 10 * time.Second, "db.forever": timeouts.Infinity,
	} {
		if got := c.Get(key); got != want {
			t.Errorf("Get(%q) = %v; want %v", key, got, want)
		}
	}
}

func TestInvalidSpec(t *testing.T) {
	for name, s := range map[string]timeouts.Spec{
		"negative default":   {Default: -2},
		"zero service":       {Services: map[string]time.Duration{"db": 0}},
		"empty operation":    {Operations: map[string]time.Duration{"": time.Second}},
		"malformed pattern":  {Patterns: []timeouts.Pattern{{Glob: "db.[", Timeout: time.Second}}},
		"empty pattern":      {Patterns: []timeouts.Pattern{{Glob: "", Timeout: time.Second}}},
		"pattern no timeout": {Patterns: []timeouts.Pattern{{Glob: "db.*"}}},
	} {
		_, err := timeouts.New(s, env(""))
		var se *timeouts.SpecError
		if !errors.Is(err, timeouts.ErrInvalidSpec) || !errors.As(err, &se) {
			t.Errorf("%s: New = %v; want a *SpecError", name, err)
		}
	}
	if _, err := timeouts.New(timeouts.Spec{}, nil); !errors.Is(err, timeouts.ErrInvalidArgument) {
		t.Errorf("New(nil option) = %v; want ErrInvalidArgument", err)
	}
	c, _ := timeouts.New(timeouts.Spec{}, env(""))
	if err := c.Override("x", -5); !errors.Is(err, timeouts.ErrInvalidSpec) {
		t.Errorf("Override(-5) = %v; want ErrInvalidSpec", err)
	}
	if err := c.Configure(timeouts.Spec{Default: -3}); !errors.Is(err, timeouts.ErrInvalidSpec) {
		t.Errorf("Configure(bad) = %v; want ErrInvalidSpec", err)
	}
	if got := c.Get("x"); got != timeouts.DefaultTimeout {
		t.Errorf("after failed Configure Get = %v; want unchanged %v", got, timeouts.DefaultTimeout)
	}
}

func TestSpecIsCopied(t *testing.T) {
	s := spec()
	c, _ := timeouts.New(s, env(""))
	s.Operations["db.query"] = time.Hour
	if got := c.Get("db.query"); got != 4*time.Second {
		t.Fatalf("Get = %v after the caller changed its map; want 4s", got)
	}
}

func TestHandleFollowsChanges(t *testing.T) {
	c, _ := timeouts.New(spec(), env(""))
	h := c.Handle("db.query")
	if got := h.Get(); got != 4*time.Second {
		t.Fatalf("Get = %v; want 4s", got)
	}
	_ = c.Override("db.query", time.Millisecond)
	if got := h.Get(); got != time.Millisecond {
		t.Fatalf("after Override Get = %v; want 1ms", got)
	}
	c.ClearOverrides()
	_ = c.Configure(timeouts.Spec{Default: time.Hour})
	if got := h.Get(); got != time.Hour {
		t.Fatalf("after Configure Get = %v; want 1h", got)
	}
	if err := c.Reload(timeouts.Spec{Default: time.Second}, timeouts.WithFactor(2)); err != nil || h.Get() != 2*time.Second {
		t.Fatalf("after Reload Get = %v, %v; want 2s", h.Get(), err)
	}
}

func TestConcurrentOverridesAndReads(t *testing.T) {
	c, _ := timeouts.New(spec(), env(""))
	h := c.Handle("web.get")
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 500 {
				d := time.Duration(i*1000+j+1) * time.Millisecond
				_ = c.Override("web.get", d)
				if got := h.Get(); got <= 0 {
					t.Errorf("Get = %v; want positive", got)
					return
				}
				c.ClearOverride("web.get")
			}
		})
	}
	wg.Wait()
	if got := h.Get(); got != time.Second {
		t.Fatalf("final Get = %v; want the default 1s", got)
	}
}

func TestDefault(t *testing.T) {
	if d1, d2 := timeouts.Default(), timeouts.Default(); d1 != d2 {
		t.Fatal("Default returned two configs")
	}
	if err := timeouts.LoadDefault(timeouts.Spec{}, env("bogus")); !errors.Is(err, timeouts.ErrInvalidFactor) {
		t.Fatalf("LoadDefault(bogus factor) = %v; want ErrInvalidFactor", err)
	}
	if err := timeouts.LoadDefault(timeouts.Spec{Operations: map[string]time.Duration{"x.y": time.Minute}}, timeouts.WithFactor(1)); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = timeouts.LoadDefault(timeouts.Spec{}) }()
	if got := timeouts.Get("x.y"); got != time.Minute {
		t.Fatalf("Get = %v; want 1m", got)
	}
}
