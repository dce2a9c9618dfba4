package schedule

import (
	"time"

	"github.com/seed-fe72f376/orchard/telemetry"
)

// Telemetry events emitted by a scheduler on the registry given with
// [WithTelemetry]. Every event has the measurement "count" (1); metadata
// "id" ([ID]), "kind" ([Kind]) and "dest" (process.Dest) unless stated.
const (
	// EventAdded: a schedule was added or reloaded. Metadata also "spec"
	// (string), "owner" (process.PID, zero if none), "durable" (bool),
	// "reloaded" (bool).
	EventAdded = "orchard.schedule.added"
	// EventFired: a schedule's time came and its delivery started.
	// Measurement "lateness": seconds between the planned time and the
	// firing.
	EventFired = "orchard.schedule.fired"
	// EventDeliveryFailed: a delivery failed. Metadata also "reason"
	// (error) and "last" (bool: the schedule will not fire again).
	EventDeliveryFailed = "orchard.schedule.delivery_failed"
	// EventSkipped: a schedule fired while its previous delivery was
	// still running, so this firing delivered nothing.
	EventSkipped = "orchard.schedule.skipped"
	// EventCancelled: a schedule was removed before it ran out. Metadata
	// also "reason": [ReasonCancel] or [ReasonOwnerDown].
	EventCancelled = "orchard.schedule.cancelled"
	// EventStoreFailed: a Store operation failed, or a stored record
	// could not be reloaded. Metadata "id", "op" ("put", "delete",
	// "reload") and "reason" (error); no "kind" or "dest".
	EventStoreFailed = "orchard.schedule.store_failed"
)

var one = telemetry.Measurements{"count": 1}

func (e *entry) metadata() telemetry.Metadata {
	return telemetry.Metadata{"id": e.id, "kind": e.kind, "dest": e.dest}
}

func (s *server) emitAdded(e *entry, reloaded bool) {
	if s.tel.Enabled(EventAdded) {
		md := e.metadata()
		md["spec"], md["owner"], md["durable"], md["reloaded"] = e.spec, e.owner, e.durable, reloaded
		s.tel.Execute(EventAdded, one, md)
	}
}

func (s *server) emitFired(e *entry, lateness time.Duration) {
	if s.tel.Enabled(EventFired) {
		s.tel.Execute(EventFired, telemetry.Measurements{"count": 1, "lateness": lateness.Seconds()}, e.metadata())
	}
}

func (s *server) emitFailed(f Failure) {
	if s.tel.Enabled(EventDeliveryFailed) {
		md := telemetry.Metadata{"id": f.ID, "kind": f.Kind, "dest": f.Dest, "reason": f.Reason, "last": f.Last}
		s.tel.Execute(EventDeliveryFailed, one, md)
	}
}

func (s *server) emitSkipped(e *entry) {
	if s.tel.Enabled(EventSkipped) {
		s.tel.Execute(EventSkipped, one, e.metadata())
	}
}

func (s *server) emitCancelled(e *entry, reason string) {
	if s.tel.Enabled(EventCancelled) {
		md := e.metadata()
		md["reason"] = reason
		s.tel.Execute(EventCancelled, one, md)
	}
}

func (s *server) emitStoreFailed(id ID, op string, err error) {
	if s.tel.Enabled(EventStoreFailed) {
		s.tel.Execute(EventStoreFailed, one, telemetry.Metadata{"id": id, "op": op, "reason": err})
	}
}
