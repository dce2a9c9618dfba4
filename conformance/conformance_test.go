package conformance_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/seed-fe72f376/orchard/conformance"
	"github.com/seed-fe72f376/orchard/otptest"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// TestConformance replays every scenario of testdata on fake time and
// compares the trace with the one recorded on OTP.
func TestConformance(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no scenarios in testdata")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc, err := conformance.Load(file)
			if err != nil {
				t.Fatal(err)
			}
			synctest.Test(t, func(t *testing.T) {
				got, err := conformance.Run(t.Context(), sc, conformance.RealClock{})
				if err != nil {
					t.Errorf("Run: %v", err)
				}
				if sc.Expect == nil {
					t.Logf("no expect; observed trace:\n%s", strings.Join(got, "\n"))
					return
				}
				if d := conformance.Compare(sc.Expect, got); d != "" {
					t.Errorf("trace differs from OTP's:\n%s", d)
				}
			})
		})
	}
}

func TestDecodeRejectsUnknownKeys(t *testing.T) {
	tests := []struct {
		name, json string
	}{
		{"top level", `{"name":"x","tree":{},"steps":[],"bogus":1}`},
		{"tree", `{"name":"x","tree":{"strategy":"one_for_one","colour":"red"},"steps":[]}`},
		{"child spec", `{"name":"x","tree":{"children":[{"id":"a","colour":"red"}]},"steps":[]}`},
		{"behavior", `{"name":"x","tree":{"children":[{"id":"a","behavior":{"init":"ok","x":1}}]},"steps":[]}`},
		{"init_sequence element", `{"name":"x","tree":{"children":[{"id":"a","behavior":{"init_sequence":[{"result":"ok","x":1}]}}]},"steps":[]}`},
		{"nested tree", `{"name":"x","tree":{"children":[{"id":"s","type":"supervisor","tree":{"x":1}}]},"steps":[]}`},
		{"step modifier", `{"name":"x","tree":{},"steps":[{"crash":"root/a","colour":"red"}]}`},
		{"step action", `{"name":"x","tree":{},"steps":[{"explode":"root/a"}]}`},
		{"action not first", `{"name":"x","tree":{},"steps":[{"settle":false,"crash":"root/a"}]}`},
		{"start_child value", `{"name":"x","tree":{},"steps":[{"start_child":{"sup":"root","spec":{"id":"n"},"x":1}}]}`},
		{"start_child spec", `{"name":"x","tree":{},"steps":[{"start_child":{"sup":"root","spec":{"id":"n","x":1}}}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := conformance.Decode(strings.NewReader(tc.json)); err == nil {
				t.Errorf("Decode(%s) = nil error; want an error", tc.json)
			}
		})
	}
}

func TestDecodeValidates(t *testing.T) {
	tests := []struct {
		name, json string
	}{
		{"strategy", `{"tree":{"strategy":"one_for_some"},"steps":[]}`},
		{"period", `{"tree":{"period_ms":1500},"steps":[]}`},
		{"duplicate ids", `{"tree":{"children":[{"id":"a"},{"id":"a"}]},"steps":[]}`},
		{"sofo template", `{"tree":{"strategy":"simple_one_for_one","children":[]},"steps":[]}`},
		{"dynamic children", `{"tree":{"strategy":"dynamic","children":[{"id":"a"}]},"steps":[]}`},
		{"max_children static", `{"tree":{"max_children":2},"steps":[]}`},
		{"supervisor without tree", `{"tree":{"children":[{"id":"s","type":"supervisor"}]},"steps":[]}`},
		{"shutdown", `{"tree":{"children":[{"id":"a","shutdown":"soon"}]},"steps":[]}`},
		{"init", `{"tree":{"children":[{"id":"a","behavior":{"init":"maybe"}}]},"steps":[]}`},
		{"dynamic restart mix", `{"tree":{"strategy":"dynamic"},"steps":[
			{"start_child":{"sup":"root","spec":{"id":"a","restart":"temporary"}}},
			{"start_child":{"sup":"root","spec":{"id":"b","restart":"permanent"}}}]}`},
		{"trailing data", `{"tree":{},"steps":[]} {}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := conformance.Decode(strings.NewReader(tc.json)); err == nil {
				t.Errorf("Decode(%s) = nil error; want an error", tc.json)
			}
		})
	}
}

