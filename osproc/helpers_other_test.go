//go:build !linux

package osproc_test

// The re-executed helper of TestNoOrphanAfterKill9 exists on Linux only.
const helperEnv = "OSPROC_TEST_HELPER"

func runHelper() int { return 0 }
