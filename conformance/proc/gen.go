//go:build ignore

// gen writes the matrix-shaped scenarios of testdata/ (FORMAT.md). Run it
// from this directory with `go run gen.go`, then record the traces on OTP
// with `otp/record.sh`. A scenario whose steps did not change keeps its
// recorded "expect" and its "orchard_differs" trace.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/seed-fe72f376/orchard/conformance/proc"
)

// step, differs and scenario are the package's own types, so the files
// gen writes have the fields proc decodes; the field order of proc.Step
// is the key order in the files.
type (
	step     = proc.Step
	differs  = proc.Differs
	scenario = proc.Scenario
)

// reasons are the exit reasons of every matrix: name suffix and JSON.
var reasons = []struct{ suffix, json string }{
	{"normal", `"normal"`},
	{"kill", `"kill"`},
	{"shutdown", `"shutdown"`},
	{"shutdown_x", `{"shutdown":"x"}`},
	{"boom", `"boom"`},
}

func r(j string) json.RawMessage { return json.RawMessage(j) }

var (
	yes = true
	no  = false
)

func spawn(name string) step             { return step{Do: "spawn", Name: name} }
func spawnBy(do, by, name string) step   { return step{Do: do, By: by, Name: name} }
func trap(by string, on bool) step       { v := on; return step{Do: "trap_exit", By: by, On: &v} }
func exitSig(by, to, reason string) step { return step{Do: "exit", By: by, To: to, Reason: r(reason)} }
func die(by, reason string) step         { return step{Do: "die", By: by, Reason: r(reason)} }
func recv(by string) step                { return step{Do: "recv", By: by} }
func nothing(by string) step             { return step{Do: "nothing", By: by} }
func status(to string) step              { return step{Do: "status", To: to} }
func dead(to string) step                { return step{Do: "dead", To: to} }
func op(do, by, to string) step          { return step{Do: do, By: by, To: to} }
func call(by, to, req string) step       { return step{Do: "call", By: by, To: to, Req: req} }
func cast(by, to, msg string) step       { return step{Do: "cast", By: by, To: to, Msg: msg} }
func start(by, name string, link, trap bool) step {
	return step{Do: "start", By: by, Name: name, Link: link, Trap: trap}
}

func steps(ss ...any) []step {
	var out []step
	for _, s := range ss {
		switch v := s.(type) {
		case step:
			out = append(out, v)
		case []step:
			out = append(out, v...)
		case nil:
		}
	}
	return out
}

func when(c bool, s ...step) []step {
	if c {
		return s
	}
	return nil
}

func trapName(t bool) string {
	if t {
		return "trap"
	}
	return "notrap"
}

