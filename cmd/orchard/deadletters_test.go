package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/internal/natsengine"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/telemetry"
)

func TestDeadlettersCLI(t *testing.T) {
	dir := t.TempDir()
	node := otptest.NewNode(t)
	ctx := context.Background()
	store, err := deadletter.OpenDir(ctx, dir, deadletter.DirConfig{})
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
	store, err := deadletter.OpenJetStream(ctx, eng.JetStream(), "")
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
