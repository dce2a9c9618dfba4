package supervisor_test

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// reportHandler is a slog.Handler that keeps each record's attributes
// flattened ("offender.id" => "a") and marks "report <errorContext>" in a
// trace, to show when the report was logged.
type reportHandler struct {
	tr *otptest.Trace

	mu       sync.Mutex          // protects the fields below
	reports  []map[string]string // error reports
	progress []map[string]string // progress reports (debug level)
}

func (h *reportHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *reportHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *reportHandler) WithGroup(string) slog.Handler            { return h }

func (h *reportHandler) Handle(_ context.Context, r slog.Record) error {
	m := map[string]string{"msg": r.Message, "level": r.Level.String()}
	var add func(prefix string, a slog.Attr)
	add = func(prefix string, a slog.Attr) {
		if a.Value.Kind() == slog.KindGroup {
			for _, g := range a.Value.Group() {
				add(prefix+a.Key+".", g)
			}
			return
		}
		m[prefix+a.Key] = a.Value.String()
	}
	r.Attrs(func(a slog.Attr) bool { add("", a); return true })
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Level < slog.LevelError {
		h.progress = append(h.progress, m)
		return nil
	}
	h.reports = append(h.reports, m)
	h.tr.Add("report " + m["errorContext"])
	return nil
}

func (h *reportHandler) all() []map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.reports)
}

// TestReports: supervisor reports go through log/slog with OTP's keys
// (supervisor, errorContext, reason, offender), and a child_terminated
// report is logged after the restart, off the restart's critical path;
// each child start is a progress report at debug level.
func TestReports(t *testing.T) {
	k := newKit(t)
	h := &reportHandler{tr: &k.trace}
	sup, err := supervisor.Start(k.node, supervisor.Spec{
		Flags:    supervisor.Flags{Strategy: supervisor.OneForOne, MaxRestarts: 1, Period: time.Hour},
		Children: k.specs("a"),
	}, supervisor.WithName("top"), supervisor.WithLogger(slog.New(h)), k.hook())
	if err != nil {
		t.Fatal(err)
	}
	down := k.monitor(sup)
	a := pidOf(t, sup, "a")
	crash(a)
	k.waitTrace("report child_terminated", 1)
	want := []string{"start a", "terminate a boom", "start a", "report child_terminated"}
	if got := k.trace.Lines(); !slices.Equal(got, want) {
		t.Errorf("trace = %q; want %q (report after the restart)", got, want)
	}
	r := h.all()[0]
	for key, v := range map[string]string{
		"level": "ERROR", "supervisor": "top", "errorContext": "child_terminated", "reason": "boom",
		"offender.id": "a", "offender.pid": a.String(), "offender.restart_type": "permanent",
		"offender.shutdown": "5000", "offender.child_type": "worker",
	} {
		if r[key] != v {
			t.Errorf("report[%s] = %q; want %q (report %v)", key, r[key], v, r)
		}
	}

	crash(pidOf(t, sup, "a")) // the second restart exceeds the intensity
	if reason := k.expectExit(down); reason != process.Shutdown {
		t.Errorf("supervisor exit = %v; want shutdown", reason)
	}
	h.mu.Lock()
	progress := slices.Clone(h.progress)
	h.mu.Unlock()
	if len(progress) != 2 {
		t.Fatalf("progress reports = %v; want 2 (boot and restart)", progress)
	}
	for key, v := range map[string]string{
		"level": "DEBUG", "msg": "supervisor progress", "supervisor": "top",
		"started.id": "a", "started.pid": a.String(), "started.restart_type": "permanent",
	} {
		if progress[0][key] != v {
			t.Errorf("progress[%s] = %q; want %q (report %v)", key, progress[0][key], v, progress[0])
		}
	}
	var contexts []string
	for _, r := range h.all() {
		contexts = append(contexts, r["errorContext"]+" "+r["reason"])
	}
	wantCtx := []string{"child_terminated boom", "child_terminated boom", "shutdown reached_max_restart_intensity"}
	if !slices.Equal(contexts, wantCtx) {
		t.Errorf("reports = %q; want %q", contexts, wantCtx)
	}
}
