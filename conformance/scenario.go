package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// Scenario is one conformance scenario (FORMAT.md §1): a supervision tree,
// the steps to run against it and, optionally, the trace OTP produced.
type Scenario struct {
	// Name is the file name without .json; informative only.
	Name string `json:"name"`
	// Description is one line of prose; informative only.
	Description string `json:"description,omitempty"`
	// Tree is the root supervisor.
	Tree Tree `json:"tree"`
	// Steps run in order after boot.
	Steps []Step `json:"steps"`
	// Expect is the trace recorded on OTP; nil when the file has none (an
	// empty, non-nil Expect is an expected empty trace, and is written
	// back as []).
	Expect []string `json:"expect,omitzero"`
}

// Strategy values of [Tree.Strategy].
const (
	OneForOne        = "one_for_one"
	OneForAll        = "one_for_all"
	RestForOne       = "rest_for_one"
	SimpleOneForOne  = "simple_one_for_one"
	Dynamic          = "dynamic"
	defaultIntensity = 1
	defaultPeriodMS  = 5000
)

// Tree is a supervisor (FORMAT.md §1.1). Pointer fields are nil when the
// key is absent; the accessor methods apply the documented defaults (and
// return them for a nil *Tree).
type Tree struct {
	ID           string      `json:"id,omitempty"`
	Strategy     string      `json:"strategy,omitempty"`
	Intensity    *int        `json:"intensity,omitempty"`
	PeriodMS     *int        `json:"period_ms,omitempty"`
	MaxChildren  *int        `json:"max_children,omitempty"`
	AutoShutdown string      `json:"auto_shutdown,omitempty"`
	Children     []ChildSpec `json:"children,omitzero"`
}

// RootPath returns the tree's id, or "root" when it has none.
func (t *Tree) RootPath() string {
	if t == nil || t.ID == "" {
		return "root"
	}
	return t.ID
}

// StrategyName returns the strategy, one_for_one by default.
func (t *Tree) StrategyName() string {
	if t == nil || t.Strategy == "" {
		return OneForOne
	}
	return t.Strategy
}

// IntensityValue returns the intensity, 1 by default.
func (t *Tree) IntensityValue() int {
	if t == nil || t.Intensity == nil {
		return defaultIntensity
	}
	return *t.Intensity
}

// PeriodValue returns period_ms, 5000 by default.
func (t *Tree) PeriodValue() int {
	if t == nil || t.PeriodMS == nil {
		return defaultPeriodMS
	}
	return *t.PeriodMS
}

// AutoShutdownName returns auto_shutdown, never by default.
func (t *Tree) AutoShutdownName() string {
	if t == nil || t.AutoShutdown == "" {
		return "never"
	}
	return t.AutoShutdown
}

// isDynamic reports whether the tree is simple_one_for_one or dynamic.
func (t *Tree) isDynamic() bool {
	s := t.StrategyName()
	return s == SimpleOneForOne || s == Dynamic
}

// ChildSpec is a child of a static supervisor, the template of a
// simple_one_for_one one, or the spec given to start_child (FORMAT.md §1.2).
// Its accessor methods apply the documented defaults (and return them for
// a nil *ChildSpec).
type ChildSpec struct {
	ID          string    `json:"id"`
	Type        string    `json:"type,omitempty"`
	Restart     string    `json:"restart,omitempty"`
	Shutdown    *Shutdown `json:"shutdown,omitempty"`
	Significant bool      `json:"significant,omitempty"`
	Behavior    *Behavior `json:"behavior,omitempty"`
	Tree        *Tree     `json:"tree,omitempty"`
}

// TypeName returns worker or supervisor (worker by default).
func (c *ChildSpec) TypeName() string {
	if c == nil || c.Type == "" {
		return "worker"
	}
	return c.Type
}

// RestartName returns the restart type, permanent by default.
func (c *ChildSpec) RestartName() string {
	if c == nil || c.Restart == "" {
		return "permanent"
	}
	return c.Restart
}

