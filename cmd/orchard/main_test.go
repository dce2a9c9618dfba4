package main

import (
	"bytes"
	"context"
	"runtime"
	"testing"

	"github.com/seed-fe72f376/orchard/otptest"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

func TestVersion(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"version"}, &out, &errOut); code != 0 {
		t.Fatalf("orchard version exited %d; stderr: %s", code, errOut.String())
	}
	text := out.String()
	if !bytes.HasPrefix(out.Bytes(), []byte("orchard ")) || !bytes.Contains(out.Bytes(), []byte(runtime.Version())) {
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
		{"negative duration", []string{"demo", "--duration", "-1s"}, 2},
		{"zero crash period", []string{"demo", "--crash-every", "0"}, 2},
		{"bad seed", []string{"demo", "--seed", "x"}, 2},
		{"stray argument", []string{"demo", "extra"}, 2},
		{"demo help", []string{"demo", "-h"}, 0},
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
