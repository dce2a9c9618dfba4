package ratelimit

// Telemetry events emitted by a [Limiter] on the registry given with
// [WithTelemetry].
const (
	// EventRejected: an event for a key was refused. Measurement "count"
	// (1); metadata "key" (string), "op" ("allow", "reserve" or "wait")
	// and, for reserve and wait, "reason" (error: ErrExceedsBurst,
	// context.DeadlineExceeded or the context's error).
	EventRejected = "orchard.ratelimit.rejected"
	// EventExpired: a sweep forgot idle keys. Measurements "count" (1) and
	// "keys" (how many).
	EventExpired = "orchard.ratelimit.expired"
)
