package send

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/seed-fe72f376/orchard/internal/nodeenv"
	"github.com/seed-fe72f376/orchard/process"
)

// fail counts a failed send and applies its OnError policy.
func (s *Sender) fail(r *run, f *Error) error {
	s.stats.failed.Add(1)
	s.emitFailed(r, f)
	switch r.cfg.onError {
	case Log:
		s.log(r).Warn("send failed",
			slog.Any("dest", r.dest),
			slog.String("outcome", f.Outcome.String()),
			slog.String("reason", process.FormatReason(f.Reason)),
			slog.Int("attempts", f.Attempts),
			slog.Any("metadata", r.cfg.metadata))
	case DeadLetter:
		if err := s.deadLetter(r, f); err != nil {
			return errors.Join(f, &DeadLetterError{Err: err})
		}
	case Ignore:
		s.stats.ignored.Add(1)
		s.emitIgnored(r, f)
		return nil
	}
	return f
}

// deadLetter hands the letter to the sink and waits for it to be stored,
// up to the configured dead-letter timeout; the send's own cancellation
// does not stop it (the letter is what is left of the send).
func (s *Sender) deadLetter(r *run, f *Error) error {
	l := Letter{
		Dest: r.dest, Msg: r.msg, Reason: f, Metadata: r.cfg.metadata,
		Attempts: f.Attempts, FirstFailure: r.first, LastAttempt: r.last,
	}
	ctx := context.WithoutCancel(r.ctx)
	if d := s.timeoutOf(s.sinkWait, DeadLetterTimeoutKey, r.ctx, r.dest); d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	if err := s.sink.DeadLetter(ctx, l); err != nil {
		return err
	}
	s.stats.deadLettered.Add(1)
	s.emitDeadLettered(r, f)
	return nil
}

// elapsed is the time since the send started, in seconds.
func (r *run) elapsed() float64 { return time.Since(r.start).Seconds() }

// log is the logger of r's failure: the Sender's (WithLogger), else the
// node's (see envRef).
func (s *Sender) log(r *run) *slog.Logger {
	if s.logger != nil {
		return s.logger
	}
	return nodeenv.Logger(envOf(r.ctx, r.dest).node())
}
