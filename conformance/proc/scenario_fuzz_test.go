package proc_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/seed-fe72f376/orchard/conformance/proc"
)

// fuzzSeeds reach the corners of the format the recorded files do not:
// empty and null lists, an empty trace, reasons with spaces and HTML
// characters, every optional field, and input that is no scenario.
var fuzzSeeds = []string{
	`{"name":"x","steps":[]}`,
	`{"name":"x","steps":null,"expect":[]}`,
	`{"name":"x","steps":[],"expect":[],"orchard_differs":{"reason":"r","expect":[]}}`,
	`{"name":"x","steps":[{"do":"die","by":"a","reason":{ "shutdown" : "a<b&c" }}]}`,
	`{"name":"x","steps":[{"do":"exit","by":"a","to":"b","reason":" \"normal\" "}]}`,
	`{"name":"x","steps":[{"do":"die","by":"a","reason":null}]}`,
	`{"name":"x","steps":[{"do":"start","by":"a","name":"s","link":true,"trap":true,"init":"continue","continues":2,"cont_stop":"boom"}]}`,
	`{"name":"x","steps":[{"do":"call","by":"a","to":"s","req":"defer","timeout":5,"async":true},{"do":"await","by":"a"}]}`,
	`{"name":"x","steps":[{"do":"trap_exit","by":"a","on":false},{"do":"demonitor","by":"a","to":"b","flush":true}]}`,
	`{"name":"x","steps":[{"do":"cast","by":"a","to":"s","msg":"noop"},{"do":"status","to":"s"}]}`,
	`{"name":"x","steps":[{"do":"die","by":"a","reason":{"shutdown":"x","shutdown":"y"}}]}`,
	`{"name":"\u00e9\ud800","steps":[]}`,
	`{"name":"x","steps":[{"do":"spawn","name":"a","timeout":-1}]}`,
	`[]`,
	`null`,
	``,
}

// FuzzDecode checks the scenario parser on any input: Decode either
// fails with an error matching ErrInvalidArgument, or returns a scenario
// that encodes to JSON, decodes again to an equal value, and encodes
// again to the same bytes. It never panics.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	if len(files) == 0 {
		f.Fatal("no scenario in testdata")
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := proc.Decode(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, proc.ErrInvalidArgument) {
				t.Fatalf("Decode(%q) = %v; want an error matching ErrInvalidArgument", data, err)
			}
			return
		}
		b1, err := json.Marshal(sc)
		if err != nil {
			t.Fatalf("Marshal(Decode(%q)) = %v; want nil", data, err)
		}
		sc2, err := proc.Decode(bytes.NewReader(b1))
		if err != nil {
			t.Fatalf("Decode(Marshal(Decode(%q))) = %v; want nil; encoding:\n%s", data, err, b1)
		}
		if !reflect.DeepEqual(sc, sc2) {
			t.Fatalf("the scenario of %q changed through JSON:\nfirst:  %#v\nsecond: %#v\nencoding:\n%s", data, sc, sc2, b1)
		}
		b2, err := json.Marshal(sc2)
		if err != nil || !bytes.Equal(b1, b2) {
			t.Fatalf("re-encoding differs (%v):\n%s\n%s", err, b1, b2)
		}
	})
}
