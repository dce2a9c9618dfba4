package otptest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// Trace records lines of text, typically one per observed event, so a test
// can compare what happened with what OTP would do. The zero value is an
// empty trace ready to use. A Trace is safe for concurrent use; its waiting
// methods block on a signal raised by every Add and never sleep.
//
// A nil *Trace reads as an empty trace that Add, Addf and Reset cannot
// change (they do nothing); Wait returns an error matching
// [ErrInvalidArgument], and WaitN and WaitFor fail their test.
type Trace struct {
	mu      sync.Mutex // protects the fields below
	lines   []string
	changed chan struct{} // closed and replaced by every Add
}

// Add appends line to the trace and wakes every waiter.
func (tr *Trace) Add(line string) {
	if tr == nil {
		return
	}
	tr.mu.Lock()
	tr.lines = append(tr.lines, line)
	if tr.changed != nil {
		close(tr.changed)
		tr.changed = nil
	}
	tr.mu.Unlock()
}

// Addf appends a line formatted with fmt.Sprintf.
func (tr *Trace) Addf(format string, args ...any) { tr.Add(fmt.Sprintf(format, args...)) }

// Lines returns a copy of the lines recorded so far, in order.
func (tr *Trace) Lines() []string {
	if tr == nil {
		return nil
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return slices.Clone(tr.lines)
}

// Len returns the number of lines recorded so far.
func (tr *Trace) Len() int {
	if tr == nil {
		return 0
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return len(tr.lines)
}

// Reset forgets every line.
func (tr *Trace) Reset() {
	if tr == nil {
		return
	}
	tr.mu.Lock()
	tr.lines = nil
	tr.mu.Unlock()
}

// waitLocked returns the channel the next Add closes. tr.mu must be held.
func (tr *Trace) waitLocked() <-chan struct{} {
	if tr.changed == nil {
		tr.changed = make(chan struct{})
	}
	return tr.changed
}

// await blocks until done reports true for the lines, or ctx is done.
func (tr *Trace) await(ctx context.Context, done func([]string) bool) ([]string, error) {
	for {
		tr.mu.Lock()
		if done(tr.lines) {
			lines := slices.Clone(tr.lines)
			tr.mu.Unlock()
			return lines, nil
		}
		ch := tr.waitLocked()
		tr.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return tr.Lines(), ctx.Err()
		}
	}
}

// Wait blocks until the trace has at least n lines or ctx is done, and
// returns the lines it saw with ctx's error in the second case. A nil ctx
// or a nil *Trace is an error matching [ErrInvalidArgument].
func (tr *Trace) Wait(ctx context.Context, n int) ([]string, error) {
	if tr == nil {
		return nil, argerr.Nil("otptest: Trace.Wait", "receiver")
	}
	if ctx == nil {
		return nil, argerr.Nil("otptest: Trace.Wait", "ctx")
	}
	return tr.await(ctx, func(l []string) bool { return len(l) >= n })
}

// WaitN waits up to timeout for the trace to have at least n lines and
// returns them; it fails the test (t.Fatalf) on timeout, showing the trace.
func (tr *Trace) WaitN(t testing.TB, n int, timeout time.Duration) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	lines, err := tr.Wait(ctx, n)
	if err != nil {
		t.Fatalf("otptest: trace has %d lines after %v; want %d:%s", len(lines), timeout, n, indent(lines))
	}
	return lines
}

// WaitFor waits up to timeout for line to be recorded; it fails the test
// (t.Fatalf) on timeout, showing the trace.
func (tr *Trace) WaitFor(t testing.TB, line string, timeout time.Duration) {
	t.Helper()
	if tr == nil {
		t.Fatalf("otptest: %v", argerr.Nil("otptest: Trace.WaitFor", "receiver"))
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	lines, err := tr.await(ctx, func(l []string) bool { return slices.Contains(l, line) })
	if err != nil {
		t.Fatalf("otptest: trace has no line %q after %v:%s", line, timeout, indent(lines))
	}
}

// Equal reports whether the trace is exactly want. If not, it fails the
// test with t.Errorf and a line diff (see [Diff]).
func (tr *Trace) Equal(t testing.TB, want []string) bool {
	t.Helper()
	got := tr.Lines()
	if slices.Equal(got, want) {
		return true
	}
	t.Errorf("otptest: trace mismatch (-want +got):\n%s", Diff(want, got))
	return false
}

// Diff returns a line diff of want and got: common lines are indented by
// two spaces, lines only in want start with "- " and lines only in got with
// "+ ". It returns "" when they are equal.
func Diff(want, got []string) string {
	if slices.Equal(want, got) {
		return ""
	}
	// Longest common subsequence, fine for the sizes of test traces.
	n, m := len(want), len(got)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if want[i] == got[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var b strings.Builder
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && want[i] == got[j]:
			b.WriteString("  " + want[i] + "\n")
			i++
			j++
		case j == m || (i < n && lcs[i+1][j] >= lcs[i][j+1]):
			b.WriteString("- " + want[i] + "\n")
			i++
		default:
			b.WriteString("+ " + got[j] + "\n")
			j++
		}
	}
	return b.String()
}

func indent(lines []string) string {
	if len(lines) == 0 {
		return " (empty)"
	}
	return "\n\t" + strings.Join(lines, "\n\t")
}
