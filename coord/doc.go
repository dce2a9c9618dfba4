// Package coord implements coordination primitives between processes,
// each run by a supervised coordinator process that monitors every
// holder and participant, so that nothing stays held by a process that
// died: a lock with a lease and a fencing token, a barrier with a
// timeout, leader election with lease, watch and fencing token, and
// consensus rounds with quorum rules whose decision is delivered
// all-or-nothing by supervised broadcast.
//
// # OTP mapping
//
// OTP has no single coordination behaviour; the nearest parts, and
// what is and is not comparable:
//
//	OTP / Erlang libraries                    Orchard
//	----------------------------------------  ----------------------------------------------
//	global:set_lock/2, global:trans/2         (*Coordinator).Lock, TryLock, (*Lock).Release
//	  (lock released when the holder dies)      the holder is monitored; released at its death
//	  (no fencing, no lease)                    Lock.Token + Fence (fencing), WithLease (lease)
//	locks / gen_leader / global:register_name  Campaign, Resign, Leader, Watch
//	  (leader dies -> next candidate)           Elected, LeaderChanged, LeaseLost messages
//	pg (join, monitor membership)             Await's participants (monitored), Watch
//	Raft-ish consensus (ra)                   Propose, VoteRequest.Vote, Decision
//	supervisor child                          StartFunc(opts...) / StartLink
//	ETS / mnesia for lock state               Backend: NewMemoryBackend, kvcoord (JetStream KV)
//
// global's locks are cluster-wide through its own protocol; here a
// [Backend] decides who holds a key: [MemoryBackend] within one OS
// process, or package coord/kvcoord's JetStream key-value bucket
// (create-if-absent, revision compare-and-set, the bucket's TTL as the
// lease), which works unchanged on a NATS cluster. gen_leader and the
// locks application elect through their own node-to-node protocol;
// here election is a lease on a key, like etcd's or Consul's. Consensus
// is a single vote among known participants (a two-phase
// ask-then-announce round), not a replicated log: there is no Raft
// term, no log, no leader of the round other than its proposer, and a
// round that loses its proposer's coordinator has no outcome.
//
// # Semantics
//
// A [Coordinator] is a GenServer ([Start], [StartLink], [StartFunc]);
// every method of its handle is a call to it, bounded by the call's
// context (or genserver's default call timeout). It keeps the queues
// of lock waiters and candidates, the barriers and the consensus
// rounds; a [Backend] keeps the leases.
//
// Locks: [Coordinator.Lock] waits in arrival order; the holder process
// (the caller's, or [WithHolder]) is monitored, and its lease
// ([WithLease]) is renewed every third of it while it lives. When the
// holder dies, or releases, the lease is released at once and the next
// waiter gets the lock with a larger token. If the coordinator itself
// dies (or loses its backend), the lease expires by itself within its
// duration, and a coordinator sharing the backend grants the lock
// then. A token only grows: pass it with every protected write and
// check it with a [Fence] on the resource, so the late write of a
// holder that lost its lease is refused ([ErrStaleToken]). A holder
// that is alive but lost its lease receives [LeaseLost].
//
// Barriers: [Coordinator.Await] waits until n participants arrived;
// the death of a participant that arrived (or of one declared with
// [WithParticipants]) fails the round at once for all with a
// *[BarrierError] ([ErrParticipantDown]); so does the round's timeout
// ([ErrBarrierTimeout]). Barriers live in the coordinator process
// (both backends): their participants are processes it monitors.
//
// Leader election: [Coordinator.Campaign] stands a candidate; leaders
// are chosen in standing order through the backend lease, told by an
// [Elected] message, and replaced when they die or resign; watchers
// ([Coordinator.Watch]) get [LeaderChanged] messages.
//
// Consensus: [Coordinator.Propose] runs a round in a process linked to
// the coordinator; see its doc for the votes, the rules ([Majority],
// [Unanimous], [AtLeastK]), absent voters and the all-or-nothing
// delivery of the [Decision].
//
// # Differences from OTP
//
// global:set_lock retries forever by default and has no tokens; Lock
// waits at most until its context ends and returns a fencing token.
// Leadership is a lease, not a process registered cluster-wide, so a
// paused leader may act for up to one lease after losing it: fence
// its writes. Barrier and consensus rounds are kept in one coordinator
// process, not replicated.
//
// # Example
//
// See ExampleCoordinator_Lock and ExampleCoordinator_Await.
package coord
