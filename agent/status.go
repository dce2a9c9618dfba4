package agent

import (
	"time"

	"github.com/seed-fe72f376/orchard/process"
)

// Status is where an agent is in its life, as the registry tracks it
// from supervisor events (never by polling).
type Status int

const (
	// Registered agents are known but were never started.
	Registered Status = iota
	// Starting agents are being started (their Init runs).
	Starting
	// Running agents have a live process.
	Running
	// Crashed agents died abnormally; a crash its supervisor restarts
	// passes on at once to Restarting.
	Crashed
	// Restarting agents are being restarted by their supervisor.
	Restarting
	// Hibernated agents have no process: their state is in the store
	// and their next action or signal starts them again.
	Hibernated
	// Stopped agents were stopped gracefully (StopAgent, a Stop
	// directive, the system stopping).
	Stopped
)

var statusNames = [...]string{"registered", "starting", "running", "crashed", "restarting", "hibernated", "stopped"}

func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown"
}

// Info is an agent's registry entry: configuration, capabilities,
// status, load and metadata.
type Info struct {
	ID           string
	Parent       string // the agent that spawned it, if any
	Config       KindConfig
	Capabilities []string
	Metadata     map[string]string
	Status       Status
	PID          process.PID // zero unless running
	// Crashes counts the agent's crashes; LastReason is the reason of the
	// last one.
	Crashes    int
	LastReason error
	// InFlight is how many Runs are waiting on the agent; MailboxLen its
	// mailbox length; Buffered how many messages wait for it to be back.
	InFlight   int
	MailboxLen int
	Buffered   int
}

// StatusChange is one status transition, as heard by WithStatusListener.
type StatusChange struct {
	ID       string
	From, To Status
	Reason   error // the crash reason for Crashed
	Time     time.Time
}
