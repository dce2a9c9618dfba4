package send

import (
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Telemetry events. Every event has the metadata "dest" (the destination
// printed), "level" (Level.String) and "metadata" (the send's
// map[string]string, possibly nil); the others are listed per event.
// Durations are in seconds.
const (
	// EventDelivered: a send was confirmed. Measurements "duration",
	// "attempts".
	EventDelivered = "orchard.send.delivered"
	// EventFailed: a send failed for good, before OnError acted.
	// Measurements "duration", "attempts"; metadata "outcome"
	// (Outcome.String), "reason" (the formatted reason), "on_error".
	EventFailed = "orchard.send.failed"
	// EventRetry: an attempt failed and another follows after a wait.
	// Measurements "attempt" (the failed one), "delay"; metadata
	// "outcome", "reason".
	EventRetry = "orchard.send.retry"
	// EventDeadLettered: OnError DeadLetter stored the letter.
	// Measurements "attempts"; metadata "outcome", "reason".
	EventDeadLettered = "orchard.send.dead_lettered"
	// EventIgnored: OnError Ignore dropped a failure. Measurements
	// "attempts"; metadata "outcome", "reason".
	EventIgnored = "orchard.send.ignored"
	// EventBroadcast: a broadcast finished. Measurements "recipients",
	// "delivered", "failed", "duration"; metadata "strategy", "level",
	// "aborted" (bool).
	EventBroadcast = "orchard.send.broadcast"
)

func (r *run) metadata() telemetry.Metadata {
	return telemetry.Metadata{"dest": fmt.Sprint(r.dest), "level": r.cfg.level.String(), "metadata": r.cfg.metadata}
}

func (r *run) failureMetadata(f *Error) telemetry.Metadata {
	md := r.metadata()
	md["outcome"] = f.Outcome.String()
	md["reason"] = process.FormatReason(f.Reason)
	return md
}

func (s *Sender) emitDelivered(r *run) {
	tel := r.cfg.tel
	if !tel.Enabled(EventDelivered) {
		return
	}
	tel.Execute(EventDelivered, telemetry.Measurements{"duration": r.elapsed(), "attempts": float64(r.attempt)}, r.metadata())
}

func (s *Sender) emitFailed(r *run, f *Error) {
	tel := r.cfg.tel
	if !tel.Enabled(EventFailed) {
		return
	}
	md := r.failureMetadata(f)
	md["on_error"] = r.cfg.onError.String()
	tel.Execute(EventFailed, telemetry.Measurements{"duration": r.elapsed(), "attempts": float64(f.Attempts)}, md)
}

func (s *Sender) emitRetry(r *run, o Outcome, reason error, delay time.Duration) {
	tel := r.cfg.tel
	if !tel.Enabled(EventRetry) {
		return
	}
	md := r.metadata()
	md["outcome"] = o.String()
	md["reason"] = process.FormatReason(reason)
	tel.Execute(EventRetry, telemetry.Measurements{"attempt": float64(r.attempt), "delay": delay.Seconds()}, md)
}

func (s *Sender) emitDeadLettered(r *run, f *Error) {
	tel := r.cfg.tel
	if tel.Enabled(EventDeadLettered) {
		tel.Execute(EventDeadLettered, telemetry.Measurements{"attempts": float64(f.Attempts)}, r.failureMetadata(f))
	}
}

func (s *Sender) emitIgnored(r *run, f *Error) {
	tel := r.cfg.tel
	if tel.Enabled(EventIgnored) {
		tel.Execute(EventIgnored, telemetry.Measurements{"attempts": float64(f.Attempts)}, r.failureMetadata(f))
	}
}
