package a

import (
	"testing"
	"time"
)

// NotATestFile sleeps outside a _test.go file: not reported.
func NotATestFile(t *testing.T) { time.Sleep(time.Millisecond) }
