package timeouts

import (
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// defaultConfig is the process-wide configuration. It is created at
// package initialisation with an empty Spec and the factor from
// [EnvFactor]; an invalid factor there cannot be returned, so it is kept
// for [DefaultError] and the factor stays 1 until [LoadDefault] succeeds.
var defaultConfig, defaultErr = newDefault()

func newDefault() (*Config, error) {
	c, err := New(Spec{})
	if err != nil {
		c, _ = New(Spec{}, WithFactor(1))
	}
	return c, err
}

// Default returns the process-wide configuration, which Orchard's own
// packages read (genserver.Call's default timeout is its key
// "genserver.call"). It is never replaced, so a [Handle] on it stays
// valid; change it with [LoadDefault], [Config.Configure] and
// [Config.Override].
func Default() *Config { return defaultConfig }

// DefaultError returns the error of reading [EnvFactor] when the program
// started (a *[FactorError]), or nil. With an invalid factor the default
// configuration uses 1 instead.
func DefaultError() error { return defaultErr }

// LoadDefault replaces the default configuration's spec and factor (from
// the environment unless [WithFactor] is given), keeping its overrides.
// On error nothing changes.
func LoadDefault(spec Spec, opts ...Option) error { return defaultConfig.Reload(spec, opts...) }

// Reload replaces the spec and the factor (read as [New] reads it),
// keeping the overrides. On error nothing changes; a nil Config gives an
// error matching [ErrInvalidArgument].
func (c *Config) Reload(spec Spec, opts ...Option) error {
	if c == nil {
		return argerr.Nil("timeouts: Config.Reload", "receiver")
	}
	fresh, err := newConfig("timeouts: Config.Reload", spec, opts)
	if err != nil {
		return err
	}
	next := *fresh.snap.Load()
	c.update(func(s *snapshot) { s.spec, s.factor = next.spec, next.factor })
	return nil
}

// Get returns key's timeout in the default configuration.
func Get(key string) time.Duration { return defaultConfig.Get(key) }
