package timeouts_test

import (
	"errors"
	"math"
	"path"
	"strconv"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/timeouts"
)

// TestBadInput walks the exported API with nil, zero, empty and invalid
// inputs: every call returns an error matching ErrInvalidArgument (and
// its more precise error where one is documented), and nothing panics
// (docs/ERRORS.md).
func TestBadInput(t *testing.T) {
	var nilCfg *timeouts.Config
	var nilOpt timeouts.Option
	cases := []struct {
		name    string
		call    func() error
		precise error // also matched, when set
	}{
		{"New/nil option", func() error { _, err := timeouts.New(timeouts.Spec{}, nilOpt); return err }, nil},
		{"New/nil lookup", func() error { _, err := timeouts.New(timeouts.Spec{}, timeouts.WithLookupEnv(nil)); return err }, nil},
		{"New/zero factor", func() error { _, err := timeouts.New(timeouts.Spec{}, timeouts.WithFactor(0)); return err }, timeouts.ErrInvalidFactor},
		{"New/NaN factor", func() error { _, err := timeouts.New(timeouts.Spec{}, timeouts.WithFactor(math.NaN())); return err }, timeouts.ErrInvalidFactor},
		{"New/negative default", func() error { _, err := timeouts.New(timeouts.Spec{Default: -2}); return err }, timeouts.ErrInvalidSpec},
		{"New/empty service", func() error {
			_, err := timeouts.New(timeouts.Spec{Services: map[string]time.Duration{"": time.Second}})
			return err
		}, timeouts.ErrInvalidSpec},
		{"New/zero operation", func() error {
			_, err := timeouts.New(timeouts.Spec{Operations: map[string]time.Duration{"a.b": 0}})
			return err
		}, timeouts.ErrInvalidSpec},
		{"New/empty glob", func() error {
			_, err := timeouts.New(timeouts.Spec{Patterns: []timeouts.Pattern{{Timeout: time.Second}}})
			return err
		}, timeouts.ErrInvalidSpec},
		{"New/malformed glob", func() error {
			_, err := timeouts.New(timeouts.Spec{Patterns: []timeouts.Pattern{{Glob: "[", Timeout: time.Second}}})
			return err
		}, timeouts.ErrInvalidSpec},
		{"ParseFactor/text", func() error { _, err := timeouts.ParseFactor("fast"); return err }, timeouts.ErrInvalidFactor},
		{"ParseFactor/negative", func() error { _, err := timeouts.ParseFactor("-1"); return err }, timeouts.ErrInvalidFactor},
		{"ParseFactor/Inf", func() error { _, err := timeouts.ParseFactor("+Inf"); return err }, timeouts.ErrInvalidFactor},
		{"LoadDefault/nil option", func() error { return timeouts.LoadDefault(timeouts.Spec{}, nilOpt) }, nil},
		{"Override/nil receiver", func() error { return nilCfg.Override("a.b", time.Second) }, nil},
		{"Override/empty key", func() error { return mustNew(t).Override("", time.Second) }, timeouts.ErrInvalidSpec},
		{"Override/zero duration", func() error { return mustNew(t).Override("a.b", 0) }, timeouts.ErrInvalidSpec},
		{"Override/negative duration", func() error { return mustNew(t).Override("a.b", -5) }, timeouts.ErrInvalidSpec},
		{"Configure/nil receiver", func() error { return nilCfg.Configure(timeouts.Spec{}) }, nil},
		{"Configure/bad spec", func() error { return mustNew(t).Configure(timeouts.Spec{Default: -3}) }, timeouts.ErrInvalidSpec},
		{"Reload/nil receiver", func() error { return nilCfg.Reload(timeouts.Spec{}) }, nil},
		{"Reload/nil option", func() error { return mustNew(t).Reload(timeouts.Spec{}, nilOpt) }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, timeouts.ErrInvalidArgument) {
				t.Fatalf("%s = %v; want an error matching ErrInvalidArgument", tc.name, err)
			}
			if tc.precise != nil && !errors.Is(err, tc.precise) {
				t.Fatalf("%s = %v; want an error matching %v too", tc.name, err, tc.precise)
			}
		})
	}
	var ae *timeouts.ArgumentError
	if _, err := timeouts.New(timeouts.Spec{}, nilOpt); !errors.As(err, &ae) || ae.Arg != "opts[0]" {
		t.Fatalf("New(nil option) = %v; want an *ArgumentError for opts[0]", err)
	}
}

