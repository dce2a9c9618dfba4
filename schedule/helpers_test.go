package schedule_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/schedule"
	"github.com/seed-fe72f376/orchard/telemetry"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// event is one telemetry event a recorder saw.
type event struct {
	name string
	md   telemetry.Metadata
}

// recorder attaches to every schedule event of a fresh registry.
type recorder struct {
	reg    *telemetry.Registry
	mu     sync.Mutex
	events []event
}

var allEvents = []string{
	schedule.EventAdded, schedule.EventFired, schedule.EventDeliveryFailed,
	schedule.EventSkipped, schedule.EventCancelled, schedule.EventStoreFailed,
}

func newRecorder(t *testing.T) *recorder {
	t.Helper()
	r := &recorder{reg: telemetry.New()}
	if err := r.reg.Attach("test", allEvents, func(name string, _ telemetry.Measurements, md telemetry.Metadata) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.events = append(r.events, event{name, md})
	}); err != nil {
		t.Fatal(err)
	}
	return r
}

// of returns the events named name, in order.
func (r *recorder) of(name string) []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []event
	for _, e := range r.events {
		if e.name == name {
			out = append(out, e)
		}
	}
	return out
}

// start starts a scheduler on node with a recorder's registry and opts,
// failing the test on error.
func start(t *testing.T, node *process.Node, rec *recorder, opts ...schedule.Option) *schedule.Scheduler {
	t.Helper()
	if rec != nil {
		opts = append(opts, schedule.WithTelemetry(rec.reg))
	}
	s, err := schedule.Start(node, opts...)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return s
}

// list lists s's schedules, failing the test on error.
func list(t *testing.T, s *schedule.Scheduler) []schedule.Info {
	t.Helper()
	infos, err := s.List(context.Background())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	return infos
}

// arrival is a message and when it arrived.
type arrival struct {
	msg any
	at  time.Time
}

// sink is a process that records what it receives, with the time.
type sink struct {
	pid  process.PID
	mu   sync.Mutex
	got  []arrival
	note chan struct{} // one token per arrival
}

func newSink(t *testing.T, node *process.Node, opts ...process.SpawnOption) *sink {
	t.Helper()
	s := &sink{note: make(chan struct{}, 1024)}
	pid, err := node.Spawn(func(p *process.Proc) error {
		for {
			m, err := p.Receive(p.Context())
			if err != nil {
				return nil
			}
			s.mu.Lock()
			s.got = append(s.got, arrival{m, time.Now()})
			s.mu.Unlock()
			s.note <- struct{}{}
		}
	}, opts...)
	if err != nil {
		t.Fatalf("spawn sink: %v", err)
	}
	s.pid = pid
	return s
}

// wait waits for n more arrivals, bounded by timeout (fake time in a
// bubble).
func (s *sink) wait(t *testing.T, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for range n {
		select {
		case <-s.note:
		case <-deadline:
			t.Fatalf("sink: timed out waiting for %d arrivals (have %d)", n, len(s.arrivals()))
		}
	}
}

func (s *sink) arrivals() []arrival {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]arrival(nil), s.got...)
}

// failures collects what an OnFailure hook reports.
type failures struct {
	mu   sync.Mutex
	list []schedule.Failure
	note chan struct{}
}

func newFailures() *failures { return &failures{note: make(chan struct{}, 1024)} }

func (f *failures) option() schedule.Option {
	return schedule.WithOnFailure(func(x schedule.Failure) {
		f.mu.Lock()
		f.list = append(f.list, x)
		f.mu.Unlock()
		f.note <- struct{}{}
	})
}

func (f *failures) get() []schedule.Failure {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]schedule.Failure(nil), f.list...)
}
