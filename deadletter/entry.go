package deadletter

import (
	"strings"
	"time"
)

// DestKind says what kind of destination an entry was addressed to.
type DestKind string

// The destination kinds. A [DestPID] is meaningful only in the node
// incarnation that stored it; the others are names that may resolve again
// after a restart.
const (
	DestPID   DestKind = "pid"   // a process.PID
	DestName  DestKind = "name"  // a process.Name (locally registered name)
	DestVia   DestKind = "via"   // a registry via-name (registry.ViaName)
	DestOther DestKind = "other" // any other process.Dest implementation
)

// Destination is the durable record of a process.Dest: its kind, the name
// or key it carries, and its printed form. A resolver ([WithResolver])
// turns it back into a process.Dest after a restart.
type Destination struct {
	Kind DestKind `json:"kind"`
	// Name is the registered name (DestName), the via key as printed with
	// %v (DestVia), or empty.
	Name string `json:"name,omitempty"`
	// Printed is the destination printed with %v (a PID as <1.42>).
	Printed string `json:"printed"`
}

// Message is the stored form of a dead letter's message.
type Message struct {
	// Type is the codec's type name when the message was encoded (see
	// [JSONCodec.Register]), else its Go type (%T).
	Type string `json:"type"`
	// Data is the codec's encoding; empty when not replayable.
	Data []byte `json:"data,omitempty"`
	// Printed is the message printed with %+v, kept for operators.
	Printed string `json:"printed"`
	// EncodeError says why the message could not be encoded, when it
	// could not.
	EncodeError string `json:"encode_error,omitempty"`
}

// Entry is one dead letter as stored.
type Entry struct {
	// ID is unique and sorts by the time the entry was added.
	ID   string      `json:"id"`
	Dest Destination `json:"dest"`
	Msg  Message     `json:"msg"`
	// Replayable reports whether Msg could be encoded, and so can be
	// decoded ([Queue.Decode]) and re-delivered. A non-replayable entry is
	// kept for operators, and Retry reports *[NotReplayableError] for it.
	Replayable bool              `json:"replayable"`
	Reason     string            `json:"reason"`
	Metadata   map[string]string `json:"metadata,omitempty"`
	// Attempts counts every delivery attempt: the sender's and the
	// queue's retries.
	Attempts int `json:"attempts"`
	// AutoRetries counts the automatic retries since the entry was added
	// or re-armed ([Queue.Rearm]); the retrier stops at its maximum.
	AutoRetries int `json:"auto_retries"`
	// FirstFailure is when delivery first failed; LastAttempt when it was
	// last tried.
	FirstFailure time.Time `json:"first_failure"`
	LastAttempt  time.Time `json:"last_attempt"`
	// DueAt is when the automatic retrier may try the entry next.
	DueAt time.Time `json:"due_at"`
}

// Filter selects entries. A zero Filter matches every entry; each set
// field narrows the match (they are ANDed).
type Filter struct {
	// IDs, when not empty, matches only these entries.
	IDs []string
	// Dest matches entries whose destination's Name or Printed form equals
	// it.
	Dest string
	// Reason matches entries whose reason contains it.
	Reason string
}

// IsZero reports whether f matches every entry.
func (f Filter) IsZero() bool { return len(f.IDs) == 0 && f.Dest == "" && f.Reason == "" }

// Match reports whether e is selected by f.
func (f Filter) Match(e Entry) bool {
	if len(f.IDs) > 0 && !contains(f.IDs, e.ID) {
		return false
	}
	if f.Dest != "" && f.Dest != e.Dest.Name && f.Dest != e.Dest.Printed {
		return false
	}
	return f.Reason == "" || strings.Contains(e.Reason, f.Reason)
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// clone returns a copy of e that shares no mutable memory with it.
func (e Entry) clone() Entry {
	e.Msg.Data = append([]byte(nil), e.Msg.Data...)
	if e.Metadata != nil {
		md := make(map[string]string, len(e.Metadata))
		for k, v := range e.Metadata {
			md[k] = v
		}
		e.Metadata = md
	}
	return e
}
