package agent_test

import (
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// stuckStore is an error store whose Record waits until released, like
// a remote store that cannot be reached.
type stuckStore struct {
	*agent.MemoryErrorStore
	release chan struct{}
}

func (s stuckStore) Record(r agent.CrashRecord) {
	<-s.release
	s.MemoryErrorStore.Record(r)
}

// TestSlowErrorStoreDoesNotHoldRestarts: a crashed agent is restarted
// while its crash record still waits for a stuck store; the record is
// written once the store answers.
func TestSlowErrorStoreDoesNotHoldRestarts(t *testing.T) {
	es := stuckStore{agent.NewMemoryErrorStore(8), make(chan struct{})}
	released := false
	release := func() {
		if !released {
			released = true
			close(es.release)
		}
	}
	t.Cleanup(release) // registered first: runs after the system's stop
	node, sys := startSystem(t, agent.WithErrorStore(es))
	t.Cleanup(release) // runs before the system's stop
	ctx := ctxT(t)
	pid, err := sys.Spawn(ctx, agent.Config{ID: "a", Kind: testKind(t, nil)})
	if err != nil {
		t.Fatal(err)
	}
	if err := node.Exit(pid, process.Kill); err != nil {
		t.Fatal(err)
	}
	otptest.Eventually(t, 5*time.Second, func() bool {
		st, _ := sys.Status("a")
		return st.Status == agent.Running && st.PID != pid
	}, "agent not restarted while its crash record waits for the store")
	if n, err := agent.Run[int](ctx, sys, "a", "add", addIn{By: 1}); err != nil || n != 1 {
		t.Fatalf("after restart: %d, %v", n, err)
	}
	release()
	otptest.Eventually(t, 5*time.Second, func() bool {
		return len(sys.Errors(agent.CrashFilter{AgentID: "a"})) == 1
	}, "crash record not written once the store answers")
}

// panickyStore is an error store whose Record panics.
type panickyStore struct{ *agent.MemoryErrorStore }

func (panickyStore) Record(agent.CrashRecord) { panic("store broken") }

// TestPanickingErrorStoreRestartsNothing: a store that panics loses the
// record, not the other agents (the crash log is a child of the system's
// one-for-all supervisor).
func TestPanickingErrorStoreRestartsNothing(t *testing.T) {
	node, sys := startSystem(t, agent.WithErrorStore(panickyStore{agent.NewMemoryErrorStore(8)}))
	ctx := ctxT(t)
	victim, err := sys.Spawn(ctx, agent.Config{ID: "victim", Kind: testKind(t, nil)})
	if err != nil {
		t.Fatal(err)
	}
	bystander, err := sys.Spawn(ctx, agent.Config{ID: "bystander", Kind: testKind(t, nil)})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := node.Exit(victim, process.Kill); err != nil {
			t.Fatal(err)
		}
		otptest.Eventually(t, 5*time.Second, func() bool {
			st, _ := sys.Status("victim")
			return st.Status == agent.Running && st.PID != victim && st.Crashes == i+1
		}, "victim not restarted")
		st, _ := sys.Status("victim")
		victim = st.PID
	}
	// the second crash is recorded after the first record's panic: had
	// that panic restarted the tree, the bystander would have a new process
	if _, err := agent.Run[int](ctx, sys, "victim", "add", addIn{By: 1}); err != nil {
		t.Fatal(err)
	}
	if st, _ := sys.Status("bystander"); st.PID != bystander {
		t.Fatalf("bystander's process %v; want %v, untouched", st.PID, bystander)
	}
}
