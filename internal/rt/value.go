package rt

import "github.com/seed-fe72f376/orchard/process"

// Value returns the value of node n stored under key, creating it with
// init on first use (racing first uses may each call init; all get the
// one value stored). It is process's former Node.Value: node.Value(key,
// init) is now rt.Value(node, key, init). Behaviours keep per-node caches here (a pool of call records,
// say): anything that holds channels or timers must not be shared between
// nodes, since a node may live inside a testing/synctest bubble. Safe
// from any goroutine.
//
// Value cannot report bad input, so it returns nil for it: for a nil n, a
// key whose type is not comparable (a slice, a map, a func), or a nil
// init when key has no value yet.
func Value(n *process.Node, key any, init func() any) any {
	return impl.Value(n, key, init)
}
