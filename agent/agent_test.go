package agent_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// counter is the state of the test agents.
type counter struct {
	N    int      `json:"n"`
	Seen []string `json:"seen,omitempty"`
}

type addIn struct {
	By int `json:"by" jsonschema:"how much to add"`
}

type noteIn struct {
	Text string `json:"text"`
}

var (
	childKindOnce sync.Once
	childKind     agent.Kind
)

// testKind builds the kind used throughout: add, note, crash, slow,
// spawn, emit, later, stop, offload.
func testKind(t testing.TB, spec func(*agent.Spec[counter])) agent.Kind {
	t.Helper()
	s := agent.Spec[counter]{
		Name: "counter",
		Actions: []agent.Action[counter]{
			agent.NewAction("add", "adds to the counter", func(_ context.Context, st *counter, in addIn) (int, []agent.Directive, error) {
				st.N += in.By
				return st.N, nil, nil
			}),
			agent.NewAction("note", "remembers a text", func(_ context.Context, st *counter, in noteIn) ([]string, []agent.Directive, error) {
				st.Seen = append(st.Seen, in.Text)
				return st.Seen, nil, nil
			}),
			agent.NewAction("get", "returns the counter", func(_ context.Context, st *counter, _ struct{}) (int, []agent.Directive, error) {
				return st.N, nil, nil
			}),
			agent.NewAction("crash", "panics", func(_ context.Context, st *counter, _ struct{}) (int, []agent.Directive, error) {
				panic("boom")
			}),
			agent.NewAction("fail", "returns an error", func(_ context.Context, st *counter, _ struct{}) (int, []agent.Directive, error) {
				return 0, nil, errors.New("failed")
			}),
			agent.NewAction("slow", "reports progress and waits for cancellation", func(ctx context.Context, st *counter, _ struct{}) (int, []agent.Directive, error) {
				agent.ReportProgress(ctx, 1, 2, "half")
				<-ctx.Done()
				return 0, nil, ctx.Err()
			}),
			agent.NewAction("stop", "stops the agent", func(_ context.Context, st *counter, _ struct{}) (int, []agent.Directive, error) {
				return st.N, []agent.Directive{agent.Stop{}}, nil
			}),
			agent.NewAction("later", "adds 1 after a delay, through the scheduler", func(_ context.Context, st *counter, _ struct{}) (int, []agent.Directive, error) {
				return st.N, []agent.Directive{agent.Schedule{Action: "add", Input: addIn{By: 1}, After: time.Millisecond}}, nil
			}),
			agent.NewAction("emit", "emits a signal", func(_ context.Context, st *counter, in noteIn) (int, []agent.Directive, error) {
				sig, err := agent.NewSignal("", "order.created", noteIn{Text: in.Text})
				return st.N, []agent.Directive{agent.Emit{Signal: sig}}, err
			}),
			agent.NewAction("offload", "counts the text's length in a task", func(_ context.Context, st *counter, in noteIn) (int, []agent.Directive, error) {
				return st.N, []agent.Directive{agent.Offload(func(ctx context.Context) (int, error) { return len(in.Text), nil }, "took")}, nil
			}),
			agent.NewAction("took", "adds a task's result", func(_ context.Context, st *counter, in agent.TaskResult[int]) (int, []agent.Directive, error) {
				st.N += in.Value
				return st.N, nil, nil
			}),
			agent.NewAction("spawn", "spawns a child agent", func(_ context.Context, st *counter, in noteIn) (int, []agent.Directive, error) {
				return st.N, []agent.Directive{agent.Spawn{Config: agent.Config{ID: in.Text, Kind: childKindFor(t)}}}, nil
			}),
			agent.NewAction("tick", "counts a timer tick", func(_ context.Context, st *counter, n int) (int, []agent.Directive, error) {
				st.N = n
				return st.N, nil, nil
			}),
		},
		Routes: []agent.Route{{Pattern: "order.*", Action: "note"}, {Pattern: "tick.*", Action: "tick"}},
	}
	if spec != nil {
		spec(&s)
	}
	k, err := agent.NewKind(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func childKindFor(t testing.TB) agent.Kind {
	childKindOnce.Do(func() {
		k, err := agent.NewKind(agent.Spec[counter]{Name: "child", Actions: []agent.Action[counter]{
			agent.NewAction("crash", "panics", func(_ context.Context, st *counter, _ struct{}) (int, []agent.Directive, error) {
				panic("child boom")
			}),
			agent.NewAction("get", "returns the counter", func(_ context.Context, st *counter, _ struct{}) (int, []agent.Directive, error) {
				return st.N, nil, nil
			}),
		}})
		if err != nil {
			panic(err)
		}
		childKind = k
	})
	return childKind
}

// recorder collects status changes.
type recorder struct {
	mu sync.Mutex
	ch []agent.StatusChange
}

func (r *recorder) add(c agent.StatusChange) {
	r.mu.Lock()
	r.ch = append(r.ch, c)
	r.mu.Unlock()
}

func (r *recorder) of(id string) []agent.Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []agent.Status
	for _, c := range r.ch {
		if c.ID == id {
			out = append(out, c.To)
		}
	}
	return out
}

func startSystem(t *testing.T, opts ...agent.Option) (*process.Node, *agent.System) {
	t.Helper()
	node := otptest.NewNode(t)
	sys, err := agent.Start(node, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := sys.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return node, sys
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestRunTypedAndJSON(t *testing.T) {
	_, sys := startSystem(t)
	ctx := ctxT(t)
	if _, err := sys.Spawn(ctx, agent.Config{ID: "a", Kind: testKind(t, nil)}); err != nil {
		t.Fatal(err)
	}
	n, err := agent.Run[int](ctx, sys, "a", "add", addIn{By: 2})
	if err != nil || n != 2 {
		t.Fatalf("typed run = %d, %v; want 2", n, err)
	}
	out, err := sys.RunJSON(ctx, "a", "add", json.RawMessage(`{"by":3}`))
	if err != nil || string(out) != "5" {
		t.Fatalf("JSON run = %s, %v; want 5", out, err)
	}
	// a map is encoded and validated too
	if n, err = agent.Run[int](ctx, sys, "a", "add", map[string]any{"by": 1}); err != nil || n != 6 {
		t.Fatalf("map run = %d, %v; want 6", n, err)
	}
	// the action's error comes back and the agent keeps running
	if _, err := agent.Run[int](ctx, sys, "a", "fail", struct{}{}); err == nil || err.Error() != "failed" {
		t.Fatalf("fail = %v", err)
	}
	if n, _ := agent.Run[int](ctx, sys, "a", "get", struct{}{}); n != 6 {
		t.Fatalf("after fail get = %d", n)
	}
}

func TestRunErrors(t *testing.T) {
	_, sys := startSystem(t)
	ctx := ctxT(t)
	if _, err := sys.Spawn(ctx, agent.Config{ID: "a", Kind: testKind(t, nil)}); err != nil {
		t.Fatal(err)
	}
	var ua *agent.UnknownAgentError
	if _, err := agent.Run[int](ctx, sys, "nobody", "add", addIn{}); !errors.As(err, &ua) || !errors.Is(err, agent.ErrUnknownAgent) {
		t.Errorf("unknown agent: %v", err)
	}
	if _, err := agent.Run[int](ctx, sys, "a", "nothing", addIn{}); !errors.Is(err, agent.ErrUnknownAction) {
		t.Errorf("unknown action: %v", err)
	}
	for _, bad := range []string{`{"by":"x"}`, `{}`, `{"by":1,"extra":2}`, `[`} {
		var ie *agent.InvalidInputError
		if _, err := sys.RunJSON(ctx, "a", "add", json.RawMessage(bad)); !errors.As(err, &ie) || !errors.Is(err, agent.ErrInvalidInput) {
			t.Errorf("input %s: %v", bad, err)
		}
	}
	var ce *agent.CrashedError
	if _, err := agent.Run[int](ctx, sys, "a", "crash", struct{}{}); !errors.As(err, &ce) || !errors.Is(err, agent.ErrCrashed) {
		t.Errorf("crash: %v", err)
	}
	// restarted by its supervisor: runs again
	if n, err := agent.Run[int](ctx, sys, "a", "add", addIn{By: 1}); err != nil || n != 1 {
		t.Errorf("after crash: %d, %v", n, err)
	}
	recs := sys.Errors(agent.CrashFilter{AgentID: "a"})
	if len(recs) != 1 || !strings.Contains(recs[0].Stack, "agent_test.go") || !strings.Contains(recs[0].Reason, "boom") {
		t.Errorf("crash record = %+v", recs)
	}
	if _, err := agent.Run[string](ctx, sys, "a", "get", struct{}{}); err == nil {
		t.Error("a result of the wrong type gave no error")
	}
}

func TestActionsListing(t *testing.T) {
	_, sys := startSystem(t)
	if err := sys.Register(agent.Config{ID: "a", Kind: testKind(t, nil)}); err != nil {
		t.Fatal(err)
	}
	acts, err := sys.Actions("a")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(acts, func(a agent.ActionInfo) bool { return a.Name == "add" })
	if i < 0 {
		t.Fatalf("no add in %v", acts)
	}
	var schema map[string]any
	if err := json.Unmarshal(acts[i].InputSchema, &schema); err != nil {
		t.Fatal(err)
	}
	props, _ := schema["properties"].(map[string]any)
	by, _ := props["by"].(map[string]any)
	if schema["type"] != "object" || by["type"] != "integer" || by["description"] != "how much to add" || acts[i].Description != "adds to the counter" {
		t.Errorf("add's schema = %s (%q)", acts[i].InputSchema, acts[i].Description)
	}
}

func TestProgressAndCancellation(t *testing.T) {
	_, sys := startSystem(t)
	ctx := ctxT(t)
	if _, err := sys.Spawn(ctx, agent.Config{ID: "a", Kind: testKind(t, nil)}); err != nil {
		t.Fatal(err)
	}
	got := make(chan agent.Progress, 1)
	runCtx, cancel := context.WithCancel(agent.WithProgress(ctx, func(p agent.Progress) { got <- p }))
	done := make(chan error, 1)
	go func() {
		_, err := agent.Run[int](runCtx, sys, "a", "slow", struct{}{})
		done <- err
	}()
	select {
	case p := <-got:
		if p.Done != 1 || p.Total != 2 || p.Message != "half" {
			t.Errorf("progress = %+v", p)
		}
	case <-ctx.Done():
		t.Fatal("no progress")
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled run = %v", err)
		}
	case <-ctx.Done():
		t.Fatal("cancellation did not reach the action")
	}
	// the agent handled the cancellation and runs on
	if _, err := agent.Run[int](ctx, sys, "a", "get", struct{}{}); err != nil {
		t.Fatal(err)
	}
}

// The seeds' lifecycle tests: start through the registry, stop
// gracefully and find it gone; kill it and find it crashed, then running
// again under its supervisor.
func TestLifecycle(t *testing.T) {
	rec := &recorder{}
	node, sys := startSystem(t, agent.WithStatusListener(rec.add))
	ctx := ctxT(t)
	if err := sys.Register(agent.Config{ID: "test_agent", Kind: testKind(t, nil), Capabilities: []string{"count"}, Metadata: map[string]string{"team": "a"}}); err != nil {
		t.Fatal(err)
	}
	if st, _ := sys.Status("test_agent"); st.Status != agent.Registered || st.Metadata["team"] != "a" || st.Config.Kind != "counter" {
		t.Fatalf("registered: %+v", st)
	}
	pid, err := sys.StartAgent(ctx, "test_agent")
	if err != nil || !node.IsAlive(pid) {
		t.Fatalf("StartAgent: %v, %v", pid, err)
	}
	if err := sys.StopAgent(ctx, "test_agent"); err != nil {
		t.Fatal(err)
	}
	if node.IsAlive(pid) {
		t.Error("stopped agent still alive")
	}
	if _, err := sys.Whereis("test_agent"); !errors.Is(err, agent.ErrNotRunning) {
		t.Errorf("Whereis after stop: %v", err)
	}
	if st, _ := sys.Status("test_agent"); st.Status != agent.Stopped {
		t.Errorf("status after stop: %v", st.Status)
	}

	pid, err = sys.StartAgent(ctx, "test_agent")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := agent.Run[int](ctx, sys, "test_agent", "add", addIn{By: 7}); err != nil {
		t.Fatal(err)
	}
	if err := node.Exit(pid, process.Kill); err != nil {
		t.Fatal(err)
	}
	otptest.Eventually(t, 5*time.Second, func() bool {
		st, _ := sys.Status("test_agent")
		return st.Status == agent.Running && st.PID != pid
	}, "agent not running again after kill")
	st, _ := sys.Status("test_agent")
	if st.Crashes != 1 || !errors.Is(st.LastReason, process.Killed) {
		t.Errorf("after kill: crashes %d, reason %v", st.Crashes, st.LastReason)
	}
	want := []agent.Status{agent.Starting, agent.Running, agent.Stopped, agent.Starting, agent.Running, agent.Crashed, agent.Restarting, agent.Running}
	if got := rec.of("test_agent"); !slices.Equal(got, want) {
		t.Errorf("transitions = %v, want %v", got, want)
	}
	recs := sys.Errors(agent.CrashFilter{AgentID: "test_agent"})
	if len(recs) != 1 || recs[0].Restarts != 1 || recs[0].Reason != process.FormatReason(process.Killed) {
		t.Errorf("crash records = %+v", recs)
	}
	if got := sys.FindByCapability("count"); len(got) != 1 || got[0].ID != "test_agent" {
		t.Errorf("FindByCapability = %+v", got)
	}
	if got := sys.FindByCapability("fly"); len(got) != 0 {
		t.Errorf("FindByCapability(fly) = %+v", got)
	}
}

func TestDirectives(t *testing.T) {
	node, sys := startSystem(t)
	ctx := ctxT(t)
	k := testKind(t, nil)
	if _, err := sys.Spawn(ctx, agent.Config{ID: "a", Kind: k}); err != nil {
		t.Fatal(err)
	}
	if _, err := sys.Spawn(ctx, agent.Config{ID: "listener", Kind: k}); err != nil {
		t.Fatal(err)
	}
	// schedule: add 1 later through the scheduler
	if _, err := agent.Run[int](ctx, sys, "a", "later", struct{}{}); err != nil {
		t.Fatal(err)
	}
	otptest.Eventually(t, 5*time.Second, func() bool {
		n, _ := agent.Run[int](ctx, sys, "a", "get", struct{}{})
		return n == 1
	}, "scheduled add did not run")
	// offload: the task's result comes back as an action
	if _, err := agent.Run[int](ctx, sys, "a", "offload", noteIn{Text: "four"}); err != nil {
		t.Fatal(err)
	}
	otptest.Eventually(t, 5*time.Second, func() bool {
		n, _ := agent.Run[int](ctx, sys, "a", "get", struct{}{})
		return n == 5
	}, "offloaded result did not come back")
	// emit: the signal reaches both agents' routes (order.*)
	if _, err := agent.Run[int](ctx, sys, "a", "emit", noteIn{Text: "o1"}); err != nil {
		t.Fatal(err)
	}
	otptest.Eventually(t, 5*time.Second, func() bool {
		seen, _ := agent.Run[[]string](ctx, sys, "listener", "note", noteIn{Text: "x"})
		return slices.Contains(seen, "o1")
	}, "emitted signal did not arrive")
	// spawn: a child under the agent's own supervisor; its crash does not
	// take the parent down
	parentPID, _ := sys.Whereis("a")
	if _, err := agent.Run[int](ctx, sys, "a", "spawn", noteIn{Text: "kid"}); err != nil {
		t.Fatal(err)
	}
	st, err := sys.Status("kid")
	if err != nil || st.Status != agent.Running || st.Parent != "a" {
		t.Fatalf("child: %+v, %v", st, err)
	}
	if _, err := agent.Run[int](ctx, sys, "kid", "crash", struct{}{}); !errors.Is(err, agent.ErrCrashed) {
		t.Errorf("child crash: %v", err)
	}
	otptest.Eventually(t, 5*time.Second, func() bool {
		st, _ := sys.Status("kid")
		return st.Status == agent.Running && st.Crashes == 1
	}, "child not restarted")
	if !node.IsAlive(parentPID) {
		t.Error("child crash took the parent down")
	}
	// stopping the child through the registry works under the parent's supervisor
	if err := sys.StopAgent(ctx, "kid"); err != nil {
		t.Fatal(err)
	}
	// stop: the agent stops normally and is not restarted
	if _, err := agent.Run[int](ctx, sys, "a", "stop", struct{}{}); err != nil {
		t.Fatal(err)
	}
	if err := otptest.Eventually(t, 5*time.Second, func() bool {
		st, _ := sys.Status("a")
		return st.Status == agent.Stopped
	}, "Stop directive"); !err {
		return
	}
	if _, err := agent.Run[int](ctx, sys, "a", "get", struct{}{}); !errors.Is(err, agent.ErrNotRunning) {
		t.Errorf("run on stopped agent: %v", err)
	}
}

func TestSignalRouting(t *testing.T) {
	_, sys := startSystem(t)
	ctx := ctxT(t)
	if _, err := sys.Spawn(ctx, agent.Config{ID: "a", Kind: testKind(t, nil)}); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"order.created", "order.line.added", "invoice.created", "order.paid"} {
		sig, _ := agent.NewSignal("test", typ, noteIn{Text: typ})
		n, err := sys.Publish(ctx, sig)
		wantN := 0
		if agent.Match("order.*", typ) {
			wantN = 1
		}
		if err != nil || n != wantN {
			t.Errorf("Publish(%s) = %d, %v; want %d", typ, n, err, wantN)
		}
	}
	seen, _ := agent.Run[[]string](ctx, sys, "a", "note", noteIn{Text: "end"})
	if want := []string{"order.created", "order.paid", "end"}; !slices.Equal(seen, want) {
		t.Errorf("seen = %v, want %v", seen, want)
	}
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		p, typ string
		ok     bool
	}{
		{"order.*", "order.created", true},
		{"order.*", "order.line.added", false},
		{"order.**", "order.line.added", true},
		{"order.**", "order", false},
		{"*.created", "order.created", true},
		{"order.created", "order.created", true},
		{"order", "order.created", false},
		{"", "x", false},
	} {
		if got := agent.Match(c.p, c.typ); got != c.ok {
			t.Errorf("Match(%q, %q) = %v", c.p, c.typ, got)
		}
	}
}