func processScenarios() []scenario {
	var out []scenario
	add := func(name, desc string, ss []step) {
		out = append(out, scenario{Name: name, Description: desc, Steps: ss})
	}
	for _, rs := range reasons {
		for _, t := range []bool{false, true} {
			add(fmt.Sprintf("exit_signal_%s_%s", rs.suffix, trapName(t)),
				fmt.Sprintf("a sends exit(b, %s) to b, which traps exits: %v", rs.suffix, t),
				steps(spawn("a"), spawn("b"), when(t, trap("b", true)),
					exitSig("a", "b", rs.json), when(t, recv("b")), status("b"), nothing("a")))
			add(fmt.Sprintf("exit_self_signal_%s_%s", rs.suffix, trapName(t)),
				fmt.Sprintf("b, linked to a trapping a, sends exit(self(), %s); b traps exits: %v", rs.suffix, t),
				steps(spawn("a"), trap("a", true), spawnBy("spawn_link", "a", "b"), when(t, trap("b", true)),
					exitSig("b", "b", rs.json), when(t, recv("b")), status("b"), nothing("a")))
			desc := fmt.Sprintf("b, linked to a and monitored by c, calls exit(%s); a traps exits: %v", rs.suffix, t)
			add(fmt.Sprintf("die_%s_%s", rs.suffix, trapName(t)), desc,
				steps(spawn("a"), when(t, trap("a", true)), spawnBy("spawn_link", "a", "b"), spawn("c"),
					op("monitor", "c", "b"), die("b", rs.json), status("a"), when(t, recv("a")), recv("c"), nothing("c")))
		}
		add("link_cascade_"+rs.suffix,
			fmt.Sprintf("a-b-c linked in a chain; d sends exit(c, %s)", rs.suffix),
			steps(spawn("a"), spawnBy("spawn_link", "a", "b"), spawnBy("spawn_link", "b", "c"), spawn("d"),
				op("monitor", "d", "a"), exitSig("d", "c", rs.json), status("c"), status("b"), status("a"), nothing("d")))
		add("spawn_monitor_"+rs.suffix,
			fmt.Sprintf("a spawn_monitors b, which calls exit(%s)", rs.suffix),
			steps(spawn("a"), spawnBy("spawn_monitor", "a", "b"), die("b", rs.json), recv("a"), nothing("a"), status("a")))
	}
	for _, t := range []bool{false, true} {
		add("crash_linked_"+trapName(t),
			fmt.Sprintf("b, linked to a and monitored by c, raises an error; a traps exits: %v", t),
			steps(spawn("a"), when(t, trap("a", true)), spawnBy("spawn_link", "a", "b"), spawn("c"),
				op("monitor", "c", "b"), step{Do: "crash", By: "b"}, status("a"), when(t, recv("a")), recv("c")))
		add("unlink_then_die_"+trapName(t),
			fmt.Sprintf("a unlinks b before b crashes; a traps exits: %v", t),
			steps(spawn("a"), when(t, trap("a", true)), spawnBy("spawn_link", "a", "b"), op("unlink", "a", "b"),
				die("b", `"boom"`), dead("b"), status("a"), nothing("a")))
		add("link_dead_"+trapName(t),
			fmt.Sprintf("a links to a dead process; a traps exits: %v", t),
			steps(spawn("a"), when(t, trap("a", true)), spawn("b"), die("b", `"normal"`), dead("b"),
				op("link", "a", "b"), status("a"), nothing("a")))
		for _, after := range []bool{false, true} {
			if t {
				break
			}
			for _, flush := range []bool{false, true} {
				when := "before"
				if after {
					when = "after"
				}
				fl := "noflush"
				if flush {
					fl = "flush"
				}
				ss := steps(spawn("a"), spawn("b"), op("monitor", "a", "b"))
				if after {
					ss = append(ss, die("b", `"boom"`), dead("b"))
				}
				d := op("demonitor", "a", "b")
				d.Flush = flush
				ss = append(ss, d)
				if !after {
					ss = append(ss, die("b", `"boom"`), dead("b"))
				}
				ss = append(ss, nothing("a"))
				add(fmt.Sprintf("demonitor_%s_death_%s", when, fl),
					fmt.Sprintf("a demonitors b (flush: %v) %s b dies", flush, when), ss)
			}
		}
	}
	add("unlink_by_other_side", "b unlinks from its trapping parent a, then crashes",
		steps(spawn("a"), trap("a", true), spawnBy("spawn_link", "a", "b"), op("unlink", "b", "a"),
			die("b", `"boom"`), dead("b"), nothing("a")))
	add("monitor_noproc", "a monitors a process that is already dead",
		steps(spawn("a"), spawn("b"), die("b", `"normal"`), dead("b"), op("monitor", "a", "b"), recv("a"), nothing("a")))
	add("monitor_twice", "a monitors b twice and gets two DOWN messages",
		steps(spawn("a"), spawn("b"), op("monitor", "a", "b"), op("monitor", "a", "b"), exitSig("a", "b", `"boom"`),
			recv("a"), recv("a"), nothing("a")))
	add("trap_toggle_off", "a traps exits, then stops trapping before its linked child crashes",
		steps(spawn("a"), trap("a", true), trap("a", false), spawnBy("spawn_link", "a", "b"), die("b", `"boom"`), status("a")))
	add("trap_off_keeps_message", "an EXIT message received while trapping stays in the mailbox after trapping stops",
		steps(spawn("a"), trap("a", true), spawnBy("spawn_link", "a", "b"), die("b", `"boom"`), dead("b"),
			trap("a", false), recv("a"), status("a")))
	add("send_order", "messages from one sender arrive in order",
		steps(spawn("a"), spawn("b"), step{Do: "send", By: "a", To: "b", Msg: "m1"},
			step{Do: "send", By: "a", To: "b", Msg: "m2"}, step{Do: "send", By: "a", To: "b", Msg: "m3"},
			recv("b"), recv("b"), recv("b"), nothing("b")))
	add("send_to_dead", "sending to a dead process is silently dropped",
		steps(spawn("a"), spawn("b"), die("b", `"normal"`), dead("b"), step{Do: "send", By: "a", To: "b", Msg: "hello"},
			status("a"), nothing("a")))
	add("kill_trapping_linked", "kill reaches a trapping process; its trapping link partner sees killed",
		steps(spawn("a"), trap("a", true), spawnBy("spawn_link", "a", "b"), trap("b", true), exitSig("a", "b", `"kill"`),
			dead("b"), recv("a"), nothing("a")))
	add("spawn_unlinked_child_crash", "a plain spawn: the parent is not affected by its child's crash",
		steps(spawn("a"), spawnBy("spawn", "a", "b"), step{Do: "crash", By: "b"}, dead("b"), status("a"), nothing("a")))
	add("send_then_exit_order", "a message and then an exit signal from the same sender arrive in order",
		steps(spawn("a"), spawn("b"), trap("b", true), step{Do: "send", By: "a", To: "b", Msg: "m1"},
			exitSig("a", "b", `"boom"`), step{Do: "send", By: "a", To: "b", Msg: "m2"}, recv("b"), recv("b"), recv("b"), nothing("b")))
	add("send_then_die_down_order", "a message sent before dying arrives before the DOWN and the EXIT",
		steps(spawn("a"), spawn("c"), trap("c", true), op("monitor", "c", "a"), op("link", "c", "a"),
			step{Do: "send", By: "a", To: "c", Msg: "last"}, die("a", `"boom"`), recv("c"), recv("c"), recv("c"), nothing("c")))
	add("link_self", "linking to oneself does nothing",
		steps(spawn("a"), trap("a", true), op("link", "a", "a"), die("a", `"boom"`)))
	add("unlink_keeps_received_exit", "unlink does not remove an EXIT message already received",
		steps(spawn("a"), trap("a", true), spawnBy("spawn_link", "a", "b"), die("b", `"boom"`), dead("b"),
			op("unlink", "a", "b"), recv("a"), nothing("a")))
	add("link_twice_unlink_once", "links are not counted: one unlink removes a link made twice",
		steps(spawn("a"), trap("a", true), spawnBy("spawn_link", "a", "b"), op("link", "a", "b"), op("unlink", "a", "b"),
			die("b", `"boom"`), dead("b"), nothing("a")))
	add("send_two_senders", "messages from two senders keep their causal order",
		steps(spawn("a"), spawn("b"), spawn("c"), step{Do: "send", By: "a", To: "c", Msg: "m1"},
			step{Do: "send", By: "b", To: "c", Msg: "m2"}, step{Do: "send", By: "a", To: "c", Msg: "m3"},
			recv("c"), recv("c"), recv("c"), nothing("c")))
	add("send_to_self", "a process can send to itself",
		steps(spawn("a"), step{Do: "send", By: "a", To: "a", Msg: "me"}, recv("a"), nothing("a")))
	add("kill_propagates_killed", "b traps exits and is killed; its non-trapping link partner a dies with killed",
		steps(spawn("a"), spawnBy("spawn_link", "a", "b"), trap("b", true), spawn("c"), exitSig("c", "b", `"kill"`),
			dead("b"), status("a")))
	add("spawn_monitor_killed", "a spawn_monitors b, which is killed: DOWN killed",
		steps(spawn("a"), spawnBy("spawn_monitor", "a", "b"), exitSig("a", "b", `"kill"`), recv("a"), nothing("a")))
	dm := op("demonitor", "a", "b")
	dm.Flush = true
	add("spawn_monitor_demonitor", "a removes the monitor spawn_monitor made: no DOWN",
		steps(spawn("a"), spawnBy("spawn_monitor", "a", "b"), dm, die("b", `"boom"`), dead("b"), nothing("a")))
	add("exit_signal_to_dead", "exit/2 to a dead process does nothing",
		steps(spawn("a"), spawn("b"), die("b", `"normal"`), dead("b"), exitSig("a", "b", `"boom"`), status("a"), nothing("a")))
	add("exit_normal_linked_notrap", "exit(b, normal) does not end a non-trapping linked b; a later crash still propagates",
		steps(spawn("a"), trap("a", true), spawnBy("spawn_link", "a", "b"), exitSig("a", "b", `"normal"`), status("b"),
			step{Do: "crash", By: "b"}, recv("a")))
	return out
}

