package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// modulePath is Orchard's module path, printed by version.
const modulePath = "github.com/seed-fe72f376/orchard"

// moduleVersion returns the version of the main module as recorded in the
// binary's build information, or "devel" for a build from a work tree
// without a version (go run, go build in a checkout).
func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	switch v := bi.Main.Version; v {
	case "", "(devel)":
		return "devel"
	default:
		return v
	}
}

// versionText is what `orchard version` prints.
func versionText() string {
	return fmt.Sprintf("orchard %s (%s)\n%s %s/%s\n",
		moduleVersion(), modulePath, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
