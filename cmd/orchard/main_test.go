package main

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

func TestDemo(t *testing.T) {
	var out bytes.Buffer
	cfg := demoConfig{Duration: 300 * time.Millisecond, Tick: 10 * time.Millisecond}
	if err := runDemo(context.Background(), &out, cfg); err != nil {
		t.Fatalf("runDemo = %v; want nil\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{
		"ledger  <",
		`started (registered as "ledger")`,
		"bank    <",
		"started worker <",
		"clock   <",
		"tick 1\n",
		"transfer ",
		"job 1 -> 1\n",
		"down: {panic,simulated fault in job ",
		": simulated error exit; restarting",
		"worker restarted as <",
		"duration elapsed",
		"summary: ",
		"crashes seen",
		"(conserved)",
		"processes at exit: 0, zombies: 0",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q:\n%s", want, text)
		}
	}
}

func TestDemoQuiet(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"demo", "--duration", "50ms", "--quiet"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("orchard demo --quiet exited %d; stderr:\n%s", code, errOut.String())
	}
	text := out.String()
	if !strings.Contains(text, "processes at exit: 0") {
		t.Errorf("quiet demo lacks the summary:\n%s", text)
	}
	if strings.Contains(text, "started") {
		t.Errorf("quiet demo printed events:\n%s", text)
	}
}

func TestDemoInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // as if Ctrl-C came at once
	var out bytes.Buffer
	if err := runDemo(ctx, &out, demoConfig{Duration: time.Hour, Quiet: true}); err != nil {
		t.Fatalf("runDemo = %v; want nil", err)
	}
	if !strings.Contains(out.String(), "interrupted") {
		t.Errorf("output lacks %q:\n%s", "interrupted", out.String())
	}
}

func TestVersion(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"version"}, &out, &errOut); code != 0 {
		t.Fatalf("orchard version exited %d; stderr: %s", code, errOut.String())
	}
	text := out.String()
	if !strings.HasPrefix(text, "orchard ") || !strings.Contains(text, runtime.Version()) {
		t.Errorf("orchard version printed %q; want the module and Go versions", text)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"no command", nil, 2},
		{"unknown command", []string{"frobnicate"}, 2},
		{"bad duration", []string{"demo", "--duration", "-1s"}, 2},
		{"stray argument", []string{"demo", "extra"}, 2},
		{"help", []string{"help"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if got := run(context.Background(), tc.args, &out, &errOut); got != tc.want {
				t.Errorf("run(%q) = %d; want %d", tc.args, got, tc.want)
			}
		})
	}
}
