package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// Term is an Erlang term as the trace renders it (FORMAT.md §3): an
// [Atom], an [Int], a [Tuple] or a [List].
type Term interface {
	appendTerm(b []byte) []byte
}

// Atom is an atom, rendered bare: ok, boom, undefined. The atoms pid and
// childspec stand for any process id and for OTP's child record.
type Atom string

// Int is an integer, rendered in decimal.
type Int int64

// Tuple is rendered {a,b}.
type Tuple []Term

// List is rendered [a,b].
type List []Term

func (a Atom) appendTerm(b []byte) []byte { return append(b, a...) }
func (i Int) appendTerm(b []byte) []byte  { return strconv.AppendInt(b, int64(i), 10) }
func (t Tuple) appendTerm(b []byte) []byte {
	return appendSeq(append(b, '{'), t, '}')
}
func (l List) appendTerm(b []byte) []byte { return appendSeq(append(b, '['), l, ']') }

func appendSeq(b []byte, ts []Term, closer byte) []byte {
	for i, t := range ts {
		if i > 0 {
			b = append(b, ',')
		}
		if t == nil {
			b = append(b, atomUndefined...) // as Render(nil)
			continue
		}
		b = t.appendTerm(b)
	}
	return append(b, closer)
}

// Render writes t in Erlang syntax without spaces. A nil term, at the top
// or inside a tuple or list, renders as undefined.
func Render(t Term) string {
	if t == nil {
		return "undefined"
	}
	return string(t.appendTerm(nil))
}

// Common atoms.
const (
	atomOK        = Atom("ok")
	atomError     = Atom("error")
	atomUndefined = Atom("undefined")
	atomPID       = Atom("pid")
	atomChildSpec = Atom("childspec")
	atomNoProc    = Atom("noproc")
)

// TermError is an exit reason carrying an Erlang term; it renders as the
// term (the crash reason "boom" is &TermError{Atom("boom")}).
type TermError struct{ Term Term }

func (e *TermError) Error() string { return Render(e.Term) }

// Is matches another *TermError with the same rendering, so a reason
// compares equal to the reason it was built from.
func (e *TermError) Is(target error) bool {
	t, ok := target.(*TermError)
	return ok && Render(t.Term) == Render(e.Term)
}

// ExitReason turns a JSON crash reason into the exit reason a process
// stops with: normal, shutdown, kill and {shutdown,X} become the runtime's
// reasons, anything else a *[TermError]. A nil term means boom.
func ExitReason(t Term) error {
	switch v := t.(type) {
	case nil:
		return &TermError{Atom("boom")}
	case Atom:
		switch v {
		case "normal":
			return process.Normal
		case "shutdown":
			return process.Shutdown
		case "kill":
			return process.Kill
		}
	case Tuple:
		if len(v) == 2 && v[0] == Atom("shutdown") {
			return process.ShutdownWith(v[1])
		}
	}
	return &TermError{t}
}

// reasonAtoms maps sentinel errors to the atoms OTP uses for them. Order
// matters only for errors that match several (none today).
var reasonAtoms = []struct {
	err  error
	atom Atom
}{
	{process.Normal, "normal"},
	{process.Shutdown, "shutdown"},
	{process.Killed, "killed"},
	{process.Kill, "kill"},
	{process.NoProc, "noproc"},
	{supervisor.ErrNotFound, "not_found"},
	{supervisor.ErrRunning, "running"},
	{supervisor.ErrRestarting, "restarting"},
	{supervisor.ErrAlreadyPresent, "already_present"},
	{supervisor.ErrSimpleOneForOne, "simple_one_for_one"},
	{supervisor.ErrMaxChildren, "max_children"},
	{process.ErrIgnored, "ignore"},
}

// ReasonTerm returns the Erlang term of an exit reason or API error:
// {shutdown,X}, {failed_to_start_child,Id,R}, {already_started,pid},
// the atoms of the runtime and supervisor sentinels, or the term of a
// *[TermError]. An error of unknown shape renders as its message.
func ReasonTerm(err error) Term {
	if err == nil {
		return Atom("normal")
	}
	switch e := err.(type) {
	case *TermError:
		return e.Term
	case *process.ShutdownError:
		return Tuple{Atom("shutdown"), valueTerm(e.Value)}
	case *supervisor.StartChildError:
		return Tuple{Atom("failed_to_start_child"), Atom(e.ID), ReasonTerm(e.Reason)}
	case *supervisor.AlreadyStartedError:
		return Tuple{Atom("already_started"), atomPID}
	case *genserver.InitError:
		return ReasonTerm(e.Reason)
	case *process.PanicError:
		return Tuple{Atom("panic"), Atom(fmt.Sprint(e.Value))}
	}
	for _, ra := range reasonAtoms {
		if errors.Is(err, ra.err) {
			return ra.atom
		}
	}
	return Atom(err.Error())
}

// RenderReason renders an exit reason (see [ReasonTerm]).
func RenderReason(err error) string { return Render(ReasonTerm(err)) }

// valueTerm is the term of a {shutdown, V} value.
func valueTerm(v any) Term {
	switch x := v.(type) {
	case Term:
		return x
	case error:
		return ReasonTerm(x)
	case string:
		return Atom(x)
	case int:
		return Int(x)
	case process.PID:
		return atomPID
	}
	return Atom(fmt.Sprint(v))
}

