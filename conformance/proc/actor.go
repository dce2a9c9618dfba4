package proc

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/seed-fe72f376/orchard/conformance"
	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/process"
)

// boom is the reason of a crash, and the default reason of a step.
var boom = &conformance.TermError{Term: conformance.Atom("boom")}

// actor is the code of a plain actor: it waits for the harness's
// commands (selective receive, so other messages stay for recv) and
// answers each one, unless the command ended it.
func (h *harness) actor(name string) process.Func {
	return func(p *process.Proc) error {
		a := &actorState{h: h, name: name, p: p, mons: map[string][]process.Ref{}}
		for {
			m, err := p.ReceiveMatch(p.Context(), isCommand)
			if err != nil {
				return err
			}
			c := m.(*command)
			var ans answer
			if c.step != nil {
				var exit error
				if ans, exit = a.do(c.step); exit != nil {
					return exit
				}
			}
			if !p.Alive() {
				return nil // a signal ended it meanwhile; its reason is set
			}
			h.reply(c, ans)
		}
	}
}

func isCommand(m process.Msg) bool { _, ok := m.(*command); return ok }

type actorState struct {
	h    *harness
	name string
	p    *process.Proc
	mons map[string][]process.Ref // per target, newest first
}

func (a *actorState) line(s string) answer { return answer{line: a.name + " " + s} }

// do performs one command. A non-nil exit is the reason the actor exits
// with by itself (exit/1, or a crash by panic).
func (a *actorState) do(st *Step) (ans answer, exit error) {
	h, p := a.h, a.p
	to := h.pid(st.To)
	switch st.Do {
	case "spawn", "spawn_link", "spawn_monitor":
		var pid process.PID
		var err error
		switch st.Do {
		case "spawn":
			pid, err = p.Spawn(h.actor(st.Name))
		case "spawn_link":
			pid, err = p.Spawn(h.actor(st.Name), process.Linked())
		default:
			var ref process.Ref
			pid, ref, err = p.SpawnMonitor(h.actor(st.Name))
			a.mons[st.Name] = append([]process.Ref{ref}, a.mons[st.Name]...)
		}
		if err != nil {
			return a.line(st.Do + " " + st.Name + " -> error " + err.Error()), nil
		}
		h.register(st.Name, pid, false)
	case "link":
		if err := p.Link(to); err != nil {
			return a.line("link " + st.To + " -> error " + renderReason(err)), nil
		}
	case "unlink":
		p.Unlink(to)
	case "monitor":
		ref, err := p.Monitor(to)
		if err != nil {
			return a.line("monitor " + st.To + " -> error " + renderReason(err)), nil
		}
		a.mons[st.To] = append([]process.Ref{ref}, a.mons[st.To]...)
	case "demonitor":
		refs := a.mons[st.To]
		if len(refs) == 0 {
			return a.line("demonitor " + st.To + " -> no monitor"), nil
		}
		a.mons[st.To] = refs[1:]
		return a.line("demonitor " + st.To + " -> " + strconv.FormatBool(p.Demonitor(refs[0], st.Flush))), nil
	case "trap_exit":
		p.TrapExit(st.On == nil || *st.On)
	case "exit":
		_ = p.Exit(to, st.reason())
	case "die":
		return answer{}, st.reason()
	case "crash":
		panic(boom)
	case "send":
		_ = p.Send(to, conformance.Atom(st.Msg))
	case "recv":
		return a.receive(recvWait), nil
	case "nothing":
		return a.receive(nothingWait), nil
	case "start", "call", "cast", "stop":
		return a.genServer(st, to), nil
	}
	return answer{}, nil
}

// receive takes the next message that is not a command, waiting up to d.
func (a *actorState) receive(d time.Duration) answer {
	ctx, cancel := context.WithTimeout(a.p.Context(), d)
	defer cancel()
	m, err := a.p.ReceiveMatch(ctx, func(m process.Msg) bool { return !isCommand(m) })
	if err != nil {
		return a.line("got nothing")
	}
	return a.line("got " + a.h.message(m))
}

// genServer performs start, call, cast and stop.
func (a *actorState) genServer(st *Step, to process.PID) answer {
	switch st.Do {
	case "start":
		srv := &server{h: a.h, name: st.Name, st: st}
		var err error
		if st.Link {
			_, err = genserver.StartLink(a.p, srv, a.h.opts...)
		} else {
			_, err = genserver.Start(a.p.Node(), srv, a.h.opts...)
		}
		res := "ok"
		switch {
		case errors.Is(err, genserver.ErrIgnored):
			res = "ignore"
		case err != nil:
			res = "error " + renderReason(err)
		}
		return a.line("start " + st.Name + " -> " + res)
	case "call":
		timeout := genserver.Infinity
		if st.Timeout > 0 {
			timeout = time.Duration(st.Timeout) * time.Millisecond
		}
		v, err := genserver.Call[any](a.p.Context(), to, request{st.Req, st.reason()}, genserver.WithTimeout(timeout))
		if err != nil {
			return a.line("call " + st.To + " -> exit " + renderReason(err))
		}
		return a.line("call " + st.To + " -> reply " + a.h.message(v))
	case "cast":
		_ = genserver.Cast(to, request{st.Msg, st.reason()})
		return answer{}
	}
	if err := genserver.Stop(to, st.reason(), genserver.Infinity); err != nil {
		return a.line("stop " + st.To + " -> exit " + renderReason(err))
	}
	return a.line("stop " + st.To + " -> ok")
}