func TestPersistenceAcrossRestart(t *testing.T) {
	store := agent.NewMemoryStore()
	node, sys := startSystem(t, agent.WithStore(store))
	ctx := ctxT(t)
	k := testKind(t, func(s *agent.Spec[counter]) { s.Persist = agent.Policy{EveryAction: true} })
	pid, err := sys.Spawn(ctx, agent.Config{ID: "p", Kind: k})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := agent.Run[int](ctx, sys, "p", "add", addIn{By: 41}); err != nil {
		t.Fatal(err)
	}
	_ = node.Exit(pid, process.Kill)
	otptest.Eventually(t, 5*time.Second, func() bool {
		st, _ := sys.Status("p")
		return st.Status == agent.Running && st.PID != pid
	})
	if n, err := agent.Run[int](ctx, sys, "p", "add", addIn{By: 1}); err != nil || n != 42 {
		t.Errorf("after restart: %d, %v; want 42", n, err)
	}
	// a graceful stop snapshots too, with no policy
	k2 := testKind(t, nil)
	if _, err := sys.Spawn(ctx, agent.Config{ID: "q", Kind: k2}); err != nil {
		t.Fatal(err)
	}
	_, _ = agent.Run[int](ctx, sys, "q", "add", addIn{By: 3})
	if err := sys.StopAgent(ctx, "q"); err != nil {
		t.Fatal(err)
	}
	if _, err := sys.StartAgent(ctx, "q"); err != nil {
		t.Fatal(err)
	}
	if n, _ := agent.Run[int](ctx, sys, "q", "get", struct{}{}); n != 3 {
		t.Errorf("after stop and start: %d, want 3", n)
	}
}

