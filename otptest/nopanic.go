package otptest

import "fmt"

// NoPanic calls f and returns its error, or an error describing the
// panic if f panicked: the bad-input tests of every package use it to
// assert that a call refuses bad input with an error and never panics
// (docs/ERRORS.md).
func NoPanic(f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	if f == nil {
		return nil
	}
	return f()
}
