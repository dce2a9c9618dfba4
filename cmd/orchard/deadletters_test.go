package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/deadletter/jsstore"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/telemetry"
)

func TestDeadlettersCLI(t *testing.T) {
	dir := t.TempDir()
	node := otptest.NewNode(t)
	ctx := context.Background()
	store, err := jsstore.OpenDir(ctx, dir, jsstore.DirConfig{})
	if err != nil {
		t.Fatal(err)
	}
	q, _ := deadletter.New(node, store, deadletter.WithTelemetry(telemetry.New()), deadletter.WithAutoRetry(time.Hour, 1))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	_, _ = q.Add(ctx, send.Letter{Dest: node.Name("billing"), Msg: "a", Reason: errors.New("call timeout"), FirstFailure: t0})
	_, _ = q.Add(ctx, send.Letter{Dest: node.Name("mailer"), Msg: make(chan int), Reason: errors.New("noproc"), FirstFailure: t0.Add(time.Minute)})
	_ = q.Close(ctx)
	// while open: locked
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"deadletters", "list", "--data", dir}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "in use") {
		t.Errorf("list on a live dir = %d, %q", code, errb.String())
	}
	_ = store.Close()
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"list", "--data", dir}, 0},
		{[]string{"list", "--data", dir, "--json", "--limit", "1"}, 0},
		{[]string{"list", "--data", dir, "--reason", "timeout"}, 0},
		{[]string{"purge", "--data", dir}, 2},
		{[]string{"retry", "--data", dir, "--dest", "billing"}, 0},
		{[]string{"list", "--data", dir, "--dest", "billing"}, 0},
		{[]string{"purge", "--data", dir, "--dest", "mailer"}, 0},
		{[]string{"purge", "--data", dir, "--all"}, 0},
		{[]string{"list", "--data", dir}, 0},
		{[]string{"list"}, 2},
		{[]string{"bogus"}, 2},
	} {
		out.Reset()
		errb.Reset()
		code := run(ctx, append([]string{"deadletters"}, c.args...), &out, &errb)
		t.Logf("$ orchard deadletters %s  => %d\n%s%s", strings.Join(c.args, " "), code, out.String(), errb.String())
		if code != c.code {
			t.Errorf("%v = %d; want %d", c.args, code, c.code)
		}
	}
}

func TestDeadlettersCLIServer(t *testing.T) {
	ctx := context.Background()
	eng, err := natsengine.Start(ctx, natsengine.Config{Dir: t.TempDir(), Listen: true, Host: "127.0.0.1", Port: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Shutdown(ctx)
	store, err := jsstore.OpenJetStream(ctx, eng.JetStream(), "")
	if err != nil {
		t.Fatal(err)
	}
	node := otptest.NewNode(t)
	q, _ := deadletter.New(node, store, deadletter.WithTelemetry(telemetry.New()))
	_, _ = q.Add(ctx, send.Letter{Dest: node.Name("billing"), Msg: "a", Reason: errors.New("call timeout")})
	var out, errb bytes.Buffer
	code := run(ctx, []string{"deadletters", "list", "--server", eng.Server().ClientURL()}, &out, &errb)
	t.Logf("%d\n%s%s", code, out.String(), errb.String())
	if code != 0 || !strings.Contains(out.String(), "billing") {
		t.Errorf("list --server = %d", code)
	}
}

// storeLetters stores n dead letters in a new store on dir and closes it.
func storeLetters(t *testing.T, dir string, n int) {
	t.Helper()
	ctx := context.Background()
	store, err := jsstore.OpenDir(ctx, dir, jsstore.DirConfig{})
	if err != nil {
		t.Fatal(err)
	}
	node := otptest.NewNode(t)
	q, err := deadletter.New(node, store, deadletter.WithTelemetry(telemetry.New()))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := q.Add(ctx, send.Letter{Dest: node.Name("billing"), Msg: fmt.Sprint("job ", i), Reason: errors.New("timeout")}); err != nil {
			t.Fatal(err)
		}
	}
	_ = q.Close(ctx)
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestDeadlettersMissingDir is a regression test: `list --data
// WRONG_DIR` printed "0 entries" and created the directory.
func TestDeadlettersMissingDir(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "typo")
	for _, sub := range []string{"list", "verify", "retry", "purge"} {
		args := []string{"deadletters", sub, "--data", missing}
		if sub == "retry" || sub == "purge" {
			args = append(args, "--all")
		}
		code, out, errs := runCLI(t, args...)
		if code != 1 || !strings.Contains(errs, "does not exist") || out != "" {
			t.Errorf("%q = %d, %q, %q; want 1 and an error saying the directory does not exist", args, code, out, errs)
		}
		if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%q created %s (stat: %v)", args, missing, err)
		}
	}
}