func TestStateVersions(t *testing.T) {
	store := agent.NewMemoryStore()
	_, sys := startSystem(t, agent.WithStore(store))
	ctx := ctxT(t)
	_ = store.Save(ctx, "old", agent.Snapshot{Version: 1, Data: json.RawMessage(`{"count":9}`)})
	_ = store.Save(ctx, "new", agent.Snapshot{Version: 3, Data: json.RawMessage(`{"n":9}`)})
	migrating := testKind(t, func(s *agent.Spec[counter]) {
		s.Version = 2
		s.Migrate = func(from int, data json.RawMessage) (counter, error) {
			var v1 struct{ Count int }
			err := json.Unmarshal(data, &v1)
			return counter{N: v1.Count}, err
		}
	})
	if _, err := sys.Spawn(ctx, agent.Config{ID: "old", Kind: migrating}); err != nil {
		t.Fatal(err)
	}
	if n, _ := agent.Run[int](ctx, sys, "old", "get", struct{}{}); n != 9 {
		t.Errorf("migrated state = %d, want 9", n)
	}
	var ve *agent.VersionError
	if _, err := sys.Spawn(ctx, agent.Config{ID: "new", Kind: migrating}); !errors.As(err, &ve) || ve.Have != 3 || ve.Want != 2 {
		t.Errorf("newer snapshot: %v", err)
	}
	strict := testKind(t, func(s *agent.Spec[counter]) { s.Version = 2 })
	_ = store.Save(ctx, "old2", agent.Snapshot{Version: 1, Data: json.RawMessage(`{}`)})
	if _, err := sys.Spawn(ctx, agent.Config{ID: "old2", Kind: strict}); !errors.Is(err, agent.ErrVersion) {
		t.Errorf("older snapshot without Migrate: %v", err)
	}
}

