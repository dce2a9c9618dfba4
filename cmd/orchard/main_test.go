package main

import (
	"bytes"
	"context"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/seed-fe72f376/orchard/otptest"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

func TestVersion(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"version"}, &out, &errOut); code != 0 {
		t.Fatalf("orchard version exited %d; stderr: %s", code, errOut.String())
	}
	text := out.String()
	if !bytes.HasPrefix(out.Bytes(), []byte("orchard ")) || !bytes.Contains(out.Bytes(), []byte(runtime.Version())) {
		t.Errorf("orchard version printed %q; want the module and Go versions", text)
	}
}

func TestVersionFromBuildInfo(t *testing.T) {
	setting := func(k, v string) debug.BuildSetting { return debug.BuildSetting{Key: k, Value: v} }
	cases := []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want []string // lines, the last (Go version) left out
	}{
		{"no build info", nil, false, []string{
			"orchard unknown (" + modulePath + ")",
			"revision unknown (built without VCS information: go run, -buildvcs=false, or not from a checkout)"}},
		{"devel without vcs", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, []string{
			"orchard (devel) (" + modulePath + ")",
			"revision unknown (built without VCS information: go run, -buildvcs=false, or not from a checkout)"}},
		{"devel, modified checkout", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			setting("vcs", "git"), setting("vcs.revision", "bccc658abc"), setting("vcs.time", "2026-12-05T02:00:00Z"), setting("vcs.modified", "true")}}, true, []string{
			"orchard (devel) (" + modulePath + ")",
			"revision bccc658abc of 2026-12-05T02:00:00Z, with uncommitted changes"}},
		{"release", &debug.BuildInfo{Main: debug.Module{Version: "v0.3.1"}, Settings: []debug.BuildSetting{
			setting("vcs.revision", "abc"), setting("vcs.modified", "false")}}, true, []string{
			"orchard v0.3.1 (" + modulePath + ")",
			"revision abc"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lines := strings.Split(strings.TrimSuffix(readBuildVersion(tc.bi, tc.ok).String(), "\n"), "\n")
			if len(lines) != 3 || !slices.Equal(lines[:2], tc.want) || !strings.HasPrefix(lines[2], "go") {
				t.Errorf("version text = %q; want %q and the Go version", lines, tc.want)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"no command", nil, 2},
		{"unknown command", []string{"frobnicate"}, 2},
		{"negative duration", []string{"demo", "--duration", "-1s"}, 2},
		{"zero crash period", []string{"demo", "--crash-every", "0"}, 2},
		{"bad seed", []string{"demo", "--seed", "x"}, 2},
		{"stray argument", []string{"demo", "extra"}, 2},
		{"keep-data with data", []string{"demo", "--data", "x", "--keep-data"}, 2},
		{"demo help", []string{"demo", "-h"}, 0},
		{"help", []string{"help"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if got := run(context.Background(), tc.args, &out, &errOut); got != tc.want {
				t.Errorf("run(%q) = %d; want %d", tc.args, got, tc.want)
			}
		})
	}
}
