package timeouts_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/timeouts"
)

// Each key takes its timeout from the most specific rule.
func ExampleNew() {
	cfg, err := timeouts.New(timeouts.Spec{
		Default:    2 * time.Second,
		Services:   map[string]time.Duration{"db": 5 * time.Second},
		Operations: map[string]time.Duration{"db.migrate": time.Minute},
		Patterns:   []timeouts.Pattern{{Glob: "db.report*", Timeout: 30 * time.Second}},
	}, timeouts.WithFactor(1))
	if err != nil {
		panic(err)
	}
	for _, key := range []string{"db.migrate", "db.report.daily", "db.query", "web.get"} {
		r := cfg.Lookup(key)
		fmt.Println(key, r.Timeout, r.Source)
	}
	// Output:
	// db.migrate 1m0s operation
	// db.report.daily 30s pattern
	// db.query 5s service
	// web.get 2s default
}

// The factor (ORCHARD_TIMEOUT_FACTOR in the environment) scales every
// timeout; an invalid one is an error.
func ExampleWithFactor() {
	cfg, _ := timeouts.New(timeouts.Spec{Default: time.Second}, timeouts.WithFactor(2.5))
	fmt.Println(cfg.Get("any.key"))

	_, err := timeouts.ParseFactor("fast")
	var fe *timeouts.FactorError
	fmt.Println(errors.As(err, &fe), fe.Value)
	// Output:
	// 2.5s
	// true fast
}

// Overrides change a timeout at run time, above every configured rule.
func ExampleConfig_Override() {
	cfg, _ := timeouts.New(timeouts.Spec{Operations: map[string]time.Duration{"db.query": time.Second}}, timeouts.WithFactor(1))
	h := cfg.Handle("db.query") // for hot paths: cached until a change
	_ = cfg.Override("db.query", 10*time.Second)
	fmt.Println(h.Get(), cfg.Lookup("db.query").Source)
	cfg.ClearOverride("db.query")
	fmt.Println(h.Get(), cfg.Lookup("db.query").Source)
	// Output:
	// 10s override
	// 1s operation
}