func TestDeadlettersPlurals(t *testing.T) {
	dir := t.TempDir()
	storeLetters(t, dir, 1)
	if _, out, _ := runCLI(t, "deadletters", "list", "--data", dir); !strings.HasSuffix(out, "\n1 entry\n") {
		t.Errorf("list of one ends %q; want \"1 entry\"", out)
	}
	if _, out, _ := runCLI(t, "deadletters", "retry", "--data", dir, "--all"); !strings.HasPrefix(out, "re-armed 1 entry: ") || !strings.Contains(out, "re-delivers it ") {
		t.Errorf("retry of one = %q; want the singular", out)
	}
	storeLetters(t, dir, 1)
	if _, out, _ := runCLI(t, "deadletters", "list", "--data", dir); !strings.HasSuffix(out, "\n2 entries\n") {
		t.Errorf("list of two ends %q; want \"2 entries\"", out)
	}
	if _, out, _ := runCLI(t, "deadletters", "purge", "--data", dir, "--all"); out != "purged 2 entries\n" {
		t.Errorf("purge of two = %q", out)
	}
	if _, out, _ := runCLI(t, "deadletters", "list", "--data", dir); !strings.HasSuffix(out, "\n0 entries\n") {
		t.Errorf("empty list ends %q; want \"0 entries\"", out)
	}
}

// TestDeadlettersVerify: a store whose block file was cut in half
// fails verify (exit 1) until the loss is acknowledged; list still works
// on what is left, with a warning.
func TestDeadlettersVerify(t *testing.T) {
	dir := t.TempDir()
	storeLetters(t, dir, 300)
	code, out, errs := runCLI(t, "deadletters", "verify", "--data", dir)
	if code != 0 || out != "ok: 300 entries, no data lost\n" || errs != "" {
		t.Fatalf("verify of a sound store = %d, %q, %q; want 0, \"ok: 300 entries, no data lost\"", code, out, errs)
	}
	blks, _ := filepath.Glob(filepath.Join(dir, "jetstream", "*", "streams", "KV_"+jsstore.DefaultBucket, "msgs", "*.blk"))
	if len(blks) == 0 {
		t.Fatal("no block file")
	}
	fi, err := os.Stat(blks[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(blks[0], fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runCLI(t, "deadletters", "verify", "--data", dir)
	t.Logf("verify of the damaged store:\n%s%s", out, errs)
	if code != 1 || !strings.Contains(errs, "data lost: bucket "+jsstore.DefaultBucket+" lost ") || !strings.HasPrefix(out, "damaged: ") {
		t.Errorf("verify of a truncated store = %d, %q, %q; want 1 and what was lost", code, out, errs)
	}
	code, out, errs = runCLI(t, "deadletters", "list", "--data", dir)
	if code != 0 || !strings.Contains(errs, "warning: data lost") || !strings.Contains(out, "entries\n") {
		t.Errorf("list of a truncated store = %d, %q; want 0 with a warning", code, errs)
	}
	if code, _, _ := runCLI(t, "deadletters", "verify", "--data", dir); code != 1 {
		t.Errorf("second verify = %d; want 1 (the loss stays reported)", code)
	}
	code, out, _ = runCLI(t, "deadletters", "verify", "--data", dir, "--ack")
	if code != 0 || !strings.HasPrefix(out, "ok: ") {
		t.Errorf("verify --ack = %d, %q; want 0, ok", code, out)
	}
	for _, args := range [][]string{
		{"deadletters", "list", "--data", dir, "--ack"},
		{"deadletters", "verify", "--data", dir, "--all"},
	} {
		if code, _, _ := runCLI(t, args...); code != 2 {
			t.Errorf("%q = %d; want a usage error", args, code)
		}
	}
}