// ShutdownValue returns the shutdown, defaulting to 5000 ms for workers and
// infinity for supervisors.
func (c *ChildSpec) ShutdownValue() Shutdown {
	if c != nil && c.Shutdown != nil {
		return *c.Shutdown
	}
	if c.TypeName() == "supervisor" {
		return Shutdown{Atom: "infinity"}
	}
	return Shutdown{MS: 5000}
}

// BehaviorValue returns the worker's behavior ({} by default).
func (c *ChildSpec) BehaviorValue() Behavior {
	if c == nil || c.Behavior == nil {
		return Behavior{}
	}
	return *c.Behavior
}

// Shutdown is a child's shutdown: a timeout in milliseconds, or the atom
// brutal_kill or infinity.
type Shutdown struct {
	MS   int    // timeout when Atom is empty
	Atom string // "brutal_kill" or "infinity"
}

// UnmarshalJSON accepts an integer >= 1, "brutal_kill" or "infinity".
func (s *Shutdown) UnmarshalJSON(b []byte) error {
	if s == nil {
		return argerr.Nil("conformance: Shutdown.UnmarshalJSON", "receiver")
	}
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		if n < 1 {
			return fmt.Errorf("shutdown %d: must be >= 1", n)
		}
		*s = Shutdown{MS: n}
		return nil
	}
	var a string
	if err := json.Unmarshal(b, &a); err != nil || (a != "brutal_kill" && a != "infinity") {
		return fmt.Errorf("shutdown %s: want an integer, \"brutal_kill\" or \"infinity\"", b)
	}
	*s = Shutdown{Atom: a}
	return nil
}

// MarshalJSON writes the integer or the atom.
func (s Shutdown) MarshalJSON() ([]byte, error) {
	if s.Atom != "" {
		return json.Marshal(s.Atom)
	}
	return json.Marshal(s.MS)
}

// Init results of [Behavior.Init] and [InitAttempt.Result].
const (
	InitOK     = "ok"
	InitError  = "error"
	InitIgnore = "ignore"
	InitCrash  = "crash"
)

// Behavior scripts a worker (FORMAT.md §1.3). Nil fields are absent keys,
// which matters when a simple_one_for_one start_child merges its args over
// the template's behavior. A non-nil InitSequence (even empty) takes
// precedence over InitFailTimes.
type Behavior struct {
	Init            *string       `json:"init,omitempty"`
	InitFailTimes   *int          `json:"init_fail_times,omitempty"`
	InitSequence    []InitAttempt `json:"init_sequence,omitzero"`
	InitDelayMS     *int          `json:"init_delay_ms,omitempty"`
	TrapExit        *bool         `json:"trap_exit,omitempty"`
	OnShutdown      *string       `json:"on_shutdown,omitempty"`
	ShutdownDelayMS *int          `json:"shutdown_delay_ms,omitempty"`
}

// InitAttempt is one element of init_sequence: a result and how long the
// attempt takes.
type InitAttempt struct {
	Result  string `json:"result"`
	DelayMS int    `json:"delay_ms,omitempty"`
}

// UnmarshalJSON accepts a result string or {"result": R, "delay_ms": D}.
func (a *InitAttempt) UnmarshalJSON(b []byte) error {
	if a == nil {
		return argerr.Nil("conformance: InitAttempt.UnmarshalJSON", "receiver")
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*a = InitAttempt{Result: s}
		return validInit(s)
	}
	var obj struct {
		Result  *string `json:"result"`
		DelayMS int     `json:"delay_ms"`
	}
	if err := strictDecode(b, &obj); err != nil {
		return fmt.Errorf("init_sequence element: %w", err)
	}
	if obj.Result == nil {
		return errors.New("init_sequence element: missing result")
	}
	if obj.DelayMS < 0 {
		return fmt.Errorf("init_sequence element: negative delay_ms %d", obj.DelayMS)
	}
	*a = InitAttempt{Result: *obj.Result, DelayMS: obj.DelayMS}
	return validInit(*obj.Result)
}

func validInit(s string) error {
	switch s {
	case InitOK, InitError, InitIgnore, InitCrash:
		return nil
	}
	return fmt.Errorf("init result %q: want ok, error, ignore or crash", s)
}

