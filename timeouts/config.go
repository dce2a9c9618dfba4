package timeouts

import (
	"fmt"
	"math"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// Infinity as a configured timeout means "no timeout". The factor does
// not scale it. genserver.Infinity and send.Infinity are this constant.
const Infinity time.Duration = -1

// DefaultTimeout is the timeout of every key when a [Spec] sets no
// Default (OTP's 5 s call timeout).
const DefaultTimeout = 5 * time.Second

// EnvFactor is the environment variable holding the factor that
// multiplies every configured timeout: "2" doubles them on a slow CI
// machine, "0.5" halves them. It must parse as a finite float > 0.
const EnvFactor = "ORCHARD_TIMEOUT_FACTOR"

// Pattern gives the timeout of every key matching Glob, in [path.Match]
// syntax: "db.*" matches "db.query" and "db.pool.checkout" ('*' stops
// only at '/', which keys do not use).
type Pattern struct {
	Glob    string
	Timeout time.Duration
}

// Spec is the declarative part of a [Config]. A key is "service.operation"
// ("db.query", "genserver.call"); its service is the part before the first
// dot. Durations must be positive or [Infinity].
type Spec struct {
	// Default is the timeout of a key nothing else configures; zero means
	// [DefaultTimeout].
	Default time.Duration
	// Services maps a service ("db") to the timeout of all its operations.
	Services map[string]time.Duration
	// Operations maps a full key ("db.query") to its timeout.
	Operations map[string]time.Duration
	// Patterns are tried in order; the first match wins.
	Patterns []Pattern
}

// Source says which rule gave a key its timeout, in precedence order:
// an override beats an operation, which beats a pattern, which beats a
// service, which beats the default.
type Source int

const (
	// FromOverride is a runtime override ([Config.Override]).
	FromOverride Source = iota
	// FromOperation is an exact key in [Spec.Operations].
	FromOperation
	// FromPattern is the first matching [Spec.Patterns] entry.
	FromPattern
	// FromService is the key's service in [Spec.Services].
	FromService
	// FromDefault is [Spec.Default] (or [DefaultTimeout]).
	FromDefault
)

// String returns the source's lower-case name.
func (s Source) String() string {
	switch s {
	case FromOverride:
		return "override"
	case FromOperation:
		return "operation"
	case FromPattern:
		return "pattern"
	case FromService:
		return "service"
	case FromDefault:
		return "default"
	}
	return "Source(" + strconv.Itoa(int(s)) + ")"
}

// Resolution is a key's timeout and the rule that gave it.
type Resolution struct {
	// Timeout is the configured duration times the factor, or [Infinity].
	Timeout time.Duration
	// Configured is the duration before the factor was applied.
	Configured time.Duration
	Source     Source
}

// Config is a timeout configuration: a [Spec], a factor and runtime
// overrides. Reads (Get, Lookup, Handle.Get) take no lock: they load one
// immutable snapshot, which writers (Override, ClearOverride, Configure)
// replace under a mutex. All methods are safe for concurrent use.
//
// A nil *Config and the zero Config read as an empty [Spec] with factor 1
// (every key gets [DefaultTimeout]); writers on a nil *Config return an
// error matching [ErrInvalidArgument], and on the zero Config they work,
// starting from that empty configuration.
type Config struct {
	mu   sync.Mutex // serialises writers; readers only load snap
	snap atomic.Pointer[snapshot]
}

// snapshot is immutable once published.
type snapshot struct {
	spec      Spec
	factor    float64
	overrides map[string]time.Duration
}

// emptySnapshot is what a nil or zero Config reads: an empty Spec, factor 1.
var emptySnapshot = &snapshot{spec: Spec{Default: DefaultTimeout}, factor: 1}

// load returns c's snapshot, or emptySnapshot for a nil or zero Config.
func (c *Config) load() *snapshot {
	if c == nil {
		return emptySnapshot
	}
	if s := c.snap.Load(); s != nil {
		return s
	}
	return emptySnapshot
}

// Option configures [New].
type Option interface{ apply(*options) }

type options struct {
	factor       float64
	hasFactor    bool
	lookupEnv    func(string) (string, bool)
	nilLookupEnv bool // WithLookupEnv(nil): refused by New
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithFactor sets the factor explicitly; the environment is not read.
// A factor that is not finite and > 0 makes New fail with a *[FactorError].
func WithFactor(f float64) Option {
	return optionFunc(func(o *options) { o.factor, o.hasFactor = f, true })
}

// WithLookupEnv replaces os.LookupEnv for reading [EnvFactor] (tests,
// or configuration from somewhere other than the process environment).
// A nil fn makes New fail with an error matching [ErrInvalidArgument].
func WithLookupEnv(fn func(key string) (string, bool)) Option {
	return optionFunc(func(o *options) { o.lookupEnv, o.nilLookupEnv = fn, fn == nil })
}

// New validates spec and returns a Config for it. Unless [WithFactor] is
// given, the factor is read from the environment variable [EnvFactor]
// (unset or empty means 1); an invalid value is a *[FactorError], a bad
// spec a *[SpecError], a nil option or a nil [WithLookupEnv] function an
// error matching [ErrInvalidArgument] (as the other two do). New never
// panics on bad input.
func New(spec Spec, opts ...Option) (*Config, error) {
	return newConfig("timeouts: New", spec, opts)
}

func newConfig(op string, spec Spec, opts []Option) (*Config, error) {
	o := options{lookupEnv: os.LookupEnv}
	for i, opt := range opts {
		if opt == nil {
			return nil, argerr.Nil(op, fmt.Sprintf("opts[%d]", i))
		}
		opt.apply(&o)
	}
	if o.nilLookupEnv {
		return nil, argerr.Nil(op, "WithLookupEnv fn")
	}
	factor, err := o.resolveFactor()
	if err != nil {
		return nil, err
	}
	s, err := normalize(spec)
	if err != nil {
		return nil, err
	}
	c := &Config{}
	c.snap.Store(&snapshot{spec: s, factor: factor})
	return c, nil
}

func (o *options) resolveFactor() (float64, error) {
	if o.hasFactor {
		if !validFactor(o.factor) {
			return 0, &FactorError{Source: "WithFactor", Value: strconv.FormatFloat(o.factor, 'g', -1, 64)}
		}
		return o.factor, nil
	}
	v, ok := o.lookupEnv(EnvFactor)
	if !ok {
		return 1, nil
	}
	return ParseFactor(v)
}

// ParseFactor parses a factor as [EnvFactor] holds it: empty means 1, and
// anything but a finite number > 0 is a *[FactorError].
func ParseFactor(v string) (float64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 1, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !validFactor(f) {
		return 0, &FactorError{Source: EnvFactor, Value: v}
	}
	return f, nil
}

func validFactor(f float64) bool { return f > 0 && !math.IsInf(f, 0) && !math.IsNaN(f) }

// normalize checks spec and copies its maps, so the caller may change
// them afterwards.
func normalize(spec Spec) (Spec, error) {
	if spec.Default == 0 {
		spec.Default = DefaultTimeout
	}
	if err := checkDuration("Default", "", spec.Default); err != nil {
		return Spec{}, err
	}
	var err error
	if spec.Services, err = copyMap("Services", spec.Services); err != nil {
		return Spec{}, err
	}
	if spec.Operations, err = copyMap("Operations", spec.Operations); err != nil {
		return Spec{}, err
	}
	ps := make([]Pattern, len(spec.Patterns))
	for i, p := range spec.Patterns {
		if _, err := path.Match(p.Glob, ""); err != nil || p.Glob == "" {
			return Spec{}, &SpecError{Field: "Patterns", Key: p.Glob, Reason: "malformed glob"}
		}
		if err := checkDuration("Patterns", p.Glob, p.Timeout); err != nil {
			return Spec{}, err
		}
		ps[i] = p
	}
	spec.Patterns = ps
	return spec, nil
}

func copyMap(field string, m map[string]time.Duration) (map[string]time.Duration, error) {
	out := make(map[string]time.Duration, len(m))
	for k, d := range m {
		if k == "" {
			return nil, &SpecError{Field: field, Key: k, Reason: "empty key"}
		}
		if err := checkDuration(field, k, d); err != nil {
			return nil, err
		}
		out[k] = d
	}
	return out, nil
}

func checkDuration(field, key string, d time.Duration) error {
	if d <= 0 && d != Infinity {
		return &SpecError{Field: field, Key: key, Reason: "duration must be positive or Infinity"}
	}
	return nil
}

// Get returns the timeout of key: the configured duration times the
// factor, or [Infinity]. It takes no lock. No rule can name the empty key
// exactly (Operations and Services refuse it), so "" gets a matching
// pattern's timeout or the default.
func (c *Config) Get(key string) time.Duration { return c.Lookup(key).Timeout }

// Lookup returns the timeout of key and the rule that gave it; see
// [Source] for the precedence.
func (c *Config) Lookup(key string) Resolution { return c.load().resolve(key) }

func (s *snapshot) resolve(key string) Resolution {
	d, src := s.configured(key)
	return Resolution{Timeout: scale(d, s.factor), Configured: d, Source: src}
}

func (s *snapshot) configured(key string) (time.Duration, Source) {
	if d, ok := s.overrides[key]; ok {
		return d, FromOverride
	}
	if d, ok := s.spec.Operations[key]; ok {
		return d, FromOperation
	}
	for _, p := range s.spec.Patterns {
		if ok, _ := path.Match(p.Glob, key); ok {
			return p.Timeout, FromPattern
		}
	}
	if d, ok := s.spec.Services[Service(key)]; ok {
		return d, FromService
	}
	return s.spec.Default, FromDefault
}

// Service returns the service part of key: what precedes the first dot,
// or the whole key.
func Service(key string) string {
	if i := strings.IndexByte(key, '.'); i >= 0 {
		return key[:i]
	}
	return key
}

// scale multiplies d by factor, saturating instead of overflowing.
func scale(d time.Duration, factor float64) time.Duration {
	if d == Infinity || factor == 1 {
		return d
	}
	f := float64(d) * factor
	if f >= math.MaxInt64 {
		return time.Duration(math.MaxInt64)
	}
	return max(time.Duration(f), 1)
}

// Factor returns the factor every timeout is multiplied by (1 for a nil
// Config).
func (c *Config) Factor() float64 { return c.load().factor }

// Override sets key's timeout at run time, above every configured rule,
// until [Config.ClearOverride]. The factor applies to it as well. d must
// be positive or [Infinity]; otherwise it returns a *[SpecError]. On a nil
// Config it returns an error matching [ErrInvalidArgument].
func (c *Config) Override(key string, d time.Duration) error {
	if c == nil {
		return argerr.Nil("timeouts: Config.Override", "receiver")
	}
	if key == "" {
		return &SpecError{Field: "Override", Key: key, Reason: "empty key"}
	}
	if err := checkDuration("Override", key, d); err != nil {
		return err
	}
	c.update(func(s *snapshot) {
		s.overrides = cloneWith(s.overrides, key, d)
	})
	return nil
}

// ClearOverride removes key's override and reports whether it had one (a
// nil Config has none).
func (c *Config) ClearOverride(key string) bool {
	if c == nil {
		return false
	}
	had := false
	c.update(func(s *snapshot) {
		if _, had = s.overrides[key]; had {
			next := cloneWith(s.overrides, "", 0)
			delete(next, key)
			s.overrides = next
		}
	})
	return had
}

// ClearOverrides removes every override; on a nil Config it does nothing.
func (c *Config) ClearOverrides() {
	if c == nil {
		return
	}
	c.update(func(s *snapshot) { s.overrides = nil })
}

// Overrides returns a copy of the current overrides (empty for a nil
// Config).
func (c *Config) Overrides() map[string]time.Duration {
	return cloneWith(c.load().overrides, "", 0)
}

// Configure replaces the spec, keeping the factor and the overrides. A bad
// spec is a *[SpecError] and changes nothing; a nil Config gives an error
// matching [ErrInvalidArgument].
func (c *Config) Configure(spec Spec) error {
	if c == nil {
		return argerr.Nil("timeouts: Config.Configure", "receiver")
	}
	s, err := normalize(spec)
	if err != nil {
		return err
	}
	c.update(func(snap *snapshot) { snap.spec = s })
	return nil
}

// update publishes a modified copy of the snapshot.
func (c *Config) update(change func(*snapshot)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	next := *c.load()
	change(&next)
	c.snap.Store(&next)
}

func cloneWith(m map[string]time.Duration, key string, d time.Duration) map[string]time.Duration {
	out := make(map[string]time.Duration, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	if key != "" {
		out[key] = d
	}
	return out
}
