package metricmap_test

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/telemetry"
	"github.com/seed-fe72f376/orchard/telemetry/metricmap"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

func TestValidate(t *testing.T) {
	ev := []string{"e"}
	label := func(name, key string) []metricmap.Label { return []metricmap.Label{{Name: name, Key: key}} }
	cases := []struct {
		name  string
		m     metricmap.Metric
		valid bool
	}{
		{"counter", metricmap.Metric{Name: "orchard_x_total", Events: ev}, true},
		{"colons and digits", metricmap.Metric{Name: "ns:orchard_x2", Events: ev, Kind: metricmap.Histogram}, true},
		{"labels", metricmap.Metric{Name: "orchard_x", Events: ev, Labels: label("supervisor", "")}, true},
		{"pid-named label from a bounded key", metricmap.Metric{Name: "orchard_x", Events: ev, Labels: label("pid", "supervisor")}, true},
		{"255-byte name", metricmap.Metric{Name: strings.Repeat("a", metricmap.MaxNameLen), Events: ev}, true},
		{"256-byte name", metricmap.Metric{Name: strings.Repeat("a", metricmap.MaxNameLen+1), Events: ev}, false},
		{"empty name", metricmap.Metric{Events: ev}, false},
		{"dash in name", metricmap.Metric{Name: "orchard-x", Events: ev}, false},
		{"dot in name", metricmap.Metric{Name: "orchard.x", Events: ev}, false},
		{"leading digit", metricmap.Metric{Name: "1orchard", Events: ev}, false},
		{"no events", metricmap.Metric{Name: "orchard_x"}, false},
		{"empty event", metricmap.Metric{Name: "orchard_x", Events: []string{"e", ""}}, false},
		{"kind too big", metricmap.Metric{Name: "orchard_x", Events: ev, Kind: 9}, false},
		{"negative kind", metricmap.Metric{Name: "orchard_x", Events: ev, Kind: -1}, false},
		{"empty label name", metricmap.Metric{Name: "orchard_x", Events: ev, Labels: label("", "k")}, false},
		{"dash in label", metricmap.Metric{Name: "orchard_x", Events: ev, Labels: label("a-b", "")}, false},
		{"colon in label", metricmap.Metric{Name: "orchard_x", Events: ev, Labels: label("a:b", "")}, false},
		{"reserved label", metricmap.Metric{Name: "orchard_x", Events: ev, Labels: label("__name", "")}, false},
		{"pid label", metricmap.Metric{Name: "orchard_x", Events: ev, Labels: label("pid", "")}, false},
		{"parent key", metricmap.Metric{Name: "orchard_x", Events: ev, Labels: label("p", "parent")}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.m.Validate()
			if tc.valid && err != nil {
				t.Fatalf("Validate() = %v; want nil", err)
			}
			if !tc.valid && !errors.Is(err, metricmap.ErrInvalidMetric) {
				t.Fatalf("Validate() = %v; want ErrInvalidMetric", err)
			}
		})
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[metricmap.Kind]string{
		metricmap.Counter: "counter", metricmap.Gauge: "gauge", metricmap.Histogram: "histogram", 7: "invalid",
	} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q; want %q", int(k), got, want)
		}
	}
}

