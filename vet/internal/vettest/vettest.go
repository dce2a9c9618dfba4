// Package vettest holds what the orchardvet analyzers' tests share: the
// GOPATH-style testdata tree at vet/testdata, with the minimal stubs of
// Orchard's packages under src/github.com/seed-fe72f376/orchard and one
// directory of fixtures per analyzer.
package vettest

import (
	"path/filepath"
	"runtime"
)

// TestData returns the absolute path of vet/testdata (analysistest needs
// an absolute GOPATH).
func TestData() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return filepath.Join("..", "testdata")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata")
}
