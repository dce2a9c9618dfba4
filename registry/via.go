package registry

import (
	"fmt"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// ViaName is a name held by a registry with unique keys: a
// [process.Dest] for sends and calls, and a genserver.Registrar for
// naming a process at start (genserver.WithVia). Build it with [Via].
type ViaName struct {
	r   *Registry
	key any
}

// Via returns the name key in r ({via, Registry, {r, key}} in Elixir).
// Via cannot fail; a name in a nil registry (or the zero ViaName) is
// refused when it is used: Resolve and RegisterName return an error
// matching [ErrInvalidArgument].
func Via(r *Registry, key any) ViaName { return ViaName{r: r, key: key} }

// Resolve returns the process registered under the key now. It fails with
// a *[NotFoundError] (matching process.NoProc) when there is none,
// [ErrNotUnique] for a registry with duplicate keys and [ErrInvalidKey]
// for a key that is not comparable.
func (v ViaName) Resolve() (process.PID, error) {
	if !v.r.usable() {
		return process.PID{}, argerr.Nil("registry: ViaName.Resolve", "registry")
	}
	if v.r.keys != Unique {
		return process.PID{}, ErrNotUnique
	}
	if pid, ok := v.r.WhereIs(v.key); ok {
		return pid, nil
	}
	if _, ok := hashKey(v.r.seed, v.key); !ok {
		return process.PID{}, ErrInvalidKey // could never be registered
	}
	return process.PID{}, &NotFoundError{Key: v.key}
}

// RegisterName registers pid under the key with a nil value; see
// [Registry.Register].
func (v ViaName) RegisterName(pid process.PID) error {
	if !v.r.usable() {
		return argerr.Nil("registry: ViaName.RegisterName", "registry")
	}
	if v.r.keys != Unique {
		return ErrNotUnique
	}
	return v.r.Register(pid, v.key, nil)
}

// String returns "via(key)".
func (v ViaName) String() string { return fmt.Sprintf("via(%v)", v.key) }

// Key returns the name's key.
func (v ViaName) Key() any { return v.key }

// Registry returns the registry that holds the name.
func (v ViaName) Registry() *Registry { return v.r }