// initUnlinkDiffers is the documented difference of genserver/doc.go.
const initUnlinkDiffers = "genserver/doc.go, Differences from OTP: a failing or ignoring Init unlinks from the parent " +
	"before the process exits (OTP 26's proc_lib), so the parent gets no exit signal"

func genServerScenarios() []scenario {
	var out []scenario
	add := func(name, desc string, ss []step) {
		out = append(out, scenario{Name: name, Description: desc, Steps: ss})
	}
	base := func(link, trapS bool) []step {
		return steps(spawn("a"), spawn("b"), start("a", "s", link, trapS))
	}
	add("gs_call", "a starts s and calls it", steps(base(true, false), call("a", "s", "ping")))
	add("gs_cast_then_call", "a cast is handled before a later call",
		steps(base(true, false), cast("a", "s", "noop"), call("a", "s", "ping")))
	add("gs_info_then_call", "a plain message goes to handle_info",
		steps(base(true, false), step{Do: "send", By: "b", To: "s", Msg: "hello"}, call("a", "s", "ping")))
	to := call("a", "s", "defer")
	to.Timeout = 100
	add("gs_call_timeout_no_stale_reply", "a call times out; the late reply never reaches the caller",
		steps(base(false, false), to, cast("b", "s", "reply_pending"), call("a", "s", "ping"), nothing("a")))
	async := call("a", "s", "defer")
	async.Async = true
	add("gs_deferred_reply", "s defers its reply (noreply) and replies later with gen_server:reply",
		steps(base(false, false), async, call("b", "s", "reply_pending"), step{Do: "await", By: "a"}, nothing("a")))
	add("gs_deferred_then_crash", "s defers its reply, then crashes: the caller exits with the crash reason",
		steps(base(false, false), async, cast("b", "s", "crash"), step{Do: "await", By: "a"}, dead("s")))
	for _, rs := range reasons {
		if rs.suffix == "kill" {
			continue
		}
		c := call("a", "s", "stop_reply")
		c.Reason = r(rs.json)
		add("gs_stop_reply_"+rs.suffix, "handle_call returns {stop,R,Reply,S}: terminate, then the reply",
			steps(spawn("a"), trap("a", true), start("a", "s", true, false), c, dead("s"), recv("a")))
		c = call("a", "s", "stop_noreply")
		c.Reason = r(rs.json)
		add("gs_stop_noreply_"+rs.suffix, "handle_call returns {stop,R,S}: the caller exits with R",
			steps(spawn("a"), trap("a", true), start("a", "s", true, false), c, dead("s"), recv("a")))
		cs := cast("a", "s", "stop")
		cs.Reason = r(rs.json)
		add("gs_cast_stop_"+rs.suffix, "handle_cast returns {stop,R,S}",
			steps(spawn("a"), start("a", "s", false, false), cs, dead("s"), status("a")))
		st := op("stop", "a", "s")
		st.Reason = r(rs.json)
		add("gs_stop_"+rs.suffix, "gen_server:stop(s, R): terminate runs with R",
			steps(spawn("a"), trap("a", true), start("a", "s", true, false), st, dead("s"), nothing("a")))
	}
	ck := cast("a", "s", "stop")
	ck.Reason = r(`"kill"`)
	add("gs_cast_stop_kill_linked", "handle_cast returns {stop,kill,S}; the trapping parent sees kill, not killed",
		steps(spawn("a"), trap("a", true), start("a", "s", true, false), ck, dead("s"), recv("a")))
	add("gs_call_dead", "a call to a dead server exits with noproc",
		steps(spawn("a"), start("a", "s", false, false), op("stop", "a", "s"), call("a", "s", "ping")))
	add("gs_cast_dead", "a cast to a dead server is silently dropped",
		steps(spawn("a"), start("a", "s", false, false), op("stop", "a", "s"), cast("a", "s", "noop"), status("a")))
	add("gs_deferred_then_killed", "s defers its reply and is killed: the caller exits with killed",
		steps(base(false, false), async, exitSig("b", "s", `"kill"`), step{Do: "await", By: "a"}, dead("s")))
	add("gs_caller_dies_during_call", "the caller of a deferred call dies; the later reply is dropped and s keeps running",
		steps(base(false, false), async, exitSig("b", "a", `"kill"`), step{Do: "await", By: "a"},
			call("b", "s", "reply_pending"), call("b", "s", "ping")))
	sb := op("stop", "a", "s")
	sb.Reason = r(`"boom"`)
	add("gs_stop_boom_linked_notrap", "the non-trapping parent stops its server with boom and dies from the link",
		steps(spawn("a"), start("a", "s", true, false), sb, dead("s"), status("a")))
	add("gs_timeout_then_reply_next_call", "after a timed-out call, the next call gets its own reply, not the late one",
		steps(base(false, false), to, cast("b", "s", "reply_pending"), call("a", "s", "ping"), call("a", "s", "ping"), nothing("a")))
	ics := start("a", "s", false, false)
	ics.Init, ics.ContStop = "continue", r(`"normal"`)
	add("gs_init_continue_stop", "init continues into a chain that stops the server",
		steps(spawn("a"), ics, dead("s"), status("a")))
	pe := exitSig("a", "s", `"shutdown"`)
	add("gs_cast_then_parent_exit", "a cast sent before the parent's exit signal is handled before terminate",
		steps(spawn("a"), trap("a", true), start("a", "s", true, true), cast("a", "s", "noop"), pe, dead("s")))
	add("gs_info_then_parent_exit", "a message sent before the parent's exit signal is handled before terminate",
		steps(spawn("a"), trap("a", true), start("a", "s", true, true), step{Do: "send", By: "a", To: "s", Msg: "hello"},
			pe, dead("s")))
	add("gs_info_then_other_exit", "a message and then an exit signal from b reach handle_info in order",
		steps(spawn("a"), spawn("b"), start("a", "s", false, true), step{Do: "send", By: "b", To: "s", Msg: "hello"},
			exitSig("b", "s", `"boom"`), call("a", "s", "ping")))
	add("gs_stop_dead", "gen_server:stop of a dead server exits with noproc",
		steps(spawn("a"), start("a", "s", false, false), op("stop", "a", "s"), op("stop", "a", "s")))
	for _, v := range []struct {
		name       string
		link, trap bool
	}{{"linked_notrap", true, false}, {"linked_trap", true, true}, {"unlinked", false, false}} {
		add("gs_crash_call_"+v.name, "handle_call raises an error; the caller is "+v.name,
			steps(spawn("a"), when(v.trap, trap("a", true)), start("a", "s", v.link, false),
				call("a", "s", "crash"), dead("s"), status("a"), nothing("a")))
		if v.name != "linked_notrap" {
			add("gs_crash_cast_"+v.name, "handle_cast raises an error; the starter is "+v.name,
				steps(spawn("a"), when(v.trap, trap("a", true)), start("a", "s", v.link, false),
					cast("a", "s", "crash"), dead("s"), status("a"), nothing("a")))
		}
	}
	ic := start("a", "s", false, false)
	ic.Init, ic.Continues = "continue", 3
	add("gs_init_continue", "init returns {ok,S,{continue,1}}: the chain runs before any message",
		steps(spawn("a"), ic, call("a", "s", "ping")))
	add("gs_call_continue", "handle_call replies and continues; the chain runs before the next call",
		steps(spawn("a"), start("a", "s", false, false), call("a", "s", "continue"), call("a", "s", "ping")))
	add("gs_cast_continue", "handle_cast continues; the chain runs before the next call",
		steps(spawn("a"), start("a", "s", false, false), cast("a", "s", "continue"), call("a", "s", "ping")))
	for _, rs := range []struct{ suffix, json string }{{"normal", `"normal"`}, {"boom", `"boom"`}} {
		sc := start("a", "s", false, false)
		sc.ContStop = r(rs.json)
		add("gs_continue_stop_"+rs.suffix, "the last continue returns {stop,R,S}",
			steps(spawn("a"), sc, cast("a", "s", "continue"), dead("s")))
	}
	for _, in := range []string{"stop", "crash", "ignore"} {
		for _, v := range []struct {
			name       string
			link, trap bool
		}{{"start", false, false}, {"link_notrap", true, false}, {"link_trap", true, true}} {
			st := start("a", "s", v.link, false)
			st.Init = in
			if in == "stop" {
				st.Reason = r(`"boom"`)
			}
			sc := scenario{
				Name:        fmt.Sprintf("gs_init_%s_%s", in, v.name),
				Description: fmt.Sprintf("init returns %s; the starter uses %s", in, v.name),
				Steps:       steps(spawn("a"), when(v.trap, trap("a", true)), st, status("a"), nothing("a")),
			}
			if v.link && (in != "ignore" || v.trap) {
				sc.OrchardDiffers = &differs{Reason: initUnlinkDiffers}
			}
			out = append(out, sc)
		}
	}
	for _, rs := range append(reasons, struct{ suffix, json string }{"kill_self", `"kill"`}) {
		for _, t := range []bool{false, true} {
			var end step
			switch rs.suffix {
			case "kill":
				end = exitSig("c", "a", `"kill"`)
			default:
				end = die("a", rs.json)
			}
			add(fmt.Sprintf("gs_parent_exit_%s_%s", rs.suffix, trapName(t)),
				fmt.Sprintf("the parent of s exits with %s; s traps exits: %v", rs.suffix, t),
				steps(spawn("a"), spawn("c"), start("a", "s", true, t), end, dead("s")))
		}
	}
	for _, rs := range reasons {
		for _, t := range []bool{false, true} {
			var end step
			if rs.suffix == "kill" {
				end = exitSig("a", "b", `"kill"`)
			} else {
				end = die("b", rs.json)
			}
			add(fmt.Sprintf("gs_link_exit_%s_%s", rs.suffix, trapName(t)),
				fmt.Sprintf("b, linked to s but not its parent, exits with %s; s traps exits: %v", rs.suffix, t),
				steps(spawn("a"), trap("a", true), spawn("b"), start("a", "s", true, t), op("link", "b", "s"),
					end, dead("s"), nothing("a")))
			add(fmt.Sprintf("gs_exit_from_other_%s_%s", rs.suffix, trapName(t)),
				fmt.Sprintf("b, not the parent of s, calls exit(s, %s); s traps exits: %v", rs.suffix, t),
				steps(spawn("a"), trap("a", true), spawn("b"), start("a", "s", true, t), exitSig("b", "s", rs.json),
					dead("s"), nothing("a")))
		}
		for _, t := range []bool{false, true} {
			add(fmt.Sprintf("gs_exit_from_parent_%s_%s", rs.suffix, trapName(t)),
				fmt.Sprintf("the parent of s calls exit(s, %s); s traps exits: %v", rs.suffix, t),
				steps(spawn("a"), trap("a", true), start("a", "s", true, t), exitSig("a", "s", rs.json),
					dead("s"), nothing("a")))
		}
		add("gs_exit_from_starter_"+rs.suffix,
			fmt.Sprintf("a started s without a link (s is its own parent) and calls exit(s, %s); s traps exits", rs.suffix),
			steps(spawn("a"), start("a", "s", false, true), exitSig("a", "s", rs.json), dead("s")))
	}
	return out
}

