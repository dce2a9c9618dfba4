package layers_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/seed-fe72f376/orchard/otptest"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

const module = "github.com/seed-fe72f376/orchard"

// layer of every public package, lowest first (ARCHITECTURE.md). A
// package may import its own layer and those below, never one above.
// Module-internal packages are shared plumbing that any layer may import;
// what they import in turn is charged to their importer (the check is on
// every package a package depends on, directly or not).
var layer = map[string]int{
	"telemetry": 0, "timeouts": 0,
	"process":   1,
	"genserver": 2, "supervisor": 2, "registry": 2, "task": 2, "app": 2,
	"send": 3, "deadletter": 3, "monitors": 3, "breaker": 3, "ratelimit": 3,
	"health": 3, "schedule": 3, "engine": 3, "deadletter/jsstore": 3,
	"coord": 3, "coord/kvcoord": 3,
	"osproc": 3,
	"agent":  3, "agent/kvstore": 3,
	"transport": 3, "jsonrpc": 3, "mcp": 4, "mcp/agenttools": 4,
	"cluster": 3, "cluster/clusterobs": 4,
	"cluster/clusteragent": 3, // agents across nodes: agent and cluster, both foundation
	// tools: what users run and plug in, and the project's own checks.
	"telemetry/bridge": 4, "telemetry/metricmap": 4, "telemetry/promexport": 4,
	"telemetry/otelexport": 4, "otptest": 4, "conformance": 4, "conformance/proc": 4,
	"cmd/orchard": 4, "bench": 4, "examples/quickstart": 4, "observer": 4,
	"cmd/orchardvet": 4, "vet": 4, "vet/nakedgo": 4, "vet/calltimeout": 4, "vet/monitorleak": 4,
	"vet/selftimer": 4, "vet/initblock": 4, "vet/rawsend": 4, "vet/testsleep": 4,
	"vet/internal/vetutil": 4, "vet/internal/vettest": 4,
}

// stdlibOnly are the packages that build on the standard library and
// module-internal packages alone: the base and the core.
var stdlibOnly = []string{"telemetry", "timeouts", "process", "genserver", "supervisor", "registry", "task", "app"}

type pkg struct {
	ImportPath string
	Standard   bool
	Deps       []string
	Module     *struct{ Path string }
}

func load(t *testing.T) map[string]pkg {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("layers: no go command on PATH to read the import graph")
	}
	cmd := exec.Command(gobin, "list", "-deps", "-json", module+"/...")
	cmd.Dir = "../.."
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(&out)
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs
}

func rel(path string) (string, bool) {
	if path == module {
		return "", true
	}
	r, ok := strings.CutPrefix(path, module+"/")
	return r, ok
}

func internal(r string) bool { return r == "internal" || strings.HasPrefix(r, "internal/") }

// TestEveryPackageHasALayer: a new package must say where it belongs.
func TestEveryPackageHasALayer(t *testing.T) {
	for path := range load(t) {
		r, ours := rel(path)
		if !ours || internal(r) {
			continue
		}
		if _, ok := layer[r]; !ok {
			t.Errorf("package %s has no layer in internal/layers (and ARCHITECTURE.md)", r)
		}
	}
}

// TestDependenciesPointDown: no package depends, directly or through
// internal plumbing, on a package of a higher layer.
func TestDependenciesPointDown(t *testing.T) {
	pkgs := load(t)
	for path, p := range pkgs {
		r, ours := rel(path)
		if !ours || internal(r) {
			continue
		}
		for _, d := range p.Deps {
			dr, dOurs := rel(d)
			if !dOurs || internal(dr) {
				continue
			}
			if layer[dr] > layer[r] {
				t.Errorf("%s (layer %d) depends on %s (layer %d): dependencies point downwards only", r, layer[r], dr, layer[dr])
			}
		}
	}
}

// TestBaseAndCoreUseTheStandardLibrary: the base and core packages depend
// on nothing outside the standard library and the module, and the base
// (telemetry's event API, timeouts) on nothing of Orchard but internal
// leaves that import nothing of Orchard themselves.
func TestBaseAndCoreUseTheStandardLibrary(t *testing.T) {
	pkgs := load(t)
	for _, r := range stdlibOnly {
		p, ok := pkgs[module+"/"+r]
		if !ok {
			t.Errorf("package %s not found", r)
			continue
		}
		var foreign, orchard []string
		for _, d := range p.Deps {
			dp := pkgs[d]
			dr, ours := rel(d)
			switch {
			case dp.Standard:
			case !ours:
				foreign = append(foreign, d)
			case layer[r] == 0 && !internal(dr):
				orchard = append(orchard, dr)
			}
		}
		sort.Strings(foreign)
		if len(foreign) > 0 {
			t.Errorf("%s depends on packages outside the standard library: %v", r, foreign)
		}
		if len(orchard) > 0 {
			t.Errorf("%s is a base package but depends on %v", r, orchard)
		}
	}
}

// natsUsers are the packages that may depend on NATS (nats-server,
// nats.go): the durable stores and what configures or runs them. Every
// other package, deadletter and the exporters (which name deadletter's
// events) included, must not, so that a program pays for NATS only when
// it stores something on disk (README, Dependencies).
var natsUsers = map[string]bool{
	"deadletter/jsstore": true, "schedule": true, "engine": true, "internal/natsengine": true,
	"cmd/orchard": true, "coord/kvcoord": true,
	// agent schedules through package schedule (which holds its durable
	// store); agent/kvstore is the agents' durable snapshot store.
	"agent": true, "agent/kvstore": true, "bench": true,
	"cluster": true, "cluster/clusterobs": true, // the observer's view of a cluster
	"cluster/clusteragent": true, // agents across nodes
	// mcp/agenttools offers agents as MCP tools (so that mcp itself does
	// not depend on agent, nor on NATS).
	"mcp/agenttools": true,
}

// TestNATSStaysInTheStores is a regression test: telemetry/metricmap
// imported deadletter for an event name while deadletter imported
// nats-server, so a program exporting metrics linked 25 NATS packages.
func TestNATSStaysInTheStores(t *testing.T) {
	for path, p := range load(t) {
		r, ours := rel(path)
		if !ours || natsUsers[r] {
			continue
		}
		for _, d := range p.Deps {
			if strings.HasPrefix(d, "github.com/nats-io/") {
				t.Errorf("%s depends on %s; only %v may depend on NATS", r, d, slices.Sorted(maps.Keys(natsUsers)))
				break
			}
		}
	}
}