// isNoProc reports whether err is a call to a supervisor that is not
// running (OTP's exit {noproc, _}).
func isNoProc(err error) bool {
	var ce *genserver.CallError
	return errors.As(err, &ce) && errors.Is(ce.Reason, process.NoProc)
}

// okPID is {ok,pid}, or {ok,undefined} for the zero PID (ignore).
func okPID(pid process.PID) Term {
	if pid.IsZero() {
		return Tuple{atomOK, atomUndefined}
	}
	return Tuple{atomOK, atomPID}
}

// startLinkResult renders supervisor start_link's value.
func startLinkResult(pid process.PID, err error) Term {
	if err != nil {
		return Tuple{atomError, ReasonTerm(err)}
	}
	return okPID(pid)
}

// startChildResult renders start_child's value. On a static supervisor a
// failed start is {error,{Reason,childspec}}; on a simple_one_for_one or
// dynamic one it is {error,Reason}.
func startChildResult(static bool, pid process.PID, err error) Term {
	if err == nil {
		return okPID(pid)
	}
	var sc *supervisor.StartChildError
	if errors.As(err, &sc) {
		if static {
			return Tuple{atomError, Tuple{ReasonTerm(sc.Reason), atomChildSpec}}
		}
		return Tuple{atomError, ReasonTerm(sc.Reason)}
	}
	return Tuple{atomError, ReasonTerm(err)}
}

// restartChildResult renders restart_child's value: a failed start is
// {error,Reason}, without the child spec.
func restartChildResult(pid process.PID, err error) Term {
	return startChildResult(false, pid, err)
}

// okResult renders terminate_child's and delete_child's value.
func okResult(err error) Term {
	if err != nil {
		return Tuple{atomError, ReasonTerm(err)}
	}
	return atomOK
}

// whichChildrenStatic renders which_children of a static supervisor,
// keeping the supervisor's order (most recently started first).
func whichChildrenStatic(cs []supervisor.Child) Term {
	l := make(List, 0, len(cs))
	for _, c := range cs {
		l = append(l, Tuple{Atom(c.ID), Atom(c.Status.String()), Atom(c.Type.String())})
	}
	return l
}

// whichChildrenDynamic renders which_children of a simple_one_for_one or
// dynamic supervisor: {undefined,Name,Type} with the harness name of each
// running child (nameOf) or its status, sorted by rendered text.
func whichChildrenDynamic(cs []supervisor.Child, nameOf func(process.PID) string) Term {
	items := make([]string, 0, len(cs))
	for _, c := range cs {
		var name Atom
		if c.Status == supervisor.Running && !c.PID.IsZero() {
			name = Atom(nameOf(c.PID))
		} else {
			name = Atom(c.Status.String())
		}
		items = append(items, Render(Tuple{atomUndefined, name, Atom(c.Type.String())}))
	}
	slices.Sort(items)
	l := make(List, len(items))
	for i, s := range items {
		l[i] = Atom(s) // already rendered
	}
	return l
}

// countChildren renders count_children's value.
func countChildren(c supervisor.Counts) Term {
	return List{
		Tuple{Atom("specs"), Int(c.Specs)},
		Tuple{Atom("active"), Int(c.Active)},
		Tuple{Atom("supervisors"), Int(c.Supervisors)},
		Tuple{Atom("workers"), Int(c.Workers)},
	}
}

// decodeTerm decodes a JSON crash reason the way the reference runner
// does: a string is an atom, an integer an integer, a one-key object
// {"K": V} the tuple {K,V}, an array a list.
func decodeTerm(b []byte) (Term, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return termOf(v, b)
}

func termOf(v any, raw []byte) (Term, error) {
	switch x := v.(type) {
	case string:
		return Atom(x), nil
	case json.Number:
		n, err := x.Int64()
		if err != nil {
			return nil, fmt.Errorf("reason %s: not an integer", x)
		}
		return Int(n), nil
	case []any:
		l := make(List, 0, len(x))
		for _, e := range x {
			t, err := termOf(e, raw)
			if err != nil {
				return nil, err
			}
			l = append(l, t)
		}
		return l, nil
	case map[string]any:
		if len(x) != 1 {
			return nil, fmt.Errorf("reason %s: an object must have exactly one key", raw)
		}
		for k, e := range x {
			t, err := termOf(e, raw)
			if err != nil {
				return nil, err
			}
			return Tuple{Atom(k), t}, nil
		}
	}
	return nil, fmt.Errorf("reason %s: want a string, integer, one-key object or array", raw)
}

// termJSON is the inverse of decodeTerm, for writing scenarios back.
func termJSON(t Term) []byte {
	switch x := t.(type) {
	case Atom:
		b, _ := json.Marshal(string(x))
		return b
	case Int:
		return strconv.AppendInt(nil, int64(x), 10)
	case Tuple:
		if len(x) == 2 {
			if k, ok := x[0].(Atom); ok {
				kb, _ := json.Marshal(string(k))
				return fmt.Appendf(nil, "{%s:%s}", kb, termJSON(x[1]))
			}
		}
	case List:
		b := []byte{'['}
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, termJSON(e)...)
		}
		return append(b, ']')
	}
	b, _ := json.Marshal(Render(t))
	return b
}