// Merge returns b with every key present in over replacing b's (OTP's
// maps:merge(Template, Override)).
func (b Behavior) Merge(over Behavior) Behavior {
	if over.Init != nil {
		b.Init = over.Init
	}
	if over.InitFailTimes != nil {
		b.InitFailTimes = over.InitFailTimes
	}
	if over.InitSequence != nil {
		b.InitSequence = over.InitSequence
	}
	if over.InitDelayMS != nil {
		b.InitDelayMS = over.InitDelayMS
	}
	if over.TrapExit != nil {
		b.TrapExit = over.TrapExit
	}
	if over.OnShutdown != nil {
		b.OnShutdown = over.OnShutdown
	}
	if over.ShutdownDelayMS != nil {
		b.ShutdownDelayMS = over.ShutdownDelayMS
	}
	return b
}

// Step actions (the first key of a step object).
const (
	ActionCrash          = "crash"
	ActionStartChild     = "start_child"
	ActionTerminateChild = "terminate_child"
	ActionRestartChild   = "restart_child"
	ActionDeleteChild    = "delete_child"
	ActionWhichChildren  = "which_children"
	ActionCountChildren  = "count_children"
	ActionSleep          = "sleep_ms"
	ActionStop           = "stop"
)

var actions = []string{ActionCrash, ActionStartChild, ActionTerminateChild, ActionRestartChild,
	ActionDeleteChild, ActionWhichChildren, ActionCountChildren, ActionSleep, ActionStop}

// Step is one step (FORMAT.md §1.5). The action is the first key of the
// JSON object; its value is Path (a process or supervisor path), SleepMS
// or StartChild.
type Step struct {
	Action     string
	Path       string
	SleepMS    int
	StartChild *StartChild
	// Reason is the crash reason; nil means boom.
	Reason Term
	// Settle is false when the step must not wait for quiescence.
	Settle bool
	// Unordered says the step's events are compared sorted.
	Unordered bool
}

// StartChild is the value of a start_child step. Static and dynamic
// supervisors take Spec; simple_one_for_one takes Name and Args.
type StartChild struct {
	Sup  string     `json:"sup"`
	Spec *ChildSpec `json:"spec,omitempty"`
	Name string     `json:"name,omitempty"`
	Args *Behavior  `json:"args,omitempty"`
}

// UnmarshalJSON decodes a step object, keeping its key order: the first
// key is the action, the others may only be reason, settle and unordered.
func (s *Step) UnmarshalJSON(b []byte) error {
	if s == nil {
		return argerr.Nil("conformance: Step.UnmarshalJSON", "receiver")
	}
	keys, vals, err := orderedObject(b)
	if err != nil {
		return fmt.Errorf("step: %w", err)
	}
	if len(keys) == 0 {
		return errors.New("step: empty object")
	}
	*s = Step{Action: keys[0], Settle: true}
	if !slices.Contains(actions, s.Action) {
		return fmt.Errorf("step: unknown action %q (the action must be the first key)", s.Action)
	}
	if err := s.decodeAction(vals[0]); err != nil {
		return fmt.Errorf("step %s: %w", s.Action, err)
	}
	for i, k := range keys[1:] {
		v := vals[i+1]
		switch k {
		case "reason":
			s.Reason, err = decodeTerm(v)
		case "settle":
			err = json.Unmarshal(v, &s.Settle)
		case "unordered":
			err = json.Unmarshal(v, &s.Unordered)
		default:
			err = fmt.Errorf("unknown key %q", k)
		}
		if err != nil {
			return fmt.Errorf("step %s: %w", s.Action, err)
		}
	}
	return nil
}

func (s *Step) decodeAction(v json.RawMessage) error {
	switch s.Action {
	case ActionSleep:
		if err := json.Unmarshal(v, &s.SleepMS); err != nil {
			return err
		}
		if s.SleepMS < 0 {
			return fmt.Errorf("negative sleep %d", s.SleepMS)
		}
		return nil
	case ActionStartChild:
		s.StartChild = new(StartChild)
		return strictDecode(v, s.StartChild)
	}
	if err := json.Unmarshal(v, &s.Path); err != nil {
		return err
	}
	if s.Path == "" {
		return errors.New("empty path")
	}
	return nil
}

