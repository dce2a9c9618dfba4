package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/seed-fe72f376/orchard/otptest"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// TestREADME checks that the README shows this program as it is.
func TestREADME(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	// The README shows the program from its package clause on.
	prog := src[bytes.Index(src, []byte("package main")):]
	if !bytes.Contains(readme, prog) {
		t.Errorf("README.md does not contain examples/quickstart/main.go from %q on; copy it again", "package main")
	}
	if !strings.Contains(string(readme), strings.TrimSpace(exampleOutput)) {
		t.Errorf("README.md does not show the program's output:\n%s", exampleOutput)
	}
}

const exampleOutput = `
count: 1
crash: true
count after the restart: 1
`