type deadSink struct {
	mu sync.Mutex
	l  []string
}

func (d *deadSink) DeadLetter(_ context.Context, l send.Letter) error {
	d.mu.Lock()
	d.l = append(d.l, fmt.Sprint(l.Metadata["action"], ":", errors.Is(l.Reason, agent.ErrBufferFull)))
	d.mu.Unlock()
	return nil
}

func TestHibernation(t *testing.T) {
	store := agent.NewMemoryStore()
	dead := &deadSink{}
	rec := &recorder{}
	node, sys := startSystem(t, agent.WithStore(store), agent.WithDeadLetters(dead), agent.WithStatusListener(rec.add))
	ctx := ctxT(t)
	k := testKind(t, func(s *agent.Spec[counter]) { s.Buffer = 3 })
	pid, err := sys.Spawn(ctx, agent.Config{ID: "h", Kind: k})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = agent.Run[int](ctx, sys, "h", "add", addIn{By: 5})
	if err := sys.Hibernate(ctx, "h"); err != nil {
		t.Fatal(err)
	}
	if st, _ := sys.Status("h"); st.Status != agent.Hibernated || node.IsAlive(pid) {
		t.Fatalf("after Hibernate: %v, alive %v", st.Status, node.IsAlive(pid))
	}
	// an action wakes it with its state
	if n, err := agent.Run[int](ctx, sys, "h", "get", struct{}{}); err != nil || n != 5 {
		t.Fatalf("woken: %d, %v", n, err)
	}
	if err := sys.Hibernate(ctx, "h"); err != nil {
		t.Fatal(err)
	}
	// signals wake it; they are handled in order
	for i := range 3 {
		sig, _ := agent.NewSignal("test", "order.n", noteIn{Text: fmt.Sprint(i)})
		if _, err := sys.Publish(ctx, sig); err != nil {
			t.Fatal(err)
		}
	}
	seen, err := agent.Run[[]string](ctx, sys, "h", "note", noteIn{Text: "end"})
	if want := []string{"0", "1", "2", "end"}; err != nil || !slices.Equal(seen, want) {
		t.Errorf("seen = %v, %v; want %v", seen, err, want)
	}
	want := []agent.Status{agent.Starting, agent.Running, agent.Hibernated, agent.Starting, agent.Running, agent.Hibernated, agent.Starting, agent.Running}
	if got := rec.of("h"); !slices.Equal(got, want) {
		t.Errorf("transitions = %v, want %v", got, want)
	}
}