// MarshalJSON writes the step with the action first.
func (s Step) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	var action any = s.Path
	switch s.Action {
	case ActionSleep:
		action = s.SleepMS
	case ActionStartChild:
		action = s.StartChild
	}
	av, err := json.Marshal(action)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(&buf, "{%q:%s", s.Action, av)
	if s.Reason != nil {
		fmt.Fprintf(&buf, `,"reason":%s`, termJSON(s.Reason))
	}
	if !s.Settle {
		buf.WriteString(`,"settle":false`)
	}
	if s.Unordered {
		buf.WriteString(`,"unordered":true`)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// orderedObject splits a JSON object into its keys and raw values, in
// order. Duplicate keys are an error.
func orderedObject(b []byte) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, fmt.Errorf("want an object, got %s", b)
	}
	var keys []string
	var vals []json.RawMessage
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		k, _ := tok.(string)
		if slices.Contains(keys, k) {
			return nil, nil, fmt.Errorf("duplicate key %q", k)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		keys, vals = append(keys, k), append(vals, v)
	}
	return keys, vals, nil
}

// strictDecode decodes one JSON value into v, rejecting unknown keys and
// trailing data.
func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// Decode reads a scenario, rejecting unknown keys anywhere, and validates
// it. A nil r, and a malformed or invalid scenario, are errors matching
// [ErrInvalidArgument]; a read error is returned as it is.
func Decode(r io.Reader) (*Scenario, error) {
	if r == nil {
		return nil, argerr.Nil("conformance: Decode", "r")
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var sc Scenario
	if err := strictDecode(b, &sc); err != nil {
		return nil, &malformedError{err}
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	return &sc, nil
}

// Load reads and validates the scenario file path. An empty path, and a
// malformed or invalid scenario, are errors matching [ErrInvalidArgument];
// a file that cannot be read gives the error of package os.
func Load(path string) (*Scenario, error) {
	if path == "" {
		return nil, argerr.Empty("conformance: Load", "path")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sc, nil
}

// Validate checks the scenario against FORMAT.md as the reference runner
// does: enums, periods, child lists per strategy, unique ids, and that the
// start_child specs aimed at a dynamic supervisor agree on restart and
// shutdown. A nil sc is an error matching [ErrInvalidArgument], like every
// *[ValidationError].
func (sc *Scenario) Validate() error {
	if sc == nil {
		return argerr.Nil("conformance: Scenario.Validate", "receiver")
	}
	root := sc.Tree.RootPath()
	sups := map[string]*Tree{}
	if err := validateTree(&sc.Tree, root, sups); err != nil {
		return err
	}
	dyn := map[string]string{}
	for i, st := range sc.Steps {
		where := fmt.Sprintf("step %d", i+1)
		if st.Action != ActionStartChild {
			continue
		}
		a := st.StartChild
		if a == nil {
			return &ValidationError{where, "start_child without its value"}
		}
		if a.Sup == "" {
			return &ValidationError{where, "start_child without sup"}
		}
		t := sups[a.Sup]
		switch {
		case t == nil:
			// The supervisor may be added by an earlier start_child; the
			// runner checks it when the step runs.
			if a.Spec != nil {
				if err := validateChild(a.Spec, a.Sup, sups); err != nil {
					return err
				}
			}
		case t.StrategyName() == SimpleOneForOne:
			if a.Name == "" || a.Spec != nil {
				return &ValidationError{where, "simple_one_for_one start_child takes name (and args), not spec"}
			}
			if a.Args != nil {
				if err := validateBehavior(a.Args, a.Sup+"/"+a.Name); err != nil {
					return err
				}
			}
		default:
			if a.Spec == nil || a.Name != "" || a.Args != nil {
				return &ValidationError{where, "start_child on " + t.StrategyName() + " takes spec only"}
			}
			if err := validateChild(a.Spec, a.Sup, sups); err != nil {
				return err
			}
			if t.StrategyName() == Dynamic {
				if a.Spec.TypeName() != "worker" {
					return &ValidationError{where, "dynamic children must be workers"}
				}
				rs := a.Spec.RestartName() + "/" + fmt.Sprint(a.Spec.ShutdownValue())
				if prev, ok := dyn[a.Sup]; ok && prev != rs {
					return &ValidationError{where, "dynamic children of " + a.Sup + " must share restart and shutdown"}
				}
				dyn[a.Sup] = rs
			}
		}
	}
	return nil
}

func validateTree(t *Tree, path string, sups map[string]*Tree) error {
	sups[path] = t
	bad := func(format string, args ...any) error {
		return &ValidationError{path, fmt.Sprintf(format, args...)}
	}
	switch t.StrategyName() {
	case OneForOne, OneForAll, RestForOne, SimpleOneForOne, Dynamic:
	default:
		return bad("unknown strategy %q", t.Strategy)
	}
	if t.IntensityValue() < 0 {
		return bad("negative intensity %d", t.IntensityValue())
	}
	if p := t.PeriodValue(); p <= 0 || p%1000 != 0 {
		return bad("period_ms %d must be a positive multiple of 1000", p)
	}
	switch t.AutoShutdownName() {
	case "never", "any_significant", "all_significant":
	default:
		return bad("unknown auto_shutdown %q", t.AutoShutdown)
	}
	if t.MaxChildren != nil && t.StrategyName() != Dynamic {
		return bad("max_children is only for dynamic supervisors")
	}
	switch t.StrategyName() {
	case SimpleOneForOne:
		if len(t.Children) != 1 || t.Children[0].TypeName() != "worker" {
			return bad("simple_one_for_one needs exactly one worker template")
		}
		return validateChild(&t.Children[0], path, sups)
	case Dynamic:
		if len(t.Children) != 0 {
			return bad("dynamic supervisors have no static children")
		}
		return nil
	}
	seen := map[string]bool{}
	for i := range t.Children {
		c := &t.Children[i]
		if seen[c.ID] {
			return bad("duplicate child id %q", c.ID)
		}
		seen[c.ID] = true
		if err := validateChild(c, path, sups); err != nil {
			return err
		}
	}
	return nil
}

func validateChild(c *ChildSpec, supPath string, sups map[string]*Tree) error {
	if c.ID == "" || strings.Contains(c.ID, "/") {
		return &ValidationError{supPath, fmt.Sprintf("child id %q must be non-empty without /", c.ID)}
	}
	path := supPath + "/" + c.ID
	bad := func(format string, args ...any) error {
		return &ValidationError{path, fmt.Sprintf(format, args...)}
	}
	switch c.RestartName() {
	case "permanent", "transient", "temporary":
	default:
		return bad("unknown restart %q", c.Restart)
	}
	switch c.TypeName() {
	case "worker":
		if c.Tree != nil {
			return bad("a worker has no tree")
		}
		if c.Behavior != nil {
			return validateBehavior(c.Behavior, path)
		}
		return nil
	case "supervisor":
		if c.Tree == nil {
			return bad("a supervisor child needs a tree")
		}
		if c.Behavior != nil {
			return bad("a supervisor child has no behavior")
		}
		return validateTree(c.Tree, path, sups)
	}
	return bad("unknown type %q", c.Type)
}

func validateBehavior(b *Behavior, path string) error {
	bad := func(format string, args ...any) error {
		return &ValidationError{path, fmt.Sprintf(format, args...)}
	}
	if b.Init != nil {
		if err := validInit(*b.Init); err != nil {
			return bad("%v", err)
		}
	}
	for _, n := range []*int{b.InitFailTimes, b.InitDelayMS, b.ShutdownDelayMS} {
		if n != nil && *n < 0 {
			return bad("negative count or delay %d", *n)
		}
	}
	if b.OnShutdown != nil && *b.OnShutdown != "exit" && *b.OnShutdown != "hang" {
		return bad("on_shutdown %q: want exit or hang", *b.OnShutdown)
	}
	return nil
}
