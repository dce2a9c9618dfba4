package osproc

import (
	"strconv"
	"strings"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
)

// Defaults applied to the zero fields of a [Command].
const (
	// DefaultMaxLine is the largest line or chunk delivered in one
	// [Output] message; a longer line arrives in pieces marked Partial.
	DefaultMaxLine = 64 << 10
	// DefaultMaxPending is how many messages the owner's mailbox may hold
	// before output is dropped (or, with [Block], before reading stops).
	DefaultMaxPending = 1024
	// DefaultKillGrace is how long a command has to exit after SIGTERM
	// when no supervisor drives its shutdown (run timeout, owner death).
	DefaultKillGrace = 5 * time.Second
	// drainTimeout bounds the wait for the last output after the command
	// exited (a grandchild outside the process group may hold the pipe).
	drainTimeout = 2 * time.Second
	// reapTimeout bounds the wait for the command to be reaped after
	// SIGKILL when the command's process is killed.
	reapTimeout = 5 * time.Second
)

// Mode is how standard output and standard error are cut into messages.
type Mode int

const (
	// Lines delivers one [Output] per line, without its newline. A line
	// longer than MaxLine arrives in pieces, all but the last marked
	// Partial; a last line without newline is marked Partial too.
	Lines Mode = iota
	// Chunks delivers what each read returned, at most MaxLine bytes.
	Chunks
)

// Overflow is what happens to output when the owner's mailbox already
// holds MaxPending messages (the owner is slower than the command).
type Overflow int

const (
	// Drop drops the message and counts it: the next delivered [Output]
	// of the stream says how many were dropped before it, and [Exited]
	// has the totals. The command never waits for its owner.
	Drop Overflow = iota
	// Block stops reading the pipe until the owner's mailbox has room,
	// so a chatty command blocks in write once the pipe's kernel buffer
	// (64 KiB on Linux) is full: backpressure instead of loss. The owner
	// does not signal when it has room: the reader looks at its mailbox
	// length again after a pause growing from 1 ms to 50 ms, so a
	// blocked stream resumes up to 50 ms after the owner caught up.
	Block
)

// Stream names standard output or standard error.
type Stream int

const (
	// Stdout is the command's standard output.
	Stdout Stream = 1
	// Stderr is the command's standard error.
	Stderr Stream = 2
)

func (s Stream) String() string {
	switch s {
	case Stdout:
		return "stdout"
	case Stderr:
		return "stderr"
	}
	return "stream?"
}

// Limits are the resources a command may use. Zero fields are unlimited.
// On Linux they are set with prlimit(2) while the command is stopped
// right after its exec, before its first instruction (see the package
// doc); elsewhere a non-zero Limits fails the start with ErrUnsupported.
type Limits struct {
	// CPU is the CPU time (RLIMIT_CPU, rounded up to whole seconds): the
	// kernel kills the command with SIGXCPU, then SIGKILL.
	CPU time.Duration
	// Memory is the address space in bytes (RLIMIT_AS): allocations
	// beyond it fail.
	Memory uint64
	// Files is the number of open file descriptors (RLIMIT_NOFILE).
	Files uint64
}

func (l Limits) zero() bool { return l == Limits{} }

