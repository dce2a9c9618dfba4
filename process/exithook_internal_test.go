package process

import "testing"

// TestExitHookCancelNilOrZero: Cancel on a nil or zero hook reports false
// and does not panic (rt.OnExit never returns such a hook, but its
// documented contract is that Cancel never panics).
func TestExitHookCancelNilOrZero(t *testing.T) {
	if (*exitHook)(nil).Cancel() {
		t.Error("nil hook's Cancel = true; want false")
	}
	if new(exitHook).Cancel() {
		t.Error("zero hook's Cancel = true; want false")
	}
}