func TestDecodeKeepsStepOrder(t *testing.T) {
	sc, err := conformance.Decode(strings.NewReader(`{"name":"x","tree":{"children":[{"id":"a"}]},"steps":[
		{"crash":"root/a","reason":{"shutdown":"x"},"settle":false,"unordered":true},
		{"sleep_ms":150},
		{"which_children":"root"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	st := sc.Steps[0]
	if st.Action != "crash" || st.Path != "root/a" || st.Settle || !st.Unordered ||
		conformance.Render(st.Reason) != "{shutdown,x}" {
		t.Errorf("step 1 = %+v; want crash root/a {shutdown,x} settle=false unordered", st)
	}
	if st := sc.Steps[1]; st.Action != "sleep_ms" || st.SleepMS != 150 || !st.Settle {
		t.Errorf("step 2 = %+v; want sleep_ms 150", st)
	}
	if st := sc.Steps[2]; st.Action != "which_children" || st.Path != "root" {
		t.Errorf("step 3 = %+v; want which_children root", st)
	}
}

// TestRunRejectsDeadTarget: a crash of a path that is not alive is a
// scenario error, reported with the trace so far.
func TestRunRejectsDeadTarget(t *testing.T) {
	sc, err := conformance.Decode(strings.NewReader(`{"tree":{"children":[{"id":"a"}]},
		"steps":[{"crash":"root/nobody"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		got, err := conformance.Run(t.Context(), sc, nil)
		if err == nil {
			t.Fatal("Run = nil error; want an error")
		}
		want := []string{"sup_init root", "start root/a", "result start_link root {ok,pid}", "step 1 crash"}
		if d := conformance.Compare(want, got); d != "" {
			t.Errorf("trace:\n%s", d)
		}
	})
}

func TestCompare(t *testing.T) {
	if d := conformance.Compare([]string{"a", "b"}, []string{"a", "b"}); d != "" {
		t.Errorf("Compare(equal) = %q; want empty", d)
	}
	d := conformance.Compare([]string{"a", "b", "c"}, []string{"a", "x"})
	if !strings.Contains(d, "first difference at event 2:\n  expect: b\n  actual: x\n") {
		t.Errorf("Compare = %q; want the first difference at event 2", d)
	}
	d = conformance.Compare([]string{"a"}, []string{"a", "extra"})
	if !strings.Contains(d, "expect: <end>\n  actual: extra") {
		t.Errorf("Compare = %q; want <end> on the short side", d)
	}
}

func TestWriteTrace(t *testing.T) {
	var b strings.Builder
	if err := conformance.WriteTrace(&b, []string{"sup_init root", `q"uote`}); err != nil {
		t.Fatal(err)
	}
	want := "[\n  \"sup_init root\",\n  \"q\\\"uote\"\n]\n"
	if b.String() != want {
		t.Errorf("WriteTrace = %q; want %q", b.String(), want)
	}
	b.Reset()
	_ = conformance.WriteTrace(&b, nil)
	if b.String() != "[]\n" {
		t.Errorf("WriteTrace(nil) = %q; want %q", b.String(), "[]\n")
	}
}

func TestValidationErrorType(t *testing.T) {
	_, err := conformance.Decode(strings.NewReader(`{"tree":{"period_ms":1},"steps":[]}`))
	var ve *conformance.ValidationError
	if !errors.As(err, &ve) || ve.Where != "root" {
		t.Errorf("Decode error = %v; want a *ValidationError at root", err)
	}
}
