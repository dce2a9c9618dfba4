package monitors

import (
	"time"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Telemetry events emitted by a [Manager] on the registry given with
// [WithTelemetry]. Every event has the measurement "count" (1) unless
// stated; metadata keys are listed per event. "ref" is a monitors.Ref,
// "caller" and "target" are process.PIDs, "tag" is a string.
const (
	// EventCreated: a monitor was made. Metadata "ref", "caller",
	// "target", "tag".
	EventCreated = "orchard.monitors.created"
	// EventCleaned: a monitor was removed because its target or its
	// caller died, or because its target was already dead when it was
	// made. Metadata "ref", "caller", "target", "tag", "cause"
	// ([CauseTargetDown], [CauseCallerDown] or [CauseNoProc]) and
	// "reason" (the dead process's exit reason, error).
	EventCleaned = "orchard.monitors.cleaned"
	// EventDemonitored: Demonitor removed a monitor. Metadata "ref",
	// "caller", "target", "tag".
	EventDemonitored = "orchard.monitors.demonitored"
	// EventLeakDetected: the periodic check found a monitor older than the
	// leak threshold for the first time. Measurement "age" (seconds);
	// metadata "ref", "caller", "target", "tag".
	EventLeakDetected = "orchard.monitors.leak_detected"
	// EventLeakCheck: one run of the periodic check finished. Measurements
	// "active" (monitors), "leaks" (monitors older than the threshold),
	// "new" (of which flagged for the first time), "duration" (seconds).
	EventLeakCheck = "orchard.monitors.leak_check"
	// EventUndelivered: a [Down] could not be put in the caller's mailbox
	// (a bounded mailbox refused it). Metadata "ref", "caller", "target",
	// "tag", "reason" (the Send error).
	EventUndelivered = "orchard.monitors.undelivered"
)

// Values of the "cause" metadata of [EventCleaned].
const (
	CauseTargetDown = "target_down"
	CauseCallerDown = "caller_down"
	CauseNoProc     = "noproc"
)

// Down is the message a monitor's caller receives when the target dies
// (the manager's counterpart of process.Down and Erlang's
// {'DOWN', Ref, process, Pid, Reason}). It is sent with the node's Send
// from outside any process, so it is an ordinary message: a
// genserver gets it in HandleInfo. Reason is the target's exit reason,
// or process.NoProc when the target was already dead when the monitor
// was made.
type Down struct {
	Ref    Ref
	Target process.PID
	Tag    string
	Reason error
}

func (e *entry) metadata() telemetry.Metadata {
	return telemetry.Metadata{"ref": e.ref, "caller": e.caller, "target": e.target, "tag": e.tag}
}

var one = telemetry.Measurements{"count": 1}

func (m *Manager) emitCreated(e *entry) {
	if m.tel.Enabled(EventCreated) {
		m.tel.Execute(EventCreated, one, e.metadata())
	}
}

func (m *Manager) emitDemonitored(e *entry) {
	if m.tel.Enabled(EventDemonitored) {
		m.tel.Execute(EventDemonitored, one, e.metadata())
	}
}

func (m *Manager) emitCleaned(e *entry, cause string, reason error) {
	if m.tel.Enabled(EventCleaned) {
		md := e.metadata()
		md["cause"], md["reason"] = cause, reason
		m.tel.Execute(EventCleaned, one, md)
	}
}

func (m *Manager) emitLeak(e *entry, age time.Duration) {
	if m.tel.Enabled(EventLeakDetected) {
		m.tel.Execute(EventLeakDetected, telemetry.Measurements{"count": 1, "age": age.Seconds()}, e.metadata())
	}
}

func (m *Manager) emitUndelivered(e *entry, err error) {
	if m.tel.Enabled(EventUndelivered) {
		md := e.metadata()
		md["reason"] = err
		m.tel.Execute(EventUndelivered, one, md)
	}
}
