package schedule

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// parseCron parses a standard cron expression (five fields, descriptors
// such as @hourly and @every 1h30m, an optional CRON_TZ= or TZ= prefix)
// and checks that it fires at least once after now. Every failure is a
// *CronError.
func parseCron(expr string, now time.Time) (sched cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil { // the parser has panicked on odd input before
			sched, err = nil, &CronError{Expr: expr, Err: fmt.Errorf("parser panic: %v", r)}
		}
	}()
	sched, err = cron.ParseStandard(expr)
	if err != nil {
		return nil, &CronError{Expr: expr, Err: err}
	}
	if sched.Next(now).IsZero() {
		return nil, &CronError{Expr: expr, Err: ErrNeverFires}
	}
	return sched, nil
}
