package proc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/seed-fe72f376/orchard/conformance"
	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// Scenario is one process-level or gen_server scenario (testdata/FORMAT.md):
// steps played by named actors and servers, and the trace OTP 25 produced.
type Scenario struct {
	// Name is the file name without .json; informative only.
	Name string `json:"name"`
	// Description is one line of prose; informative only.
	Description string `json:"description,omitempty"`
	// Steps run in order.
	Steps []Step `json:"steps"`
	// Expect is the trace recorded on OTP; nil when the file has none
	// (encoded as null: an empty trace is not no trace).
	Expect []string `json:"expect"`
	// OrchardDiffers, when set, says that Orchard deliberately differs
	// from OTP here: the replay must produce its Expect instead.
	OrchardDiffers *Differs `json:"orchard_differs,omitempty"`
}

// Differs is a documented difference between Orchard and OTP.
type Differs struct {
	// Reason names the documentation of the difference.
	Reason string `json:"reason"`
	// Expect is Orchard's trace; nil when not recorded yet (encoded as
	// null, as for Scenario.Expect).
	Expect []string `json:"expect"`
}

// Step is one step (FORMAT.md §2). Do is the action; the other fields are
// its arguments, zero when absent.
type Step struct {
	Do        string          `json:"do"`
	By        string          `json:"by,omitempty"`
	To        string          `json:"to,omitempty"`
	Name      string          `json:"name,omitempty"`
	Reason    json.RawMessage `json:"reason,omitempty"`
	Msg       string          `json:"msg,omitempty"`
	Req       string          `json:"req,omitempty"`
	Timeout   int             `json:"timeout,omitempty"`
	Flush     bool            `json:"flush,omitempty"`
	On        *bool           `json:"on,omitempty"`
	Link      bool            `json:"link,omitempty"`
	Init      string          `json:"init,omitempty"`
	Trap      bool            `json:"trap,omitempty"`
	Async     bool            `json:"async,omitempty"`
	Continues int             `json:"continues,omitempty"`
	ContStop  json.RawMessage `json:"cont_stop,omitempty"`
}

// needs lists, for every action, the fields it requires ("by", "to",
// "name").
var needs = map[string][]string{
	"spawn":         {"name"},
	"spawn_link":    {"by", "name"},
	"spawn_monitor": {"by", "name"},
	"link":          {"by", "to"},
	"unlink":        {"by", "to"},
	"monitor":       {"by", "to"},
	"demonitor":     {"by", "to"},
	"trap_exit":     {"by"},
	"exit":          {"by", "to"},
	"die":           {"by"},
	"crash":         {"by"},
	"send":          {"by", "to"},
	"recv":          {"by"},
	"nothing":       {"by"},
	"status":        {"to"},
	"dead":          {"to"},
	"start":         {"by", "name"},
	"call":          {"by", "to"},
	"cast":          {"by", "to"},
	"stop":          {"by", "to"},
	"await":         {"by"},
}

var (
	inits    = []string{"", "ok", "ignore", "stop", "crash", "continue"}
	requests = []string{"", "ping", "defer", "stop_reply", "stop_noreply", "crash", "continue", "reply_pending"}
	casts    = []string{"", "noop", "stop", "crash", "continue", "reply_pending"}
)

// Decode reads one scenario; unknown keys and invalid steps are errors.
// A nil r, and a malformed or invalid scenario, are errors matching
// [ErrInvalidArgument]; an error reading r is returned as is. The reasons
// of the steps are kept as json.Marshal writes them (compact), so that a
// decoded scenario encodes and decodes again to an equal value.
func Decode(r io.Reader) (*Scenario, error) {
	if r == nil {
		return nil, argerr.Nil("proc: Decode", "r")
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var sc Scenario
	if err := dec.Decode(&sc); err != nil {
		return nil, invalidf("proc: decode scenario: %w", err)
	}
	if dec.More() {
		return nil, invalidf("proc: decode scenario: trailing data")
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	for i := range sc.Steps {
		st := &sc.Steps[i]
		st.Reason, st.ContStop = canonical(st.Reason), canonical(st.ContStop)
	}
	return &sc, nil
}

// canonical returns raw as json.Marshal writes it (compact, with HTML
// characters escaped); nil stays nil. raw is valid JSON (validated).
func canonical(raw json.RawMessage) json.RawMessage {
	if raw == nil {
		return nil
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return raw
	}
	return b
}

// Load reads the scenario file at path. An empty path, and a malformed
// or invalid scenario, are errors matching [ErrInvalidArgument]; a file
// that cannot be read gives the error of package os.
func Load(path string) (*Scenario, error) {
	if path == "" {
		return nil, argerr.Empty("proc: Load", "path")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sc, err := Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sc, nil
}

// Validate checks every step: a known action with the fields it needs,
// known init results, requests and casts, and decodable reasons. Its
// errors, and a nil sc, match [ErrInvalidArgument].
func (sc *Scenario) Validate() error {
	if sc == nil {
		return argerr.Nil("proc: Scenario.Validate", "receiver")
	}
	for i, st := range sc.Steps {
		if err := st.validate(); err != nil {
			return invalidf("proc: invalid scenario: step %d (%s): %w", i+1, st.Do, err)
		}
	}
	return nil
}

func (st *Step) validate() error {
	fields, ok := needs[st.Do]
	if !ok {
		return fmt.Errorf("unknown action")
	}
	for _, f := range fields {
		if (f == "by" && st.By == "") || (f == "to" && st.To == "") || (f == "name" && st.Name == "") {
			return fmt.Errorf("missing %q", f)
		}
	}
	switch {
	case !slices.Contains(inits, st.Init):
		return fmt.Errorf("unknown init %q", st.Init)
	case st.Do == "call" && !slices.Contains(requests, st.Req):
		return fmt.Errorf("unknown request %q", st.Req)
	case st.Do == "cast" && !slices.Contains(casts, st.Msg):
		return fmt.Errorf("unknown cast %q", st.Msg)
	case st.Timeout < 0:
		return fmt.Errorf("negative timeout")
	}
	for _, raw := range []json.RawMessage{st.Reason, st.ContStop} {
		if raw != nil {
			if _, ok := decodeReason(raw); !ok {
				return fmt.Errorf("reason %s: want a string or a one-key object of strings", raw)
			}
		}
	}
	return nil
}

// reason returns the step's exit reason, boom when it has none.
func (st *Step) reason() error {
	if st.Reason == nil {
		return boom
	}
	r, _ := decodeReason(st.Reason) // validated
	return r
}

// decodeReason decodes a JSON reason: a string is an atom (normal,
// shutdown and kill are the runtime's reasons) and {"shutdown": V} is
// {shutdown,V}.
func decodeReason(raw json.RawMessage) (reason error, ok bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return conformance.ExitReason(conformance.Atom(s)), true
	}
	var m map[string]string
	if json.Unmarshal(raw, &m) == nil && len(m) == 1 {
		for k, v := range m {
			return conformance.ExitReason(conformance.Tuple{conformance.Atom(k), conformance.Atom(v)}), true
		}
	}
	return nil, false
}
