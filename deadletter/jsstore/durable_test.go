package jsstore_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/deadletter/jsstore"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/telemetry"
)

func openDir(t *testing.T, dir string, cfg jsstore.DirConfig) *jsstore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := jsstore.OpenDir(ctx, dir, cfg)
	if err != nil {
		t.Fatalf("OpenDir(%s) = %v", dir, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestDurableAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	node := otptest.NewNode(t)
	ctx := context.Background()

	store := openDir(t, dir, jsstore.DirConfig{})
	q := newQueue(t, node, store)
	want := map[string]any{}
	for i := range 5 {
		e := add(t, q, send.Letter{Dest: node.Name("billing"), Msg: Order{ID: i, Item: "tea"}, Reason: errors.New("timeout"),
			Metadata: map[string]string{"trace": fmt.Sprint(i)}, FirstFailure: t0.Add(time.Duration(i) * time.Minute)})
		want[e.ID] = Order{ID: i, Item: "tea"}
	}
	odd := add(t, q, send.Letter{Dest: node.Name("billing"), Msg: make(chan int), FirstFailure: t0.Add(time.Hour)})
	_ = q.Close(ctx)
	if err := store.Close(); err != nil {
		t.Fatalf("store.Close = %v", err)
	}
	if err := store.Close(); !errors.Is(err, deadletter.ErrClosed) {
		t.Errorf("second Close = %v; want ErrClosed", err)
	}

	store2 := openDir(t, dir, jsstore.DirConfig{})
	q2 := newQueue(t, node, store2)
	got, err := q2.List(ctx, deadletter.Filter{}, 0)
	if err != nil || len(got) != 6 {
		t.Fatalf("List after restart = %d entries, %v; want 6", len(got), err)
	}
	for i, e := range got[:5] {
		msg, err := q2.Decode(e)
		if err != nil || msg != want[e.ID] || e.Metadata["trace"] != fmt.Sprint(i) || e.Reason != "timeout" {
			t.Errorf("entry %d after restart = %+v, decoded %#v, %v; want Order %d", i, e, msg, err, i)
		}
	}
	if last := got[5]; last.ID != odd.ID || last.Replayable || last.Msg.Type != "chan int" {
		t.Errorf("non-replayable entry after restart = %+v", last)
	}
	if _, err := jsstore.OpenDir(ctx, dir, jsstore.DirConfig{}); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("second OpenDir on a live dir = %v; want in-use error", err)
	}
}

// helperEnv switches the test binary into the crash helper: it appends
// entries to the store in the directory named by the variable.
const helperEnv = "ORCHARD_DEADLETTER_CRASH_HELPER_DIR"

// runHelperProcess runs the crash helper when the test binary was started
// as one, and reports whether it did (the helper never returns normally:
// it is killed).
func runHelperProcess() bool {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, err := jsstore.OpenDir(ctx, dir, jsstore.DirConfig{SyncAlways: os.Getenv(helperEnv+"_SYNC") == "1"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(3)
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ctx.Err() == nil; i++ {
		e := deadletter.Entry{ID: fmt.Sprintf("e%09d", i), Dest: deadletter.Destination{Kind: deadletter.DestName, Name: "x", Printed: "x"},
			Reason: "crash test", Attempts: 1, FirstFailure: time.Now()}
		if err := store.Put(ctx, e); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(4)
		}
		fmt.Fprintln(out, e.ID) // acknowledged
		_ = out.Flush()
	}
	os.Exit(5)
	return true
}

func TestKill9LosesNoAckedEntry(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	for _, policy := range []struct {
		name string
		sync string
	}{{"sync-always", "1"}, {"default-interval", "0"}} {
		t.Run(policy.name, func(t *testing.T) { killAndCheck(t, policy.sync) })
	}
}

// killAndCheck runs the helper, reads acked ids, SIGKILLs it in the middle
// of appending, and checks every acked id is in the reopened store. With
// the default interval policy this holds too: the killed program's writes
// are in the OS page cache, which a process crash does not lose (only a
// machine crash can lose the last interval's unsynced writes).
func killAndCheck(t *testing.T, sync string) {
	const acksWanted = 300
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir, helperEnv+"_SYNC="+sync)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	acked := readAcks(t, sc, acksWanted)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("SIGKILL: %v", err)
	}
	acked = append(acked, drain(sc)...) // acks printed before the kill landed
	if err := cmd.Wait(); err == nil {
		t.Fatalf("helper exited cleanly; want killed")
	}
	store := openDir(t, dir, jsstore.DirConfig{})
	missing := 0
	for _, id := range acked {
		if _, err := store.Get(context.Background(), id); err != nil {
			missing++
			if missing <= 5 {
				t.Errorf("acked entry %s lost after SIGKILL: %v", id, err)
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acked entries lost", missing, len(acked))
	}
	t.Logf("%d acked entries, all present after SIGKILL", len(acked))
}

func readAcks(t *testing.T, sc *bufio.Scanner, n int) []string {
	t.Helper()
	var ids []string
	deadline := time.Now().Add(time.Minute)
	for len(ids) < n && sc.Scan() {
		ids = append(ids, sc.Text())
		if time.Now().After(deadline) {
			t.Fatalf("only %d acks within a minute", len(ids))
		}
	}
	if len(ids) < n {
		t.Fatalf("helper stopped after %d acks: %v", len(ids), sc.Err())
	}
	return ids
}

func drain(sc *bufio.Scanner) []string {
	var ids []string
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "e") && len(line) == 10 {
			ids = append(ids, line) // a torn last line is not an ack
		}
	}
	return ids
}

