package proc_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/seed-fe72f376/orchard/conformance"
	"github.com/seed-fe72f376/orchard/conformance/proc"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

var updateDiffers = flag.Bool("update-differs", false,
	"write Orchard's trace into orchard_differs.expect of the scenarios that declare a difference")

// knownBugs are scenarios that fail because of a known, reported bug;
// delete an entry once the bug is fixed.
var knownBugs = map[string]string{}

// TestScenarios replays every scenario of testdata on fake time and
// compares the trace with the one recorded on OTP 25 (or with Orchard's
// documented one, for a scenario with orchard_differs), with the servers
// in their default mode (abandoned calls dropped).
func TestScenarios(t *testing.T) { testScenarios(t) }

// TestScenariosOTPExact replays them with every server in OTP-exact mode
// (genserver.HandleAbandoned): the traces are the same.
func TestScenariosOTPExact(t *testing.T) { testScenarios(t, genserver.HandleAbandoned()) }

func testScenarios(t *testing.T, opts ...genserver.StartOption) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 100 {
		t.Fatalf("found %d scenarios; want at least 100", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc, err := proc.Load(file)
			if err != nil {
				t.Fatal(err)
			}
			if sc.Expect == nil {
				t.Fatal("no expect: record the scenario with otp/record.sh")
			}
			var got []string
			synctest.Test(t, func(t *testing.T) {
				got, err = proc.Run(t.Context(), sc, opts...)
			})
			if err != nil {
				t.Errorf("Run: %v", err)
			}
			want := sc.Expect
			if d := sc.OrchardDiffers; d != nil {
				if *updateDiffers && len(opts) == 0 {
					writeDiffers(t, file, got)
					return
				}
				want = d.Expect
			}
			if d := conformance.Compare(want, got); d != "" {
				if bug, ok := knownBugs[name]; ok {
					t.Skipf("known bug %s:\n%s", bug, d)
				}
				t.Errorf("trace differs from OTP's:\n%s", d)
			} else if bug, ok := knownBugs[name]; ok {
				t.Logf("passes although listed as known bug %s: delete its knownBugs entry", bug)
			}
		})
	}
}

// writeDiffers stores got as the orchard_differs trace of file, keeping
// the rest of the file as it is.
func writeDiffers(t *testing.T, file string, got []string) {
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte(`"reason": `))
	j := bytes.LastIndex(b, []byte("\n  }\n}"))
	if i < 0 || j < i {
		t.Fatalf("%s: cannot find orchard_differs", file)
	}
	line := b[i : i+bytes.IndexByte(b[i:], '\n')]
	line = bytes.TrimSuffix(line, []byte(","))
	var out bytes.Buffer
	out.Write(b[:i])
	out.Write(line)
	out.WriteString(",\n    \"expect\": [\n")
	for k, g := range got {
		var q bytes.Buffer
		enc := json.NewEncoder(&q)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(g)
		out.WriteString("      " + strings.TrimSuffix(q.String(), "\n"))
		if k < len(got)-1 {
			out.WriteByte(',')
		}
		out.WriteByte('\n')
	}
	out.WriteString("    ]")
	out.Write(b[j:])
	if err := os.WriteFile(file, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct{ name, json string }{
		{"unknown key", `{"name":"x","steps":[],"colour":1}`},
		{"unknown step key", `{"name":"x","steps":[{"do":"spawn","name":"a","colour":1}]}`},
		{"unknown action", `{"name":"x","steps":[{"do":"explode","by":"a"}]}`},
		{"missing by", `{"name":"x","steps":[{"do":"exit","to":"a"}]}`},
		{"missing name", `{"name":"x","steps":[{"do":"spawn_link","by":"a"}]}`},
		{"bad reason", `{"name":"x","steps":[{"do":"die","by":"a","reason":[1]}]}`},
		{"bad init", `{"name":"x","steps":[{"do":"start","by":"a","name":"s","init":"maybe"}]}`},
		{"bad request", `{"name":"x","steps":[{"do":"call","by":"a","to":"s","req":"dance"}]}`},
		{"bad cast", `{"name":"x","steps":[{"do":"cast","by":"a","to":"s","msg":"dance"}]}`},
		{"trailing data", `{"name":"x","steps":[]} {}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := proc.Decode(strings.NewReader(tc.json)); err == nil {
				t.Errorf("Decode(%s) = nil error; want an error", tc.json)
			}
		})
	}
}

// TestRunUnknownActor: a step naming an actor that was never spawned is
// a scenario error, reported with the trace so far.
func TestRunUnknownActor(t *testing.T) {
	sc, err := proc.Decode(strings.NewReader(`{"name":"x","steps":[
		{"do":"spawn","name":"a"},{"do":"die","by":"a","reason":"normal"},{"do":"recv","by":"nobody"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		got, err := proc.Run(t.Context(), sc)
		if err == nil || !strings.Contains(err.Error(), "step 3") {
			t.Errorf("Run error = %v; want one about step 3", err)
		}
		if d := conformance.Compare([]string{"a died normal"}, got); d != "" {
			t.Errorf("trace:\n%s", d)
		}
	})
}
