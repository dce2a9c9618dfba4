package supervisor

import (
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/process"
)

// Strategy is how a supervisor reacts to a child's exit.
type Strategy int

const (
	// OneForOne restarts only the child that exited.
	OneForOne Strategy = iota
	// OneForAll terminates all other children and restarts them all.
	OneForAll
	// RestForOne terminates the children started after the one that
	// exited and restarts it and them.
	RestForOne
)

// String returns OTP's name for the strategy.
func (s Strategy) String() string {
	switch s {
	case OneForOne:
		return "one_for_one"
	case OneForAll:
		return "one_for_all"
	case RestForOne:
		return "rest_for_one"
	}
	return fmt.Sprintf("Strategy(%d)", int(s))
}

// Restart says when a child is restarted (OTP's restart type).
type Restart int

const (
	// Permanent children are always restarted.
	Permanent Restart = iota
	// Transient children are restarted only after an abnormal exit (not
	// normal, shutdown or {shutdown, _}).
	Transient
	// Temporary children are never restarted, and forgotten when they exit.
	Temporary
)

// String returns OTP's name for the restart type.
func (r Restart) String() string {
	switch r {
	case Permanent:
		return "permanent"
	case Transient:
		return "transient"
	case Temporary:
		return "temporary"
	}
	return fmt.Sprintf("Restart(%d)", int(r))
}

// ChildType is worker or supervisor.
type ChildType int

const (
	// Worker is any child that is not a supervisor.
	Worker ChildType = iota
	// SupervisorChild is a child that is itself a supervisor.
	SupervisorChild
)

// String returns OTP's name for the child type.
func (t ChildType) String() string {
	if t == SupervisorChild {
		return "supervisor"
	}
	return "worker"
}

// AutoShutdown says whether the exit of significant children stops the
// supervisor (OTP 24's auto_shutdown).
type AutoShutdown int

const (
	// Never: significant children are not allowed to stop the supervisor.
	Never AutoShutdown = iota
	// AnySignificant: the supervisor stops when any significant child
	// exits and is not restarted.
	AnySignificant
	// AllSignificant: the supervisor stops when no significant child is
	// left running.
	AllSignificant
)

// String returns OTP's name.
func (a AutoShutdown) String() string {
	switch a {
	case Never:
		return "never"
	case AnySignificant:
		return "any_significant"
	case AllSignificant:
		return "all_significant"
	}
	return fmt.Sprintf("AutoShutdown(%d)", int(a))
}

// Shutdown is how long a supervisor waits for a child to stop after
// sending it the shutdown signal, before killing it; or [BrutalKill] or
// [Infinity]. The zero value means the default: 5 s for a worker,
// Infinity for a supervisor child.
type Shutdown time.Duration

const (
	// BrutalKill kills the child at once, without a shutdown signal.
	BrutalKill Shutdown = -1
	// Infinity waits for the child however long it takes (the default for
	// supervisor children).
	Infinity Shutdown = -2
	// DefaultWorkerShutdown is a worker's default shutdown timeout.
	DefaultWorkerShutdown = Shutdown(5 * time.Second)
)

// String prints the shutdown as OTP would: brutal_kill, infinity or the
// timeout in milliseconds.
func (s Shutdown) String() string {
	switch s {
	case BrutalKill:
		return "brutal_kill"
	case Infinity:
		return "infinity"
	}
	return fmt.Sprint(time.Duration(s).Milliseconds())
}

// StartFunc starts a child linked to its supervisor, whose process is
// parent, and returns once the child is ready (like a gen_server
// start_link). Returning process.ErrIgnored (genserver.ErrIgnored) means
// the child chose not to run (OTP's ignore); any other error is a failed
// start.
type StartFunc func(parent *process.Proc) (process.PID, error)

// ChildSpec describes one child (OTP's child_spec map). Write it as a
// literal; zero values are the documented defaults.
type ChildSpec struct {
	// ID names the child among its siblings. Required, unique.
	ID string
	// Start starts the child. Required.
	Start StartFunc
	// Restart is when to restart it (default Permanent).
	Restart Restart
	// Shutdown is how to stop it (zero: 5 s for workers, Infinity for
	// supervisors).
	Shutdown Shutdown
	// Type is Worker (default) or SupervisorChild.
	Type ChildType
	// Significant children may stop the supervisor under AutoShutdown.
	// Only valid for Transient and Temporary children.
	Significant bool
	// Backoff delays the restarts of this child when it keeps failing
	// (nil: the supervisor's [WithBackoff], else none, as in OTP).
	Backoff *Backoff
}

