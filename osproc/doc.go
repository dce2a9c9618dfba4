// Package osproc implements supervised OS processes: an operating-system
// command runs as an Orchard process, so a supervisor starts, restarts and
// stops it exactly as it does any process, and nothing it starts outlives
// it.
//
// # OTP mapping
//
// Erlang talks to OS processes through ports; erlexec and Elixir's
// MuonTrap add what ports lack (process groups, kill escalation, limits,
// cleanup when the VM dies):
//
//	OTP / erlexec / MuonTrap                   Orchard
//	-----------------------------------------  ---------------------------------------------
//	erlang:open_port({spawn_executable, P},    Start(node, Command{Path, Args, Env, Dir})
//	  [{args, A}, {env, E}, {cd, D}])          StartLink(parent, Command) (linked)
//	port owner (connected process)             Command.Owner (monitored: its death stops
//	                                             the command)
//	{Port, {data, {eol, Line}}} / {data, Bin}  Output{Stream, Data, Partial} (Lines / Chunks)
//	{line, L} option (max line length)         Command.MaxLine (longer lines: Partial pieces)
//	{Port, {exit_status, S}}                   Exited{Reason}; the process's exit reason
//	port_command(Port, Data)                   Write(ctx, pid, data)
//	port_close / closing stdin (erlexec eof)   CloseStdin(ctx, pid)
//	erlang:port_info(P, os_pid)                OSPID(ctx, pid)
//	exec:run_link(Cmd, [{group, 0}, {kill_timeout, T}])
//	                                           Child(id, Command) with the spec's Shutdown:
//	                                             SIGTERM to the group, SIGKILL after it
//	MuonTrap.Daemon in a supervision tree      Child(id, Command)
//	MuonTrap cgroup / erlexec {limit, ...}     Command.Limits (rlimits; see below)
//	exec {kill_timeout, T} on owner death      Command.KillGrace
//	a :timeout on MuonTrap.cmd                 Command.Timeout
//	a separate supervisor for ports            Supervisor(id, SupervisorSpec)
//
// # Semantics
//
// The command's process traps exits. Its helpers are processes too,
// linked to it: a waiter that starts the command and waits for its end,
// one reader per output stream, and a writer for standard input. Every
// goroutine thus has an owner, a stop signal and a join.
//
// Output: each line (or chunk) of standard output and standard error is
// an [Output] message to the owner; after the last one comes [Exited].
// Output is bounded: when the owner's mailbox already holds MaxPending
// messages, the Drop policy (default) drops the message and counts it
// (Output.Dropped on the next delivered one, totals in Exited), and the
// Block policy stops reading, so the command blocks in write once the
// pipe's kernel buffer is full. Each message holds at most MaxLine bytes.
// A command with no Owner writes to /dev/null.
//
// Exit: status 0 is [process.Normal]; a non-zero status or a signal is an
// *[ExitError] (matching [ErrExited]), so Permanent and Transient
// restarts behave as for any process. A stop asked by an exit signal ends
// the process with that signal's reason (process.Shutdown from a
// supervisor), as a trapping OTP process does. A command that cannot
// start is a *[StartError], a failed start for a supervisor.
//
// Stop: the command runs in its own process group (Setpgid), and every
// signal goes to the whole group. A supervisor's shutdown sends SIGTERM
// at once and, when the child spec's Shutdown passes, kills the process,
// which sends SIGKILL: the escalation follows the child spec
// (BrutalKill: SIGKILL at once). Other stops (the owner died, the run
// Timeout passed, an exit signal from elsewhere) send SIGTERM and then
// SIGKILL after KillGrace. When the command exits by itself, what is left
// of its group is killed before it is reaped, so children it left behind
// do not survive it. The command is always reaped (no zombie): its
// process ends only after the command has been waited for.
//
// Parent death (Linux): the command gets SIGKILL from the kernel when the
// Go program dies, even by kill -9 (PR_SET_PDEATHSIG). Linux ties that
// signal to the thread that forked the command, so the command is
// started from an OS thread locked for its whole life (see waiter in
// run.go). The signal reaches the command itself, not its own children:
// a command that forks and then dies by this signal leaves its children
// to init, unless they share its fate some other way.
//
// Limits (Linux): CPU time, address space and open files are rlimits set
// with prlimit(2) on the command while it is stopped right after its
// exec (started with PTRACE_TRACEME; the starting thread is its tracer
// and detaches at once), so no instruction of the command runs before
// its limits are in place. This was chosen over a prlimit after a plain
// start (a race: the command runs unlimited for a moment) and over a
// trampoline (a shell's ulimit, or re-executing the Go binary through an
// init hook: a second exec, a helper program whose failures look like
// the command's). Its costs: a command with limits cannot be traced by
// a debugger at the same time, set-user-ID bits are ignored under
// ptrace, and a system forbidding ptrace (a seccomp profile,
// kernel.yama.ptrace_scope 3) makes the start fail with a *StartError.
//
// cgroups v2: not used. Moving a command into its own cgroup
// (SysProcAttr.UseCgroupFD) would bound the memory and processes of the
// whole tree it starts; it needs a delegated, writable cgroup v2
// hierarchy, which the machines this package was built on do not offer
// (cgroup v1 hybrid, read-only unified mount), so it is left out rather
// than shipped untested.
//
// Isolation: [Supervisor] returns a dedicated supervisor for commands,
// a temporary child of its parent by default: when its commands crash
// more often than its intensity allows, it gives up alone, and the
// agents' tree beside it neither restarts it nor counts it against its
// own intensity (SupervisorSpec.Escalate makes it permanent).
//
// # Differences from OTP
//
// A port is linked to its owner and dies with it; here the owner is
// monitored (its death stops the command) but a failing command does not
// kill its owner, which learns of the end from [Exited] or a monitor.
// Port output is unbounded in OTP; here it is bounded as described.
//
// Other platforms: on Unix systems other than Linux there is no
// parent-death signal and Limits fail the start with [ErrUnsupported];
// process groups, SIGTERM and SIGKILL work. Elsewhere (Windows) every
// stop is an immediate kill of the command itself, with no group.
//
// # Example
//
//	sup, err := supervisor.Start(node, supervisor.Spec{Children: []supervisor.ChildSpec{
//		osproc.Child("indexer", osproc.Command{
//			Path: "indexer", Args: []string{"--watch"}, Owner: logger,
//			Limits: osproc.Limits{CPU: time.Hour, Memory: 1 << 30},
//		}).WithShutdown(supervisor.Shutdown(2 * time.Second)),
//	}})
package osproc
