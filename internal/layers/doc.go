// Package layers holds the test that keeps Orchard's import graph in its
// layers (ARCHITECTURE.md): dependencies point downwards only, the base
// packages import nothing of Orchard but internal leaves, and the core
// packages build on the standard library alone. It has no code; its test
// reads the graph with `go list -deps -json`.
package layers
