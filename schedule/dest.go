package schedule

import (
	"fmt"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/registry"
)

// kindName is the DestRecord kind of a process.Name.
const kindName = "name"

// DestRecord is the durable form of a destination: a kind and a name.
// Kind "name" is a locally registered name (process.Name) of the
// scheduler's node; any other kind is a [RegistryName], resolved through
// the registry given for that kind with [WithRegistry].
type DestRecord struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// RegistryDest is a registry via-name with a string key that a durable
// schedule can store. Build it with [RegistryName].
type RegistryDest struct {
	kind string
	key  string
	reg  *registry.Registry
	via  registry.ViaName
}

// RegistryName returns registry.Via(r, key) as a destination a durable
// schedule can store, as {kind, key}. The scheduler that reloads it must
// be given r under the same kind with [WithRegistry]. RegistryName has
// no error result: with an empty kind or key, or a nil r, the
// destination's Resolve returns an error matching [ErrInvalidArgument]
// (and a durable schedule refuses it with a *[NotDurableError]).
func RegistryName(kind string, r *registry.Registry, key string) RegistryDest {
	return RegistryDest{kind: kind, key: key, reg: r, via: registry.Via(r, key)}
}

// Resolve resolves the via-name now; see [RegistryName] for bad input.
func (d RegistryDest) Resolve() (process.PID, error) {
	const op = "schedule: RegistryDest.Resolve"
	switch {
	case d.reg == nil:
		return process.PID{}, argerr.Nil(op, "registry")
	case d.kind == "":
		return process.PID{}, argerr.Empty(op, "kind")
	case d.key == "":
		return process.PID{}, argerr.Empty(op, "key")
	}
	return d.via.Resolve()
}

// String returns "kind:key".
func (d RegistryDest) String() string { return d.kind + ":" + d.key }

// recordOf returns the durable form of dest, or a *NotDurableError.
func recordOf(dest process.Dest) (DestRecord, error) {
	switch d := dest.(type) {
	case process.Name:
		return DestRecord{Kind: kindName, Name: d.String()}, nil
	case RegistryDest:
		if d.kind == "" || d.kind == kindName || d.key == "" || d.reg == nil {
			return DestRecord{}, &NotDurableError{Dest: dest}
		}
		return DestRecord{Kind: d.kind, Name: d.key}, nil
	}
	return DestRecord{}, &NotDurableError{Dest: dest}
}

// destOf rebuilds a destination from its record.
func (c *config) destOf(node *process.Node, r DestRecord) (process.Dest, error) {
	if r.Kind == kindName {
		return node.Name(r.Name), nil
	}
	if reg, ok := c.registries[r.Kind]; ok {
		return RegistryName(r.Kind, reg, r.Name), nil
	}
	return nil, fmt.Errorf("schedule: destination kind %q has no registry (WithRegistry)", r.Kind)
}
