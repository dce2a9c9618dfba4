package schedule

import (
	"errors"
	"testing"
	"time"
)

// FuzzParseCron: every expression either parses into a schedule whose
// next time is after the reference time, or fails with a *CronError
// carrying the expression; nothing panics.
func FuzzParseCron(f *testing.F) {
	for _, s := range []string{
		"* * * * *", "*/5 * * * *", "0 6 * * 1-5", "0 0 30 2 *", "@hourly", "@every 90s",
		"@every -1s", "CRON_TZ=UTC 0 0 * * *", "TZ=Europe/Paris 0 12 * * *", "61 * * * *",
		"", "@", "* * * * * *", "0-59/0 * * * *", "L * * * *", "? ? ? ? ?",
	} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, expr string) {
		sched, err := parseCron(expr, now)
		if err != nil {
			var ce *CronError
			if !errors.As(err, &ce) || ce.Expr != expr {
				t.Fatalf("parseCron(%q) = %v; want a *CronError with the expression", expr, err)
			}
			return
		}
		if next := sched.Next(now); !next.After(now) {
			t.Fatalf("parseCron(%q).Next(%v) = %v; want a later time", expr, now, next)
		}
	})
}
