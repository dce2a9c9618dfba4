package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// modulePath is Orchard's module path, printed by version.
const modulePath = "github.com/seed-fe72f376/orchard"

// buildVersion is what the binary's build information says about the
// main module: its version ("(devel)" for a build from a work tree, as go
// build records it), and the VCS settings go build stamps by default
// (none with -buildvcs=false, or outside a checkout).
type buildVersion struct {
	version  string // "(devel)", "v0.3.1", or "unknown" without build info
	revision string // vcs.revision, or ""
	time     string // vcs.time, or ""
	modified string // vcs.modified: "true", "false", or ""
	goVer    string // the Go version the binary was built with
}

// readBuildVersion extracts a buildVersion from bi; ok false (no build
// information: a binary built without module support) gives "unknown".
func readBuildVersion(bi *debug.BuildInfo, ok bool) buildVersion {
	v := buildVersion{version: "unknown", goVer: runtime.Version()}
	if !ok || bi == nil {
		return v
	}
	if bi.Main.Version != "" {
		v.version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		v.goVer = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.revision = s.Value
		case "vcs.time":
			v.time = s.Value
		case "vcs.modified":
			v.modified = s.Value
		}
	}
	return v
}

// String is what `orchard version` prints: three lines, the module and
// its version, the VCS revision (or why there is none), the Go version
// and platform.
func (v buildVersion) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "orchard %s (%s)\n", v.version, modulePath)
	switch {
	case v.revision == "":
		b.WriteString("revision unknown (built without VCS information: go run, -buildvcs=false, or not from a checkout)\n")
	default:
		b.WriteString("revision " + v.revision)
		if v.time != "" {
			b.WriteString(" of " + v.time)
		}
		if v.modified == "true" {
			b.WriteString(", with uncommitted changes")
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s %s/%s\n", v.goVer, runtime.GOOS, runtime.GOARCH)
	return b.String()
}

// versionText is what `orchard version` prints for this binary.
func versionText() string { return readBuildVersion(debug.ReadBuildInfo()).String() }
