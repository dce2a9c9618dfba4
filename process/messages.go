package process

// Msg is an opaque message payload: any Go value a process sends to
// another. The runtime never inspects it.
type Msg = any

// Exit is the message a process that traps exits receives instead of
// dying when an exit signal reaches it (Erlang's {'EXIT', From, Reason}).
// From is the zero PID when the signal came from outside any process.
type Exit struct {
	From   PID
	Reason error
}

// Down is the message a monitoring process receives when the monitored
// process dies (Erlang's {'DOWN', Ref, process, PID, Reason}). Reason is
// [NoProc] when the process was already dead when the monitor was set.
type Down struct {
	Ref    Ref
	PID    PID
	Reason error
}
