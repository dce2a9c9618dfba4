package supervisor

import (
	"context"
	"log/slog"

	"github.com/seed-fe72f376/orchard/process"
)

// emit publishes e. Callers test s.opts.hook first, so that without a
// hook no event value is built and boxed on the restart path. A dead
// supervisor publishes nothing.
func (s *sup) emit(e Event) {
	if s.opts.hook != nil && s.alive() {
		s.opts.hook(e)
	}
}

// offender is what a report says about the child concerned (OTP's
// offender list).
type offender struct {
	id       string
	pid      process.PID
	restart  Restart
	shutdown Shutdown
	typ      ChildType
}

// offenderOf is the offender c, whose process is or was pid.
func offenderOf(c *child, pid process.PID) offender {
	return offender{id: c.spec.ID, pid: pid, restart: c.spec.Restart, shutdown: c.spec.shutdown(), typ: c.spec.Type}
}

// report logs an OTP-style supervisor error report about the child c,
// whose process was pid (given apart: a restart changes c.pid before the
// report is logged). The offender is built only when the report is
// logged; a dead supervisor logs nothing.
func (s *sup) report(errorContext string, reason error, c *child, pid process.PID) {
	if !s.logger.Enabled(context.Background(), slog.LevelError) || !s.alive() {
		return
	}
	off := offenderOf(c, pid)
	s.logger.LogAttrs(context.Background(), slog.LevelError, "supervisor report",
		slog.String("supervisor", s.name()),
		slog.String("errorContext", errorContext),
		slog.String("reason", process.FormatReason(reason)),
		off.attr("offender"))
}

// progress logs OTP's progress report for a started child at debug
// level; it costs one Enabled check when debug logging is off.
func (s *sup) progress(c *child, pid process.PID) {
	if !s.logger.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	off := offenderOf(c, pid)
	s.logger.LogAttrs(context.Background(), slog.LevelDebug, "supervisor progress",
		slog.String("supervisor", s.name()), off.attr("started"))
}

// attr renders the offender as a group attribute named key.
func (off offender) attr(key string) slog.Attr {
	return slog.Group(key,
		slog.String("id", off.id),
		slog.String("pid", off.pid.String()),
		slog.String("restart_type", off.restart.String()),
		slog.String("shutdown", off.shutdown.String()),
		slog.String("child_type", off.typ.String()))
}

func (s *sup) name() string {
	if s.opts.name != "" {
		return s.opts.name
	}
	return s.self.PID().String()
}
