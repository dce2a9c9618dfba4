package schedule

import (
	"errors"
	"testing"
	"time"
)

// FuzzParseCron: every expression either fails with a *CronError that
// carries the expression and matches ErrInvalidArgument, or parses into a
// schedule whose Next is after its argument and stable: the same for the
// same time, the same after parsing the expression again, and after
// Next for the next firing. Nothing panics.
func FuzzParseCron(f *testing.F) {
	for _, s := range []string{
		"* * * * *", "*/5 * * * *", "0 6 * * 1-5", "0 0 30 2 *", "@hourly", "@every 90s",
		"@every -1s", "CRON_TZ=UTC 0 0 * * *", "TZ=Europe/Paris 0 12 * * *", "61 * * * *",
		"", "@", "* * * * * *", "0-59/0 * * * *", "L * * * *", "? ? ? ? ?",
		"0 0 29 2 *", "@every 0s", "@every 1ns", "CRON_TZ=", "TZ=Nowhere/Land * * * * *", "5-1 * * * *",
	} {
		f.Add(s, int64(0))
	}
	base := time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, expr string, offset int64) {
		now := base.Add(time.Duration(offset % int64(10*365*24*time.Hour)))
		sched, err := parseCron(expr, now)
		if err != nil {
			var ce *CronError
			if !errors.As(err, &ce) || ce.Expr != expr || !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("parseCron(%q) = %v; want a *CronError with the expression, matching ErrInvalidArgument", expr, err)
			}
			return
		}
		next := sched.Next(now)
		if !next.After(now) {
			t.Fatalf("parseCron(%q).Next(%v) = %v; want a later time", expr, now, next)
		}
		if again := sched.Next(now); !again.Equal(next) {
			t.Fatalf("parseCron(%q).Next(%v) = %v, then %v; want the same time", expr, now, next, again)
		}
		reparsed, err := parseCron(expr, now)
		if err != nil {
			t.Fatalf("parseCron(%q) failed the second time: %v", expr, err)
		}
		if got := reparsed.Next(now); !got.Equal(next) {
			t.Fatalf("parseCron(%q) twice: Next = %v and %v; want the same", expr, next, got)
		}
		if after := sched.Next(next); !after.IsZero() && !after.After(next) {
			t.Fatalf("parseCron(%q).Next(%v) = %v; want a later time", expr, next, after)
		}
	})
}
