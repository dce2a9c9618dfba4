package agent

import (
	"encoding/json"
	"strings"
	"time"
)

// Signal is an event envelope in the spirit of CloudEvents: ID, Source
// (who emitted it), Type (dotted, such as "order.created"), Subject, Time
// and Data (JSON). The bus routes signals by Type.
type Signal struct {
	ID      string          `json:"id"`
	Source  string          `json:"source"`
	Type    string          `json:"type"`
	Subject string          `json:"subject,omitempty"`
	Time    time.Time       `json:"time"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// NewSignal builds a signal of type typ from source with data encoded as
// JSON; ID and Time are filled in by Publish when empty.
func NewSignal(source, typ string, data any) (Signal, error) {
	s := Signal{Source: source, Type: typ}
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return Signal{}, err
		}
		s.Data = b
	}
	return s, nil
}

// Route sends the signals whose type matches Pattern to the agent's
// Action, with the signal's Data as the action's input. A pattern is
// dotted like a type; "*" matches one segment and a final "**" matches
// one or more ("order.*" matches "order.created", not "order.line.added";
// "order.**" matches both).
type Route struct {
	Pattern string
	Action  string
}

// Match reports whether the signal type typ matches pattern (see Route).
func Match(pattern, typ string) bool {
	if pattern == "" || typ == "" {
		return false
	}
	for {
		p, prest, pmore := strings.Cut(pattern, ".")
		t, trest, tmore := strings.Cut(typ, ".")
		switch {
		case p == "**" && !pmore:
			return true
		case p != "*" && p != t:
			return false
		case !pmore && !tmore:
			return true
		case pmore != tmore:
			return false
		}
		pattern, typ = prest, trest
	}
}

// validPattern reports whether pattern is well formed: non-empty
// segments, "**" only last.
func validPattern(pattern string) bool {
	segs := strings.Split(pattern, ".")
	for i, s := range segs {
		if s == "" || (s == "**" && i != len(segs)-1) {
			return false
		}
	}
	return true
}