func TestCorruptRecordIsSkippedAndReported(t *testing.T) {
	node := otptest.NewNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	store := openDir(t, t.TempDir(), jsstore.DirConfig{})
	tel := telemetry.New()
	var mu sync.Mutex
	var reported []string
	_ = tel.Attach("t", []string{deadletter.EventCorrupt}, func(_ string, _ telemetry.Measurements, md telemetry.Metadata) {
		mu.Lock()
		defer mu.Unlock()
		reported = append(reported, fmt.Sprint(md["key"]))
	})
	q := newQueue(t, node, store, deadletter.WithTelemetry(tel))
	good := add(t, q, send.Letter{Dest: node.Name("svc"), Msg: Order{ID: 1}})
	kv, err := store.JetStream().KeyValue(ctx, jsstore.DefaultBucket)
	if err != nil {
		t.Fatalf("KeyValue = %v", err)
	}
	if _, err := kv.Put(ctx, "garbage", []byte("not json")); err != nil {
		t.Fatalf("Put(garbage) = %v", err)
	}

	got, err := q.List(ctx, deadletter.Filter{}, 0)
	if err != nil || fmt.Sprint(ids(got)) != fmt.Sprint([]string{good.ID}) {
		t.Fatalf("List with a corrupt record = %v, %v; want [%s], nil", ids(got), err, good.ID)
	}
	pr := otptest.NewProbe(t, node, process.WithName("svc"))
	if res, err := q.Retry(ctx, deadletter.Filter{}); err != nil || len(res.Delivered) != 1 {
		t.Fatalf("Retry with a corrupt record = %+v, %v; want the good entry delivered", res, err)
	}
	if m := pr.Expect(t, time.Second); m != (Order{ID: 1}) {
		t.Errorf("probe got %#v; want the Order", m)
	}
	if _, err := store.Get(ctx, "garbage"); !errors.Is(err, deadletter.ErrCorrupt) {
		t.Errorf("Get(garbage) = %v; want ErrCorrupt", err)
	}
	entries, err := deadletter.List(ctx, store, deadletter.Filter{}, 0)
	var ce *deadletter.CorruptError
	if len(entries) != 0 || !errors.As(err, &ce) || len(ce.Records) != 1 || ce.Records[0].Key != "garbage" {
		t.Errorf("List(store) = %v, %v; want no entries and a *CorruptError for garbage", entries, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if st := q.Stats(); st.Corrupt != 2 || fmt.Sprint(reported) != "[garbage garbage]" {
		t.Errorf("Stats.Corrupt = %d, events for %v; want 2 for garbage (List, Retry)", st.Corrupt, reported)
	}
}