func main() {
	all := append(processScenarios(), genServerScenarios()...)
	seen := map[string]bool{}
	for _, sc := range all {
		if seen[sc.Name] {
			log.Fatalf("duplicate scenario %s", sc.Name)
		}
		seen[sc.Name] = true
		path := filepath.Join("testdata", sc.Name+".json")
		keep(path, &sc)
		if err := os.WriteFile(path, encode(sc), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("wrote %d scenarios\n", len(all))
}

// keep copies the recorded traces of the file at path into sc when the
// file's steps are the ones sc has.
func keep(path string, sc *scenario) {
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	var old struct {
		Steps          []json.RawMessage `json:"steps"`
		Expect         []string          `json:"expect"`
		OrchardDiffers *differs          `json:"orchard_differs"`
	}
	if json.Unmarshal(b, &old) != nil || len(old.Steps) != len(sc.Steps) {
		return
	}
	for i, s := range sc.Steps {
		nb, _ := json.Marshal(s)
		if !bytes.Equal(nb, old.Steps[i]) {
			return
		}
	}
	sc.Expect = old.Expect
	if sc.OrchardDiffers != nil && old.OrchardDiffers != nil && old.OrchardDiffers.Reason == sc.OrchardDiffers.Reason {
		sc.OrchardDiffers.Expect = old.OrchardDiffers.Expect
	}
}

// encode writes the canonical layout proc_json:encode_file/1 writes.
func encode(sc scenario) []byte {
	var b bytes.Buffer
	str := func(s string) string {
		var j bytes.Buffer
		enc := json.NewEncoder(&j)
		enc.SetEscapeHTML(false) // as the reference's codec: "->" stays as is
		_ = enc.Encode(s)
		return strings.TrimSuffix(j.String(), "\n")
	}
	list := func(indent string, items []string) string {
		if len(items) == 0 {
			return "[]"
		}
		var l bytes.Buffer
		l.WriteString("[\n")
		for i, it := range items {
			l.WriteString(indent + "  " + it)
			if i < len(items)-1 {
				l.WriteByte(',')
			}
			l.WriteByte('\n')
		}
		l.WriteString(indent + "]")
		return l.String()
	}
	var ss []string
	for _, s := range sc.Steps {
		j, _ := json.Marshal(s)
		ss = append(ss, string(j))
	}
	kv := []string{
		`  "name": ` + str(sc.Name),
		`  "description": ` + str(sc.Description),
		`  "steps": ` + list("  ", ss),
	}
	quote := func(l []string) []string {
		return slices.Collect(func(y func(string) bool) {
			for _, e := range l {
				if !y(str(e)) {
					return
				}
			}
		})
	}
	if sc.Expect != nil {
		kv = append(kv, `  "expect": `+list("  ", quote(sc.Expect)))
	}
	if d := sc.OrchardDiffers; d != nil {
		inner := `    "reason": ` + str(d.Reason)
		if d.Expect != nil {
			inner += ",\n" + `    "expect": ` + list("    ", quote(d.Expect))
		}
		kv = append(kv, "  \"orchard_differs\": {\n"+inner+"\n  }")
	}
	b.WriteString("{\n")
	for i, l := range kv {
		b.WriteString(l)
		if i < len(kv)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}\n")
	return b.Bytes()
}
