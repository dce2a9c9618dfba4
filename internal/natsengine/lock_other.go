//go:build !unix

package natsengine

// lockDir is a no-op where flock is not available: only the in-process
// check of [ErrDirInUse] applies there.
func lockDir(string) (func(), error) { return func() {}, nil }