// TestNilAndZeroConfig: a nil or zero Config reads as an empty spec with
// factor 1, a nil one refuses writes, and a zero one can be written.
func TestNilAndZeroConfig(t *testing.T) {
	var nilCfg *timeouts.Config
	if got := nilCfg.Get("db.query"); got != timeouts.DefaultTimeout {
		t.Fatalf("nil Config Get = %v; want %v", got, timeouts.DefaultTimeout)
	}
	if got := nilCfg.Lookup("x").Source; got != timeouts.FromDefault {
		t.Fatalf("nil Config Lookup source = %v; want default", got)
	}
	if got := nilCfg.Factor(); got != 1 {
		t.Fatalf("nil Config Factor = %v; want 1", got)
	}
	if nilCfg.ClearOverride("x") {
		t.Fatal("nil Config ClearOverride = true; want false")
	}
	nilCfg.ClearOverrides()
	if got := nilCfg.Overrides(); len(got) != 0 {
		t.Fatalf("nil Config Overrides = %v; want none", got)
	}
	if got := nilCfg.Handle("a.b").Get(); got != timeouts.DefaultTimeout {
		t.Fatalf("Handle on nil Config Get = %v; want %v", got, timeouts.DefaultTimeout)
	}
	var nilHandle *timeouts.Handle
	if got, key := nilHandle.Get(), nilHandle.Key(); got != timeouts.DefaultTimeout || key != "" {
		t.Fatalf("nil Handle Get, Key = %v, %q; want %v, \"\"", got, key, timeouts.DefaultTimeout)
	}

	var zero timeouts.Config
	if got := zero.Get("a.b"); got != timeouts.DefaultTimeout {
		t.Fatalf("zero Config Get = %v; want %v", got, timeouts.DefaultTimeout)
	}
	if err := zero.Override("a.b", time.Second); err != nil {
		t.Fatalf("zero Config Override = %v; want nil", err)
	}
	if got := zero.Get("a.b"); got != time.Second {
		t.Fatalf("zero Config Get after Override = %v; want 1s", got)
	}
}

func mustNew(t *testing.T) *timeouts.Config {
	t.Helper()
	c, err := timeouts.New(timeouts.Spec{}, timeouts.WithFactor(1))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// FuzzParseFactor: the factor text either fails with a *FactorError (so
// ErrInvalidArgument) or gives a finite factor > 0 that survives a round
// trip through its shortest text, and New accepts it from the environment
// with the same value.
func FuzzParseFactor(f *testing.F) {
	for _, s := range []string{"", "1", "2", "0.5", " 3 ", "0", "-1", "NaN", "+Inf", "1e308", "1e-320", "0x1p-2", "fast", "1_000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, err := timeouts.ParseFactor(v)
		if err != nil {
			var fe *timeouts.FactorError
			if !errors.As(err, &fe) || !errors.Is(err, timeouts.ErrInvalidArgument) {
				t.Fatalf("ParseFactor(%q) = %v; want a *FactorError matching ErrInvalidArgument", v, err)
			}
			return
		}
		if !(got > 0) || math.IsInf(got, 0) {
			t.Fatalf("ParseFactor(%q) = %v; want a finite factor > 0", v, got)
		}
		again, err := timeouts.ParseFactor(strconv.FormatFloat(got, 'g', -1, 64))
		if err != nil || again != got {
			t.Fatalf("ParseFactor(Format(%v)) = %v, %v; want the same factor", got, again, err)
		}
		c, err := timeouts.New(timeouts.Spec{}, env(v))
		if err != nil && v != "" {
			t.Fatalf("New with %s=%q = %v; want the factor ParseFactor accepted", timeouts.EnvFactor, v, err)
		}
		if err == nil && v != "" && c.Factor() != got {
			t.Fatalf("New with %s=%q: Factor = %v; want %v", timeouts.EnvFactor, v, c.Factor(), got)
		}
	})
}

// FuzzPattern: a pattern either fails New with a *SpecError (matching
// ErrInvalidArgument), or is used exactly when path.Match says it
// matches: a key it matches gets its timeout, others the default.
func FuzzPattern(f *testing.F) {
	for _, s := range [][2]string{{"db.*", "db.query"}, {"*", ""}, {"[", "x"}, {"a\\", "a"}, {"", "x"}, {"[a-", "a"}, {"?.?", "a.b"}, {"[^a]", "b"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, glob, key string) {
		const pd, def = 7 * time.Second, 3 * time.Second
		c, err := timeouts.New(timeouts.Spec{Default: def, Patterns: []timeouts.Pattern{{Glob: glob, Timeout: pd}}}, timeouts.WithFactor(1))
		if err != nil {
			var se *timeouts.SpecError
			if !errors.As(err, &se) || !errors.Is(err, timeouts.ErrInvalidArgument) {
				t.Fatalf("New(pattern %q) = %v; want a *SpecError matching ErrInvalidArgument", glob, err)
			}
			if _, merr := path.Match(glob, ""); merr == nil && glob != "" {
				t.Fatalf("New(pattern %q) = %v; want it accepted: path.Match takes it", glob, err)
			}
			return
		}
		match, merr := path.Match(glob, key)
		want := def
		if merr == nil && match {
			want = pd
		}
		if got := c.Get(key); got != want {
			t.Fatalf("Get(%q) with pattern %q = %v; want %v", key, glob, got, want)
		}
	})
}
