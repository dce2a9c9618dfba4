// Package timeouts implements central timeout configuration: one place
// that says how long each operation may take, per service, per operation
// and per pattern, scaled by an environment factor and changeable at run
// time.
//
// # Foundation mapping
//
// There is no OTP module for this; it is Elixir Foundation's timeout
// configuration service (Foundation's TimeoutConfig).
//
//	Foundation                             Orchard
//	TimeoutConfig.get_timeout(service, op) (*Config).Get("service.op")
//	service defaults                       Spec.Services
//	operation timeouts                     Spec.Operations
//	pattern timeouts ("db.*")              Spec.Patterns (path.Match globs)
//	environment multiplier                 ORCHARD_TIMEOUT_FACTOR (EnvFactor)
//	set/clear runtime override             (*Config).Override, ClearOverride
//	global default config                  Default, LoadDefault
//
// # Semantics
//
// A key is "service.operation", for example "db.query" or
// "genserver.call"; its service is the part before the first dot. A key's
// timeout comes from the first rule that has it, in this precedence:
//
//  1. a runtime override ([Config.Override]);
//  2. the exact key in [Spec.Operations];
//  3. the first matching [Spec.Patterns] entry, in the order given;
//  4. the key's service in [Spec.Services];
//  5. [Spec.Default] ([DefaultTimeout], 5 s, when zero).
//
// The result is then multiplied by the factor: [EnvFactor] read when the
// configuration is built (unset means 1), or [WithFactor]. The factor
// scales every rule, overrides included, because it describes the
// machine rather than the service; [Infinity] stays infinite. An invalid
// factor or spec is a typed error ([FactorError], [SpecError]) from [New],
// [Config.Reload] or [LoadDefault], never a panic.
//
// Reads are lock-free: a Config publishes an immutable snapshot through an
// atomic pointer, and writers (Override, ClearOverride, Configure, Reload)
// copy it under a mutex and publish the copy. A [Handle] caches one key's
// timeout against the snapshot it was computed from, so a hot path (such
// as genserver.Call without a deadline) pays two atomic loads and no map
// lookup while nothing changes.
//
// [Default] is the process-wide configuration that Orchard's packages
// read: genserver's "genserver.call" (the default call timeout),
// send's "send.deliver" and "send.dead_letter". It is built at program
// start from the environment; a bad [EnvFactor] there leaves the factor
// at 1 and is reported by [DefaultError] and by the next [LoadDefault].
//
// # Differences from Foundation
//
// Foundation keeps the configuration in a process (a GenServer with ETS);
// here it is a value read without messages, since a timeout is read on
// hot paths. Keys are strings rather than {service, operation} tuples, so
// one glob syntax serves for patterns.
//
// # Errors
//
// Bad input is an error, never a panic (docs/ERRORS.md): every error
// about a value the caller gave matches [ErrInvalidArgument], the
// *[FactorError] and *[SpecError] included, and [errors.As] finds an
// *[ArgumentError] for a nil option. A nil *[Config] reads as an empty
// configuration ([DefaultTimeout] for every key, factor 1) and refuses
// writes.
//
// # Example
//
//	cfg, err := timeouts.New(timeouts.Spec{
//		Default:    2 * time.Second,
//		Services:   map[string]time.Duration{"db": 5 * time.Second},
//		Operations: map[string]time.Duration{"db.migrate": time.Minute},
//		Patterns:   []timeouts.Pattern{{Glob: "db.report*", Timeout: 30 * time.Second}},
//	})
//	d := cfg.Get("db.query") // 5 s times ORCHARD_TIMEOUT_FACTOR
package timeouts
