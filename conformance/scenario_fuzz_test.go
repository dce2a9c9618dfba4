package conformance_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/seed-fe72f376/orchard/conformance"
)

// fuzzSeeds are small scenarios that reach the corners of the format the
// recorded files do not: every step kind, empty lists, reasons of every
// term shape, init sequences in both forms.
var fuzzSeeds = []string{
	`{"name":"x","tree":{},"steps":[]}`,
	`{"name":"x","tree":{"children":[]},"steps":[],"expect":[]}`,
	`{"name":"x","tree":{"children":[{"id":"a","behavior":{"init_sequence":[]}}]},"steps":null}`,
	`{"name":"x","tree":{"children":[{"id":"a","shutdown":"brutal_kill","behavior":{"init_sequence":["ok",{"result":"crash","delay_ms":5}],"trap_exit":true,"on_shutdown":"hang"}}]},
	  "steps":[{"crash":"root/a","reason":{"shutdown":[1,"x",{"k":[]}]},"settle":false,"unordered":true},{"sleep_ms":10},{"which_children":"root"},{"stop":"root"}]}`,
	`{"name":"x","tree":{"strategy":"simple_one_for_one","children":[{"id":"t","restart":"temporary"}]},
	  "steps":[{"start_child":{"sup":"root","name":"w1","args":{"init":"ignore"}}},{"count_children":"root"}]}`,
	`{"name":"x","tree":{"strategy":"dynamic","max_children":2},
	  "steps":[{"start_child":{"sup":"root","spec":{"id":"d","shutdown":100}}},{"terminate_child":"root/d"},{"restart_child":"root/d"},{"delete_child":"root/d"}]}`,
	`{"name":"x","tree":{"children":[{"id":"s","type":"supervisor","tree":{"strategy":"rest_for_one","intensity":0,"period_ms":1000,"children":[{"id":"w"}]}}]},"steps":[]}`,
	`{"name":"x","tree":{"children":[{"id":"a"}]},"steps":[{"crash":"root/a","reason":-0}]}`,
	`{"name":"x","tree":{"children":[{"id":"a"}]},"steps":[{"crash":"root/a","reason":"\u00e9\ud800"}]}`,
	`{"name":"x","tree":{"children":[{"id":"a"}]},"steps":[{"sleep_ms":-1}]}`,
	`{"name":"x","tree":{"children":[{"id":"a"},{"id":"a"}]},"steps":[]}`,
	`{"tree":{"children":[{"id":"a","shutdown":0}]}}`,
	`[]`,
	`null`,
	``,
}

// FuzzDecode checks the scenario parser on any input: Decode either
// fails with an error matching ErrInvalidArgument, or returns a scenario
// that encodes to JSON, decodes again to the same value, and encodes
// again to the same bytes. It never panics.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
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
		sc, err := conformance.Decode(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, conformance.ErrInvalidArgument) {
				t.Fatalf("Decode(%q) = %v; want an error matching ErrInvalidArgument", data, err)
			}
			return
		}
		b1, err := json.Marshal(sc)
		if err != nil {
			t.Fatalf("Marshal(Decode(%q)) = %v; want nil", data, err)
		}
		sc2, err := conformance.Decode(bytes.NewReader(b1))
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
