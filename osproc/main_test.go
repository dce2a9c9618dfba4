package osproc_test

import (
	"os"
	"testing"

	"github.com/seed-fe72f376/orchard/otptest"
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		// The re-executed test binary of TestNoOrphanAfterKill9: it
		// starts a command and waits to be killed.
		os.Exit(runHelper())
	}
	otptest.VerifyTestMain(m)
}