// Flags are a supervisor's flags (OTP's sup_flags). The zero value is
// OTP's default: one_for_one, at most 1 restart in 5 seconds, no auto
// shutdown; so Flags{Strategy: OneForAll} is a usable one_for_all
// supervisor. A supervisor that must not restart anything says so with
// MaxRestarts: [NoRestarts].
type Flags struct {
	// Strategy is how the supervisor restarts (default OneForOne).
	Strategy Strategy
	// MaxRestarts is the intensity: more than MaxRestarts restarts within
	// Period make the supervisor give up. Zero means OTP's default, 1;
	// [NoRestarts] means no restart at all (OTP's intensity 0).
	MaxRestarts int
	// Period is the intensity window; zero means 5 s.
	Period time.Duration
	// AutoShutdown (default Never).
	AutoShutdown AutoShutdown
}

// NoRestarts, as [Flags.MaxRestarts], allows no restart at all (OTP's
// intensity 0): the first child exit that calls for a restart makes the
// supervisor give up. Zero cannot say it, since the zero MaxRestarts is
// OTP's default of 1, so that the zero Flags are usable.
const NoRestarts = -1

// DefaultFlags returns OTP's default flags, which are also the zero
// Flags: one_for_one, at most 1 restart in 5 seconds, no auto shutdown.
func DefaultFlags() Flags {
	return Flags{Strategy: OneForOne, MaxRestarts: 1, Period: 5 * time.Second}
}

// Spec is a static supervisor: its flags and its children in start order.
type Spec struct {
	Flags
	Children []ChildSpec
}

func (c ChildSpec) shutdown() Shutdown {
	if c.Shutdown != 0 {
		return c.Shutdown
	}
	if c.Type == SupervisorChild {
		return Infinity
	}
	return DefaultWorkerShutdown
}

// intensity is MaxRestarts with its zero value and NoRestarts resolved:
// OTP's intensity.
func (f Flags) intensity() int {
	switch f.MaxRestarts {
	case 0:
		return 1
	case NoRestarts:
		return 0
	}
	return f.MaxRestarts
}

func (f Flags) period() time.Duration {
	if f.Period == 0 {
		return 5 * time.Second
	}
	return f.Period
}

// validate checks flags; the errors are *SpecError.
func (f Flags) validate() error {
	switch {
	case f.Strategy < OneForOne || f.Strategy > RestForOne:
		return &SpecError{Field: "Strategy", Reason: fmt.Sprintf("unknown strategy %d", int(f.Strategy))}
	case f.MaxRestarts < NoRestarts:
		return &SpecError{Field: "MaxRestarts", Reason: fmt.Sprintf("negative intensity %d (NoRestarts is %d)", f.MaxRestarts, NoRestarts)}
	case f.Period < 0:
		return &SpecError{Field: "Period", Reason: fmt.Sprintf("negative period %v", f.Period)}
	case f.AutoShutdown < Never || f.AutoShutdown > AllSignificant:
		return &SpecError{Field: "AutoShutdown", Reason: fmt.Sprintf("unknown value %d", int(f.AutoShutdown))}
	}
	return nil
}

// validate checks one child spec.
func (c ChildSpec) validate(auto AutoShutdown) error {
	switch {
	case c.ID == "":
		return &SpecError{Child: c.ID, Field: "ID", Reason: "empty id"}
	case c.Start == nil:
		return &SpecError{Child: c.ID, Field: "Start", Reason: "missing start function"}
	case c.Restart < Permanent || c.Restart > Temporary:
		return &SpecError{Child: c.ID, Field: "Restart", Reason: fmt.Sprintf("unknown restart type %d", int(c.Restart))}
	case c.Type < Worker || c.Type > SupervisorChild:
		return &SpecError{Child: c.ID, Field: "Type", Reason: fmt.Sprintf("unknown child type %d", int(c.Type))}
	case c.Shutdown < Infinity:
		return &SpecError{Child: c.ID, Field: "Shutdown", Reason: fmt.Sprintf("invalid shutdown %d", int64(c.Shutdown))}
	case c.Significant && c.Restart == Permanent:
		return &SpecError{Child: c.ID, Field: "Significant", Reason: "a permanent child cannot be significant"}
	case c.Significant && auto == Never:
		return &SpecError{Child: c.ID, Field: "Significant", Reason: "significant children need AutoShutdown"}
	case c.Backoff != nil:
		return c.Backoff.validate(c.ID, "Backoff")
	}
	return nil
}

// validate checks the whole spec before anything starts.
func (s Spec) validate() error {
	if err := s.Flags.validate(); err != nil {
		return err
	}
	seen := make(map[string]bool, len(s.Children))
	for _, c := range s.Children {
		if err := c.validate(s.AutoShutdown); err != nil {
			return err
		}
		if seen[c.ID] {
			return &SpecError{Child: c.ID, Field: "ID", Reason: "duplicate id"}
		}
		seen[c.ID] = true
	}
	return nil
}
