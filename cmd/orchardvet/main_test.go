package main_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/otptest"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// TestCommand builds orchardvet and runs it on the testdata fixtures, alone
// and as go vet's -vettool: findings make it exit non-zero and print them,
// a clean package exits 0.
func TestCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and runs go vet")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	testdata, err := filepath.Abs(filepath.Join("..", "..", "vet", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "orchardvet")
	if out, err := exec.CommandContext(ctx, gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := append(os.Environ(), "GOPATH="+testdata, "GO111MODULE=off", "GOWORK=off", "GOFLAGS=")
	run := func(name string, args ...string) (string, int) {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Env, cmd.Dir = env, testdata
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		var exit *exec.ExitError
		switch {
		case err == nil:
			return out.String(), 0
		case errors.As(err, &exit):
			return out.String(), exit.ExitCode()
		}
		t.Fatalf("%s %v: %v\n%s", name, args, err, out.String())
		return "", 0
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"alone", []string{bin}},
		{"go vet -vettool", []string{gobin, "vet", "-vettool=" + bin}},
	} {
		out, code := run(tc.args[0], append(tc.args[1:], "nakedgo/a")...)
		if code == 0 || !strings.Contains(out, "bare go statement") {
			t.Errorf("%s on nakedgo/a: exit %d, output:\n%s\nwant a non-zero exit and the findings", tc.name, code, out)
		}
		out, code = run(tc.args[0], append(tc.args[1:], "nakedgo/noorchard")...)
		if code != 0 {
			t.Errorf("%s on a clean package: exit %d, output:\n%s\nwant 0", tc.name, code, out)
		}
	}
}