func TestIdleHibernation(t *testing.T) {
	_, sys := startSystem(t, agent.WithStore(agent.NewMemoryStore()))
	ctx := ctxT(t)
	k := testKind(t, func(s *agent.Spec[counter]) { s.IdleTimeout = 20 * time.Millisecond })
	if _, err := sys.Spawn(ctx, agent.Config{ID: "i", Kind: k}); err != nil {
		t.Fatal(err)
	}
	_, _ = agent.Run[int](ctx, sys, "i", "add", addIn{By: 2})
	otptest.Eventually(t, 5*time.Second, func() bool {
		st, _ := sys.Status("i")
		return st.Status == agent.Hibernated
	}, "idle agent did not hibernate")
	if n, _ := agent.Run[int](ctx, sys, "i", "get", struct{}{}); n != 2 {
		t.Errorf("woken state = %d", n)
	}
}

func TestManyRegisteredFewLive(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	store := agent.NewMemoryStore()
	_, sys := startSystem(t, agent.WithStore(store))
	k := testKind(t, nil)
	const registered, live = 100_000, 1_000
	for i := range registered {
		if err := sys.Register(agent.Config{ID: fmt.Sprint("r", i), Kind: k}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second) // bounded; slow under -race on a loaded machine
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, live)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < live; i += 8 {
				if _, err := sys.StartAgent(ctx, fmt.Sprint("r", i*(registered/live))); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	reg, run := sys.Count()
	if reg != registered || run != live {
		t.Errorf("Count = %d registered, %d running", reg, run)
	}
	if n, err := agent.Run[int](ctx, sys, "r500", "add", addIn{By: 1}); err != nil || n != 1 {
		t.Errorf("run on a live one: %d, %v", n, err)
	}
}

func TestSensors(t *testing.T) {
	_, sys := startSystem(t)
	ctx := ctxT(t)
	if _, err := sys.Spawn(ctx, agent.Config{ID: "a", Kind: testKind(t, nil)}); err != nil {
		t.Fatal(err)
	}
	if _, err := sys.StartTimerSensor(ctx, "ticks", "tick.ms", time.Millisecond); err != nil {
		t.Fatal(err)
	}
	fired := make(chan struct{})
	if _, err := sys.StartSensor(ctx, "once", func(ctx context.Context, emit func(agent.Signal) error) error {
		sig, _ := agent.NewSignal("", "order.once", noteIn{Text: "once"})
		if err := emit(sig); err != nil {
			return err
		}
		close(fired)
		<-ctx.Done()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	<-fired
	otptest.Eventually(t, 5*time.Second, func() bool {
		seen, _ := agent.Run[[]string](ctx, sys, "a", "note", noteIn{Text: "x"})
		n, _ := agent.Run[int](ctx, sys, "a", "get", struct{}{})
		return slices.Contains(seen, "once") && n >= 3
	}, "sensor signals did not arrive")
}

// gateStore is a memory store whose Load waits for its gate while armed.
type gateStore struct {
	*agent.MemoryStore
	armed chan struct{} // closed to release
	on    bool
	mu    sync.Mutex
}

func (g *gateStore) Load(ctx context.Context, id string) (agent.Snapshot, error) {
	g.mu.Lock()
	on, ch := g.on, g.armed
	g.mu.Unlock()
	if on {
		select {
		case <-ch:
		case <-ctx.Done():
			return agent.Snapshot{}, ctx.Err()
		}
	}
	return g.MemoryStore.Load(ctx, id)
}

func TestBufferOverflowAndOrder(t *testing.T) {
	store := &gateStore{MemoryStore: agent.NewMemoryStore(), armed: make(chan struct{})}
	dead := &deadSink{}
	_, sys := startSystem(t, agent.WithStore(store), agent.WithDeadLetters(dead))
	ctx := ctxT(t)
	k := testKind(t, func(s *agent.Spec[counter]) { s.Buffer = 3 })
	if _, err := sys.Spawn(ctx, agent.Config{ID: "b", Kind: k}); err != nil {
		t.Fatal(err)
	}
	if err := sys.Hibernate(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	store.mu.Lock()
	store.on = true
	store.mu.Unlock()
	publish := func(i int) error {
		sig, _ := agent.NewSignal("test", "order.n", noteIn{Text: fmt.Sprint(i)})
		_, err := sys.Publish(ctx, sig)
		return err
	}
	first := make(chan error, 1)
	go func() { first <- publish(0) }() // wakes the agent, whose Init waits on the store
	otptest.Eventually(t, 5*time.Second, func() bool {
		st, _ := sys.Status("b")
		return st.Status == agent.Starting
	}, "agent not starting")
	for i := 1; i <= 4; i++ {
		err := publish(i)
		if full := i >= 3; full != errors.Is(err, agent.ErrBufferFull) {
			t.Errorf("publish %d: %v", i, err)
		}
	}
	if st, _ := sys.Status("b"); st.Buffered != 3 {
		t.Errorf("buffered = %d, want 3", st.Buffered)
	}
	store.mu.Lock()
	store.on = false
	close(store.armed)
	store.mu.Unlock()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	seen, err := agent.Run[[]string](ctx, sys, "b", "note", noteIn{Text: "end"})
	if want := []string{"0", "1", "2", "end"}; err != nil || !slices.Equal(seen, want) {
		t.Errorf("seen = %v, %v; want %v", seen, err, want)
	}
	dead.mu.Lock()
	defer dead.mu.Unlock()
	if want := []string{"note:true", "note:true"}; !slices.Equal(dead.l, want) {
		t.Errorf("dead letters = %v, want %v", dead.l, want)
	}
}

func TestUnregisterAndScheduleCancel(t *testing.T) {
	_, sys := startSystem(t)
	ctx := ctxT(t)
	every := testKind(t, func(s *agent.Spec[counter]) {
		s.Actions = append(s.Actions, agent.NewAction("tickle", "adds 1 every millisecond", func(_ context.Context, st *counter, _ struct{}) (int, []agent.Directive, error) {
			return st.N, []agent.Directive{agent.Schedule{Action: "add", Input: addIn{By: 1}, Every: time.Millisecond}}, nil
		}))
	})
	if _, err := sys.Spawn(ctx, agent.Config{ID: "e", Kind: every, Capabilities: []string{"c"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := agent.Run[int](ctx, sys, "e", "tickle", struct{}{}); err != nil {
		t.Fatal(err)
	}
	otptest.Eventually(t, 5*time.Second, func() bool {
		n, _ := agent.Run[int](ctx, sys, "e", "get", struct{}{})
		return n >= 3
	}, "Every schedule did not run")
	if err := sys.Unregister(ctx, "e"); err != nil {
		t.Fatal(err)
	}
	if _, err := sys.Status("e"); !errors.Is(err, agent.ErrUnknownAgent) {
		t.Errorf("Status after Unregister: %v", err)
	}
	if got := sys.FindByCapability("c"); len(got) != 0 {
		t.Errorf("FindByCapability after Unregister: %v", got)
	}
	// the schedule went with the agent: a new agent under the same id
	// gets only its own scheduled add
	if _, err := sys.Spawn(ctx, agent.Config{ID: "e", Kind: every}); err != nil {
		t.Fatal(err)
	}
	if _, err := agent.Run[int](ctx, sys, "e", "later", struct{}{}); err != nil {
		t.Fatal(err)
	}
	var n int
	otptest.Eventually(t, 5*time.Second, func() bool {
		n, _ = agent.Run[int](ctx, sys, "e", "get", struct{}{})
		return n >= 1
	}, "After schedule did not run")
	if n != 1 {
		t.Errorf("new agent's counter = %d, want 1 (the old Every schedule still runs)", n)
	}
}

func TestMemoryErrorStore(t *testing.T) {
	es := agent.NewMemoryErrorStore(3)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		es.Record(agent.CrashRecord{AgentID: fmt.Sprint("a", i%2), Reason: fmt.Sprint("r", i), Time: t0.Add(time.Duration(i) * time.Minute)})
	}
	all := es.Query(agent.CrashFilter{})
	if len(all) != 3 || all[0].Reason != "r2" || all[2].Reason != "r4" {
		t.Fatalf("ring: %+v", all)
	}
	if got := es.Query(agent.CrashFilter{AgentID: "a0"}); len(got) != 2 {
		t.Errorf("by agent: %+v", got)
	}
	if got := es.Query(agent.CrashFilter{Reason: "r3"}); len(got) != 1 {
		t.Errorf("by reason: %+v", got)
	}
	if got := es.Query(agent.CrashFilter{Since: t0.Add(3 * time.Minute), Until: t0.Add(4 * time.Minute)}); len(got) != 1 || got[0].Reason != "r3" {
		t.Errorf("by time: %+v", got)
	}
}

func TestChildStopsWithParent(t *testing.T) {
	node, sys := startSystem(t)
	ctx := ctxT(t)
	pid, err := sys.Spawn(ctx, agent.Config{ID: "p", Kind: testKind(t, nil)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := agent.Run[int](ctx, sys, "p", "spawn", noteIn{Text: "kid2"}); err != nil {
		t.Fatal(err)
	}
	kid, _ := sys.Whereis("kid2")
	_ = node.Exit(pid, process.Kill)
	otptest.Eventually(t, 5*time.Second, func() bool {
		st, _ := sys.Status("kid2")
		return st.Status != agent.Running && !node.IsAlive(kid)
	}, "child still running after its parent died")
	if st, _ := sys.Status("kid2"); st.Status != agent.Stopped {
		t.Errorf("child status = %v, want stopped", st.Status)
	}
}

// TestIntensityReached: past the agents supervisor's restart intensity
// (100 in 5 s) the crashing agent is crashed for good, its siblings
// stopped (the supervisor took them down without reporting them), and the
// system starts them again under a new supervisor.
func TestIntensityReached(t *testing.T) {
	_, sys := startSystem(t)
	ctx := ctxT(t)
	k := testKind(t, nil)
	for _, id := range []string{"crasher", "bystander"} {
		if _, err := sys.Spawn(ctx, agent.Config{ID: id, Kind: k}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; ; i++ {
		_, err := agent.Run[int](ctx, sys, "crasher", "crash", struct{}{})
		if !errors.Is(err, agent.ErrCrashed) {
			t.Fatalf("crash %d: %v", i, err)
		}
		if st, _ := sys.Status("crasher"); st.Status == agent.Crashed || i > 200 {
			break
		}
	}
	otptest.Eventually(t, 5*time.Second, func() bool {
		c, _ := sys.Status("crasher")
		b, _ := sys.Status("bystander")
		return c.Status == agent.Crashed && b.Status == agent.Stopped
	}, "statuses after the supervisor gave up")
	otptest.Eventually(t, 5*time.Second, func() bool {
		_, err := sys.StartAgent(ctx, "bystander")
		return err == nil
	}, "the system did not recover its agents supervisor")
	if n, err := agent.Run[int](ctx, sys, "bystander", "add", addIn{By: 1}); err != nil || n != 1 {
		t.Errorf("after recovery: %d, %v", n, err)
	}
}

func TestHandledConfirmation(t *testing.T) {
	dead := &deadSink{}
	_, sys := startSystem(t, agent.WithConfirm(send.Handled), agent.WithDeadLetters(dead))
	ctx := ctxT(t)
	boom := testKind(t, func(s *agent.Spec[counter]) {
		s.Routes = []agent.Route{{Pattern: "order.*", Action: "note"}, {Pattern: "boom.*", Action: "crash"}}
	})
	if _, err := sys.Spawn(ctx, agent.Config{ID: "h", Kind: boom}); err != nil {
		t.Fatal(err)
	}
	sig, _ := agent.NewSignal("test", "order.x", noteIn{Text: "a"})
	if _, err := sys.Publish(ctx, sig); err != nil {
		t.Fatal(err)
	}
	// handled: the action ran before Publish returned
	if st, _ := sys.AgentStats("h"); st.Count != 1 {
		t.Errorf("after a handled publish: %d actions", st.Count)
	}
	sig, _ = agent.NewSignal("test", "boom.x", struct{}{})
	if _, err := sys.Publish(ctx, sig); !errors.Is(err, send.ErrCrashed) {
		t.Errorf("publish to a crashing action: %v", err)
	}
	dead.mu.Lock()
	defer dead.mu.Unlock()
	if len(dead.l) != 1 || dead.l[0] != "crash:false" {
		t.Errorf("dead letters = %v", dead.l)
	}
}

// poke is a plain message for TestMessages; its reply channel travels as
// it is to the action (unexported, so not in the schema).
type poke struct {
	By    int `json:"by"`
	reply chan int
}

// TestMessages checks that Spec.Messages turns plain messages to an
// agent's process into action runs, in order and against its state, and
// that messages it declines are dropped without harm.
func TestMessages(t *testing.T) {
	node, sys := startSystem(t)
	ctx := ctxT(t)
	k := testKind(t, func(s *agent.Spec[counter]) {
		s.Actions = append(s.Actions, agent.NewAction("poke", "adds and replies", func(_ context.Context, st *counter, in poke) (int, []agent.Directive, error) {
			st.N += in.By
			in.reply <- st.N
			return st.N, nil, nil
		}))
		s.Messages = func(msg any) (string, any, bool) {
			p, ok := msg.(poke)
			return "poke", p, ok
		}
	})
	pid, err := sys.Spawn(ctx, agent.Config{ID: "m", Kind: k})
	if err != nil {
		t.Fatal(err)
	}
	reply := make(chan int, 3)
	for _, msg := range []any{poke{By: 1, reply: reply}, "ignored", poke{By: 2, reply: reply}} {
		if err := node.Send(pid, msg); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []int{1, 3} {
		select {
		case got := <-reply:
			if got != want {
				t.Errorf("poke reply %d, want %d", got, want)
			}
		case <-ctx.Done():
			t.Fatal("no reply to a poke")
		}
	}
	if n, err := agent.Run[int](ctx, sys, "m", "get", struct{}{}); err != nil || n != 3 {
		t.Errorf("state after pokes: %d, %v; want 3", n, err)
	}
	if st, _ := sys.Status("m"); st.Crashes != 0 {
		t.Errorf("crashes = %d", st.Crashes)
	}
}

// TestAgentsList checks System.Agents: every registered agent by id,
// with its status, capabilities and load, cut at the limit.
func TestAgentsList(t *testing.T) {
	_, sys := startSystem(t)
	ctx := ctxT(t)
	k := testKind(t, nil)
	for _, id := range []string{"c", "a", "b"} {
		if _, err := sys.Spawn(ctx, agent.Config{ID: id, Kind: k, Capabilities: []string{"cap-" + id}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sys.Register(agent.Config{ID: "d", Kind: k}); err != nil {
		t.Fatal(err)
	}
	all := sys.Agents(0)
	var ids []string
	for _, in := range all {
		ids = append(ids, in.ID)
	}
	if !slices.Equal(ids, []string{"a", "b", "c", "d"}) {
		t.Fatalf("Agents(0) ids = %v", ids)
	}
	if all[0].Status != agent.Running || !slices.Equal(all[0].Capabilities, []string{"cap-a"}) || all[0].PID.IsZero() {
		t.Errorf("a = %+v", all[0])
	}
	if all[3].Status != agent.Registered || !all[3].PID.IsZero() {
		t.Errorf("d = %+v", all[3])
	}
	if two := sys.Agents(2); len(two) != 2 || two[1].ID != "b" {
		t.Errorf("Agents(2) = %+v", two)
	}
	for k := 1; k <= 5; k++ {
		var got []string
		for _, in := range sys.Agents(k) {
			got = append(got, in.ID)
		}
		if want := ids[:min(k, len(ids))]; !slices.Equal(got, want) {
			t.Errorf("Agents(%d) ids = %v; want %v", k, got, want)
		}
	}
	for _, i := range rand.Perm(300) {
		if err := sys.Register(agent.Config{ID: fmt.Sprintf("e%03d", i), Kind: k}); err != nil {
			t.Fatal(err)
		}
	}
	every := sys.Agents(0)
	for _, k := range []int{1, 7, 50, 303} {
		first := sys.Agents(k)
		if len(first) != k {
			t.Fatalf("Agents(%d) has %d agents", k, len(first))
		}
		for i := range first {
			if first[i].ID != every[i].ID {
				t.Fatalf("Agents(%d)[%d] = %s; want %s (the first by id)", k, i, first[i].ID, every[i].ID)
			}
		}
	}
	var nilSys *agent.System
	if nilSys.Agents(0) != nil {
		t.Error("a nil system listed agents")
	}
}
