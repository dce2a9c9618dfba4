package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/seed-fe72f376/orchard/conformance"
)

// TestConformanceRun runs a small scenario through the CLI, in real time,
// and checks that it prints the OTP trace as a JSON array.
func TestConformanceRun(t *testing.T) {
	file := filepath.Join("..", "..", "conformance", "testdata", "ofo_crash_last.json")
	sc, err := conformance.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"conformance", "run", "-check", file}, &out, &errOut)
	if code != 0 {
		t.Fatalf("orchard conformance run -check exited %d; stderr:\n%s", code, errOut.String())
	}
	if !strings.HasPrefix(out.String(), "[\n  \"sup_init root\",\n") || !strings.HasSuffix(out.String(), "\"\n]\n") {
		t.Errorf("output is not one element per line:\n%s", out.String())
	}
	var got []string
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output is not a JSON array of strings: %v\n%s", err, out.String())
	}
	if !slices.Equal(got, sc.Expect) {
		t.Errorf("trace differs from expect:\n%s", conformance.Compare(sc.Expect, got))
	}
}

func TestConformanceUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"no subcommand", []string{"conformance"}, 2},
		{"unknown subcommand", []string{"conformance", "walk"}, 2},
		{"no file", []string{"conformance", "run"}, 2},
		{"two files", []string{"conformance", "run", "a.json", "b.json"}, 2},
		{"missing file", []string{"conformance", "run", filepath.Join(t.TempDir(), "none.json")}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(context.Background(), tc.args, &out, &errOut); code != tc.code {
				t.Errorf("run(%q) = %d; want %d (stderr: %s)", tc.args, code, tc.code, errOut.String())
			}
			if out.Len() != 0 {
				t.Errorf("run(%q) printed %q on stdout", tc.args, out.String())
			}
		})
	}
}

// TestConformanceFlagsAfterFile is a regression test: `run FILE
// -check` printed only the usage text. Flags may follow the file, and a
// passing check confirms on stderr, leaving stdout to the trace.
func TestConformanceFlagsAfterFile(t *testing.T) {
	file := filepath.Join("..", "..", "conformance", "testdata", "ofo_crash_last.json")
	for _, args := range [][]string{
		{"conformance", "run", file, "-check"},
		{"conformance", "run", "--check", file},
		{"conformance", "run", "-check=true", "--", file},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut); code != 0 {
			t.Fatalf("run(%q) = %d; stderr:\n%s", args, code, errOut.String())
		}
		var trace []string
		if err := json.Unmarshal(out.Bytes(), &trace); err != nil {
			t.Errorf("run(%q): stdout is not the trace: %v\n%s", args, err, out.String())
		}
		want := "ok: " + file + " matches the OTP trace (" + strconv.Itoa(len(trace)) + " events)\n"
		if errOut.String() != want {
			t.Errorf("run(%q) stderr = %q; want %q", args, errOut.String(), want)
		}
	}
	var out, errOut bytes.Buffer
	args := []string{"conformance", "run", file, "-nope"}
	if code := run(context.Background(), args, &out, &errOut); code != 2 || out.Len() != 0 {
		t.Errorf("run(%q) = %d, stdout %q; want 2 and nothing", args, code, out.String())
	}
	args = []string{"conformance", "run", "--", "-check"} // a file named -check
	if code := run(context.Background(), args, &out, &errOut); code != 1 {
		t.Errorf("run(%q) = %d; want 1 (no such file)", args, code)
	}
}