func TestValue(t *testing.T) {
	counter := metricmap.Metric{Kind: metricmap.Counter}
	gauge := metricmap.Metric{Kind: metricmap.Gauge}
	depth := metricmap.Metric{Kind: metricmap.Gauge, Measurement: "depth"}
	countedDepth := metricmap.Metric{Kind: metricmap.Counter, Measurement: "depth"}
	cases := []struct {
		name   string
		m      metricmap.Metric
		ms     telemetry.Measurements
		want   float64
		wantOK bool
	}{
		{"counter count", counter, telemetry.Measurements{"count": 3}, 3, true},
		{"counter without count", counter, telemetry.Measurements{"attempts": 2}, 1, true},
		{"counter nil measurements", counter, nil, 1, true},
		{"gauge count", gauge, telemetry.Measurements{"count": 5}, 5, true},
		{"gauge without count", gauge, telemetry.Measurements{"depth": 5}, 0, false},
		{"measurement present", depth, telemetry.Measurements{"depth": 7, "count": 1}, 7, true},
		{"measurement missing", depth, telemetry.Measurements{"count": 1}, 0, false},
		{"counter measurement missing", countedDepth, telemetry.Measurements{"count": 1}, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.m.Value(tc.ms)
			if ok != tc.wantOK || (ok && got != tc.want) {
				t.Errorf("Value(%v) = %v, %t; want %v, %t", tc.ms, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestMatches(t *testing.T) {
	restarts := metricmap.Metric{Match: map[string]any{"restart": true}}
	cases := []struct {
		name string
		m    metricmap.Metric
		md   telemetry.Metadata
		want bool
	}{
		{"no Match", metricmap.Metric{}, nil, true},
		{"equal", restarts, telemetry.Metadata{"restart": true, "x": 1}, true},
		{"different", restarts, telemetry.Metadata{"restart": false}, false},
		{"different type", restarts, telemetry.Metadata{"restart": "true"}, false},
		{"missing", restarts, telemetry.Metadata{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.m.Matches(tc.md); got != tc.want {
				t.Errorf("Matches(%v) = %t; want %t", tc.md, got, tc.want)
			}
		})
	}
}

type status int

func (s status) String() string { return [...]string{"up", "down"}[s] }

func TestLabelValues(t *testing.T) {
	m := metricmap.Metric{Labels: []metricmap.Label{
		{Name: "s"}, {Name: "b"}, {Name: "st"}, {Name: "n"}, {Name: "null"},
		{Name: "missing"}, {Name: "renamed", Key: "k"}, {Name: "outcome", FromEvent: true},
	}}
	md := telemetry.Metadata{"s": "x", "b": true, "st": status(1), "n": 42, "null": nil, "k": "v"}
	want := []string{"x", "true", "down", "42", "", "", "v", "delivered"}
	if got := m.LabelValues(send.EventDelivered, md); !slices.Equal(got, want) {
		t.Errorf("LabelValues = %q; want %q", got, want)
	}
	if got, want := m.LabelNames(), []string{"s", "b", "st", "n", "null", "missing", "renamed", "outcome"}; !slices.Equal(got, want) {
		t.Errorf("LabelNames = %q; want %q", got, want)
	}
	fromEvent := metricmap.Metric{Labels: []metricmap.Label{{Name: "outcome", FromEvent: true}}}
	for _, c := range []struct {
		event string
		md    telemetry.Metadata
		want  string
	}{
		{send.EventFailed, telemetry.Metadata{"outcome": "timeout"}, "timeout"},
		{send.EventFailed, nil, "failed"},
		{"undotted", nil, "undotted"},
	} {
		if got := fromEvent.LabelValues(c.event, c.md); !slices.Equal(got, []string{c.want}) {
			t.Errorf("LabelValues(%q, %v) = %q; want [%q]", c.event, c.md, got, c.want)
		}
	}
}

func names(ms []metricmap.Metric) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Name
	}
	return out
}

func TestDefaultMetricsSuffix(t *testing.T) {
	for _, suffix := range []string{"_total", ""} {
		t.Run("suffix="+suffix, func(t *testing.T) {
			ms := metricmap.DefaultMetrics(nil, nil, suffix)
			seen := map[string]bool{}
			for _, m := range ms {
				if err := m.Validate(); err != nil {
					t.Errorf("default metric: %v", err)
				}
				if seen[m.Name] {
					t.Errorf("duplicate name %s", m.Name)
				}
				seen[m.Name] = true
				total := strings.HasSuffix(m.Name, "_total")
				if want := m.Kind == metricmap.Counter && suffix == "_total"; total != want {
					t.Errorf("%s (%v): has _total = %t; want %t", m.Name, m.Kind, total, want)
				}
			}
			for _, name := range []string{"orchard_sends" + suffix, "orchard_dead_letters" + suffix, "orchard_process_lifetime_seconds"} {
				if !seen[name] {
					t.Errorf("no metric %s in %v", name, names(ms))
				}
			}
		})
	}
}

func TestDefaultMetricsEvents(t *testing.T) {
	find := func(ms []metricmap.Metric, name string) *metricmap.Metric {
		for i := range ms {
			if ms[i].Name == name {
				return &ms[i]
			}
		}
		return nil
	}
	ms := metricmap.DefaultMetrics(nil, nil, "")
	if got := find(ms, "orchard_sends").Events; !slices.Equal(got, metricmap.DefaultSendEvents) {
		t.Errorf("orchard_sends events = %v; want %v", got, metricmap.DefaultSendEvents)
	}
	if got := find(ms, "orchard_dead_letters").Events; !slices.Equal(got, metricmap.DefaultDeadLetterEvents) {
		t.Errorf("orchard_dead_letters events = %v; want %v", got, metricmap.DefaultDeadLetterEvents)
	}
	custom := metricmap.DefaultMetrics([]string{"myapp.send.ok"}, []string{}, "")
	if got := find(custom, "orchard_sends").Events; !slices.Equal(got, []string{"myapp.send.ok"}) {
		t.Errorf("custom orchard_sends events = %v", got)
	}
	if find(custom, "orchard_dead_letters") != nil {
		t.Error("empty dead-letter events still give orchard_dead_letters")
	}
	none := metricmap.DefaultMetrics([]string{}, []string{}, "")
	if find(none, "orchard_sends") != nil || find(none, "orchard_send_retries") != nil {
		t.Errorf("empty send events still give send metrics: %v", names(none))
	}
	if len(none) != len(ms)-3 {
		t.Errorf("len without send and dead-letter metrics = %d; want %d", len(none), len(ms)-3)
	}
}

// recording is what a Router's record function saw.
type recording struct {
	mu  sync.Mutex
	got []string
}

func (r *recording) record(inst string, v float64, labels []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, inst+"="+strings.Join(labels, ",")+":"+strconv.FormatFloat(v, 'g', -1, 64))
}

func TestRouter(t *testing.T) {
	tel := telemetry.New()
	r := metricmap.NewRouter[string](tel, "test")
	r.Add(metricmap.Metric{Name: "starts", Events: []string{"sup.started"}, Labels: []metricmap.Label{{Name: "supervisor"}}}, "starts")
	r.Add(metricmap.Metric{Name: "restarts", Events: []string{"sup.started"}, Match: map[string]any{"restart": true}}, "restarts")
	r.Add(metricmap.Metric{Name: "depth", Kind: metricmap.Gauge, Events: []string{"q.depth", "q.peak"}, Measurement: "depth"}, "depth")
	if got, want := sortedEvents(r), []string{"q.depth", "q.peak", "sup.started"}; !slices.Equal(got, want) {
		t.Fatalf("Events() = %v; want %v", got, want)
	}
	var rec recording
	if err := r.Attach(rec.record); err != nil {
		t.Fatal(err)
	}
	if err := r.Attach(rec.record); !errors.Is(err, telemetry.ErrAlreadyAttached) {
		t.Errorf("second Attach = %v; want ErrAlreadyAttached", err)
	}
	tel.Execute("sup.started", telemetry.Measurements{"count": 1}, telemetry.Metadata{"supervisor": "s1", "restart": false})
	tel.Execute("sup.started", nil, telemetry.Metadata{"supervisor": "s1", "restart": true})
	tel.Execute("q.depth", telemetry.Measurements{"count": 1}, nil) // no depth: skipped
	tel.Execute("q.peak", telemetry.Measurements{"depth": 9}, nil)
	tel.Execute("other", telemetry.Measurements{"depth": 9}, nil)
	want := []string{"starts=s1:1", "starts=s1:1", "restarts=:1", "depth=:9"}
	if !slices.Equal(rec.got, want) {
		t.Errorf("recorded %q; want %q", rec.got, want)
	}
	if err := r.Detach(); err != nil {
		t.Fatal(err)
	}
	if err := r.Detach(); err != nil {
		t.Errorf("second Detach = %v; want nil (not attached is fine)", err)
	}
	if n := len(tel.Handlers()); n != 0 {
		t.Errorf("%d handlers after Detach; want 0", n)
	}
}

func TestRouterWithoutMetrics(t *testing.T) {
	r := metricmap.NewRouter[int](nil, "metricmap.test.empty") // telemetry.Default()
	if err := r.Attach(func(int, float64, []string) { t.Error("record called") }); err != nil {
		t.Fatal(err)
	}
	hs := telemetry.Default().Handlers()
	i := slices.IndexFunc(hs, func(h telemetry.HandlerInfo) bool { return h.ID == "metricmap.test.empty" })
	if i < 0 {
		t.Fatalf("no handler attached to telemetry.Default(): %v", hs)
	}
	if got, want := hs[i].Events, []string{"metricmap.test.empty.none"}; !slices.Equal(got, want) {
		t.Errorf("placeholder events = %v; want %v", got, want)
	}
	telemetry.Execute("metricmap.test.empty.none", nil, nil)
	if err := r.Detach(); err != nil {
		t.Fatal(err)
	}
}

func sortedEvents[T any](r *metricmap.Router[T]) []string {
	evs := r.Events()
	slices.Sort(evs)
	return evs
}

func TestScanMailboxes(t *testing.T) {
	node := otptest.NewNode(t)
	hold := func(p *process.Proc) error { <-p.Done(); return nil }
	named, err := node.Spawn(hold, process.WithName("inbox"))
	if err != nil {
		t.Fatal(err)
	}
	anon, err := node.Spawn(hold)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		_ = node.Send(named, "x")
	}
	_ = node.Send(anon, "y")
	seen := map[string]int{}
	total, longest := metricmap.ScanMailboxes(node, func(name string, n int) { seen[name] = n })
	if total != 4 || longest != 3 || len(seen) != 1 || seen["inbox"] != 3 {
		t.Fatalf("ScanMailboxes = %d, %d, %v; want 4, 3, map[inbox:3]", total, longest, seen)
	}
	_ = node.Exit(named, process.Kill)
	_ = node.Exit(anon, process.Kill)
}