// Command describes an OS command run as an Orchard process. Write it as
// a literal; zero fields are the documented defaults.
type Command struct {
	// Path is the program. Without a slash it is looked up in PATH.
	// Required.
	Path string
	// Args are the arguments after the program name.
	Args []string
	// Env is the environment, "KEY=value" strings; nil inherits the Go
	// program's environment.
	Env []string
	// Dir is the working directory; empty means the Go program's.
	Dir string
	// Owner receives the command's [Output] and its [Exited] message,
	// and is monitored by the command's process (not linked, unless it
	// is the parent): when the owner dies the command is stopped
	// (SIGTERM, then SIGKILL after KillGrace), as a port closes with its
	// owner, but a failing command does not kill its owner. It must live
	// on the command's node. The zero PID means no owner: output goes to
	// /dev/null and nothing is monitored.
	Owner process.PID
	// Mode cuts output into Lines (default) or Chunks.
	Mode Mode
	// MaxLine is the largest Output.Data (default DefaultMaxLine).
	MaxLine int
	// MaxPending is the owner mailbox length at which Overflow applies
	// (default DefaultMaxPending).
	MaxPending int
	// Overflow is Drop (default) or Block.
	Overflow Overflow
	// Stdin opens a pipe to the command's standard input for [Write] and
	// [CloseStdin]; otherwise standard input is /dev/null.
	Stdin bool
	// Timeout is the run timeout: once it passes the command gets
	// SIGTERM, then SIGKILL after KillGrace, and its exit reason is an
	// *ExitError matching ErrTimeout. Zero means none.
	Timeout time.Duration
	// KillGrace is how long the command has to exit after SIGTERM when
	// the stop does not come from its supervisor (run timeout, owner
	// death, an exit signal from elsewhere). Under a supervisor's
	// shutdown the child spec's Shutdown decides instead. Zero means
	// DefaultKillGrace.
	KillGrace time.Duration
	// Limits are the resource limits (none by default).
	Limits Limits
}

// withDefaults returns c with its zero fields set to their defaults.
func (c Command) withDefaults() Command {
	if c.MaxLine == 0 {
		c.MaxLine = DefaultMaxLine
	}
	if c.MaxPending == 0 {
		c.MaxPending = DefaultMaxPending
	}
	if c.KillGrace == 0 {
		c.KillGrace = DefaultKillGrace
	}
	return c
}

// validate checks c for the operation op.
func (c Command) validate(op string) error {
	switch {
	case c.Path == "":
		return argerr.Empty(op, "Command.Path")
	case strings.ContainsRune(c.Path, 0):
		return argerr.New(op, "Command.Path", "contains a NUL byte")
	case c.Mode != Lines && c.Mode != Chunks:
		return argerr.New(op, "Command.Mode", "is not Lines or Chunks")
	case c.Overflow != Drop && c.Overflow != Block:
		return argerr.New(op, "Command.Overflow", "is not Drop or Block")
	case c.MaxLine < 0:
		return argerr.New(op, "Command.MaxLine", "is negative")
	case c.MaxPending < 0:
		return argerr.New(op, "Command.MaxPending", "is negative")
	case c.Timeout < 0:
		return argerr.New(op, "Command.Timeout", "is negative")
	case c.KillGrace < 0:
		return argerr.New(op, "Command.KillGrace", "is negative")
	case c.Limits.CPU < 0:
		return argerr.New(op, "Command.Limits.CPU", "is negative")
	}
	for i, a := range c.Args {
		if strings.ContainsRune(a, 0) {
			return argerr.New(op, "Command.Args", "argument "+strconv.Itoa(i)+" contains a NUL byte")
		}
	}
	for _, e := range c.Env {
		if !strings.Contains(e, "=") || strings.HasPrefix(e, "=") || strings.ContainsRune(e, 0) {
			return argerr.New(op, "Command.Env", "entry "+strconv.Quote(firstN(e, 40))+" is not KEY=value")
		}
	}
	return nil
}

func firstN(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Output is one line or chunk of a command's output, sent to its owner.
type Output struct {
	// PID is the command's process.
	PID process.PID
	// Stream is Stdout or Stderr.
	Stream Stream
	// Data is the line (without its newline) or the chunk; it belongs to
	// the receiver.
	Data []byte
	// Partial marks a piece of a line longer than MaxLine, or a last
	// line without newline (Lines mode only).
	Partial bool
	// Dropped is how many messages of this stream were dropped just
	// before this one because the owner's mailbox was full.
	Dropped uint64
}

// Exited is the last message a command's owner receives from it, after
// all of its output: Reason is the command process's exit reason
// (process.Normal for status 0). A command whose process is killed
// (process.Kill, a supervisor's shutdown timeout) sends none, as a
// killed process sends nothing: monitor the process to learn of that
// end.
type Exited struct {
	PID           process.PID
	OSPID         int
	Reason        error
	DroppedStdout uint64
	DroppedStderr uint64
}
