// Package registry implements Elixir's Registry: a local, partitioned
// key/process table with unique or duplicate keys, per-entry values
// (metadata), automatic removal of a dead process's entries, via-names for
// starting and addressing processes, and dispatch for local pub/sub.
//
// # OTP mapping
//
//	Elixir / OTP                          Orchard
//	Registry.start_link(keys: :unique)    registry.New(node)
//	keys: :duplicate                      registry.New(node, registry.WithKeys(registry.Duplicate))
//	partitions: n                         registry.WithPartitions(n)
//	listeners: [pid]                      registry.WithListener(func(registry.Event))
//	Registry.register/3                   (*Registry).Register(pid, key, value)
//	Registry.unregister/2                 (*Registry).Unregister(pid, key)
//	Registry.lookup/2                     (*Registry).Lookup(key) []Entry
//	Registry.whereis_name/1               (*Registry).WhereIs(key)
//	Registry.keys/2                       (*Registry).Keys(pid)
//	Registry.values/3                     (*Registry).Values(key, pid)
//	Registry.match/3                      (*Registry).Match(key, func(value any) bool)
//	Registry.count/1, count_match/3       (*Registry).Count(), CountKey(key)
//	Registry.update_value/3               (*Registry).UpdateValue(pid, key, update)
//	Registry.dispatch/3                   (*Registry).Dispatch(key, fn)
//	{:via, Registry, {reg, key}}          registry.Via(reg, key) (a process.Dest and genserver.Registrar)
//	GenServer.start_link(name: via)       genserver.Start(node, srv, genserver.WithVia(registry.Via(reg, key)))
//	{:already_registered, pid}            *AlreadyRegisteredError{Key, PID}
//	ArgumentError "unknown registry"      ErrClosed
//
// # Semantics
//
// A registration belongs to a process, not to the goroutine that made it:
// Register may name any live process, and the entry is removed when that
// process dies, whatever the reason. Removal uses one runtime exit hook
// (a callback run as the process dies) per (registry, process), installed on the
// process's first registration and cancelled when its last one is
// unregistered, so a registry holds no monitor, no process and no
// goroutine, and nothing polls. Hooks run before the process's Done
// channel closes: once a caller has seen a process die, its entries are
// gone.
//
// Keys and processes are hashed to partitions (by default one per
// GOMAXPROCS). Reads (Lookup, WhereIs, Match, CountKey, Dispatch, a
// via-name's Resolve) probe a lock-free hash table per partition and take
// no lock shared with other readers, so lookups scale with cores. Writes to a key take
// its partition's lock, then the lock of the process's partition; an exit
// hook takes the process's partition lock, releases it, then takes each
// key's partition lock in turn. That is the only nesting (key partition
// before process partition), and no registry lock is held while user code
// (a listener, a Match predicate, a Dispatch function) runs, except
// UpdateValue's update function.
//
// Listeners see the events of each key in the order of its changes, as
// Elixir's listeners receive them from the key's partition process: a
// change queues its events under the partition's lock, and one goroutine
// at a time, among those changing the partition, delivers them.
//
// Keys may be of any comparable type; strings and integers are hashed
// without reflection. A key that is not comparable panics, as it would as
// a map key.
//
// # Errors
//
// Bad input never panics (docs/ERRORS.md): a nil *Registry, a nil node, a
// nil option, listener or function, the zero PID and a key that is not
// comparable give an error matching [ErrInvalidArgument] ([ErrInvalidKey]
// and [ErrInvalidOption] match it too); [New] on a stopped node returns
// process.ErrNodeStopped. Methods without an error result (Lookup,
// WhereIs, Count, Unregister, Dispatch, ...) do nothing on bad input and
// return the zero value, as their docs say.
//
// # Differences from OTP
//
//   - Registry is not a process: New starts nothing, and Close (not a
//     supervisor) ends it. Elixir's registry is a supervisor of partition
//     processes that monitor or link to registered processes.
//   - Any goroutine may register any process; Elixir registers only the
//     caller (self()).
//   - Match takes a Go predicate instead of a match specification, and
//     listeners are functions (send to a process from one if needed). A
//     listener may run after the Register or Unregister that caused its
//     event has returned (on a goroutine delivering its partition's
//     events), and sees one key's events in the order of the changes,
//     which Elixir's messages from several processes do not promise.
//   - UpdateValue replaces the value and returns only an error.
//   - Between a process's death and its exit hook, Lookup may briefly
//     return the dead process, as in Elixir. Register treats such an entry
//     as free.
//
// # Example
//
//	reg, _ := registry.New(node)
//	defer reg.Close()
//	pid, _ := genserver.Start(node, srv, genserver.WithVia(registry.Via(reg, "cache")))
//	reply, err := genserver.Call[string](ctx, registry.Via(reg, "cache"), "get")
package registry
